//! What dashboards read: sums over the daily rollups (never the raw groups), for a set of
//! points (one point, a country, the countries a user may see) and a range of days. Bucketing
//! into weeks and months is done by the domain (`flow::series`), so the SQL is the same on both
//! backends.

use rumbo_domain::Vocabulary;
use rumbo_domain::country::Iso3;
use rumbo_domain::flow::counts::{Dimension, SLOTS, parse_date};
use rumbo_domain::flow::series::DayCount;
use rumbo_domain::flow::{AgeBrackets, Direction};
use serde::Serialize;
use sqlx::Row;
use time::Date;

use super::counts::decode_values;
use crate::query::{Filter, dynamic};
use crate::{Result, Store, StoreError};

/// Which counts a dashboard covers. Every part is optional; `countries` restricts to what the
/// reader may see (`None`: everything).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct FlowFilter {
    pub countries: Option<Vec<Iso3>>,
    pub country: Option<Iso3>,
    pub point: Option<i64>,
    pub from: Option<Date>,
    pub until: Option<Date>,
}

/// People of one value of a breakdown, by direction.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct BreakdownRow {
    pub value: String,
    pub incoming: i64,
    pub outgoing: i64,
    pub transit: i64,
    pub total: i64,
}

/// People by sex and age bracket, by direction, and how many people the breakdown covers.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct SexAge {
    pub people: i64,
    pub slots: Vec<i64>,
}

impl FlowFilter {
    fn filter(&self) -> Filter {
        let mut filter = Filter::default();
        if let Some(point) = self.point {
            filter.push("location_id = $", point);
        }
        let mut countries: Option<Vec<String>> = self
            .countries
            .as_ref()
            .map(|list| list.iter().map(ToString::to_string).collect());
        if let Some(country) = self.country {
            countries = Some(match countries {
                Some(list) if !list.contains(&country.to_string()) => Vec::new(),
                _ => vec![country.to_string()],
            });
        }
        if let Some(list) = countries {
            let placeholders: Vec<String> = list.into_iter().map(|c| filter.bind(c)).collect();
            let list = if placeholders.is_empty() {
                "NULL".to_owned()
            } else {
                placeholders.join(", ")
            };
            filter.push_fixed(&format!(
                "location_id IN (SELECT id FROM locations WHERE country_iso3 IN ({list}))"
            ));
        }
        if let Some(from) = self.from {
            filter.push("day >= $", from.to_string());
        }
        if let Some(until) = self.until {
            filter.push("day <= $", until.to_string());
        }
        filter
    }
}

fn direction_of(raw: &str) -> Result<Direction> {
    Ok(Direction::parse(raw)?)
}

impl Store {
    /// People and hours by day and direction.
    pub async fn flow_days(&self, filter: &FlowFilter) -> Result<Vec<DayCount>> {
        let f = filter.filter();
        let sql = format!(
            "SELECT day, direction, CAST(SUM(people) AS BIGINT) AS people, CAST(SUM(hours) AS BIGINT) AS hours
             FROM flow_daily{} GROUP BY day, direction ORDER BY day",
            f.where_clause()
        );
        let rows = sqlx::query_with(dynamic(sql), f.into_args())
            .fetch_all(&self.pool)
            .await?;
        rows.iter()
            .map(|r| {
                Ok(DayCount {
                    date: parse_date(&r.try_get::<String, _>("day")?).map_err(|detail| StoreError::Corrupt {
                        what: "rollup day",
                        detail,
                    })?,
                    direction: direction_of(&r.try_get::<String, _>("direction")?)?,
                    people: r.try_get("people")?,
                    hours: r.try_get("hours")?,
                })
            })
            .collect()
    }

    /// People by sex and age bracket (the operation's brackets), over every direction.
    pub async fn flow_sex_age(&self, filter: &FlowFilter, brackets: &AgeBrackets) -> Result<SexAge> {
        let n = brackets.len();
        let columns: Vec<String> = (0..n)
            .map(|i| format!("f{i}"))
            .chain((0..n).map(|i| format!("m{i}")))
            .map(|c| format!("CAST(COALESCE(SUM({c}), 0) AS BIGINT) AS {c}"))
            .collect();
        let f = filter.filter();
        let sql = format!(
            "SELECT CAST(COALESCE(SUM(people), 0) AS BIGINT) AS people, {} FROM flow_daily{}",
            columns.join(", "),
            f.where_clause()
        );
        let row = sqlx::query_with(dynamic(sql), f.into_args())
            .fetch_one(&self.pool)
            .await?;
        let mut slots = vec![0; SLOTS];
        for i in 0..n {
            slots[i] = row.try_get(format!("f{i}").as_str())?;
            slots[AgeBrackets::MAX + i] = row.try_get(format!("m{i}").as_str())?;
        }
        Ok(SexAge {
            people: row.try_get("people")?,
            slots,
        })
    }

    /// People by value of `dimension`, largest first; at most `limit` values.
    pub async fn flow_breakdown(
        &self,
        filter: &FlowFilter,
        dimension: Dimension,
        limit: usize,
    ) -> Result<Vec<BreakdownRow>> {
        let mut f = filter.filter();
        f.push("dimension = $", dimension.code());
        // Each row holds every value of one point's day and direction (see
        // `rumbo_domain::flow::daily_values`): they are decoded and added up here.
        let sql = format!("SELECT direction, vals FROM flow_daily_values{}", f.where_clause());
        let rows = sqlx::query_with(dynamic(sql), f.into_args())
            .fetch_all(&self.pool)
            .await?;
        let mut by_value: std::collections::HashMap<String, BreakdownRow> = std::collections::HashMap::new();
        for r in &rows {
            let direction = direction_of(&r.try_get::<String, _>("direction")?)?;
            for (value, people) in decode_values(&r.try_get::<String, _>("vals")?)? {
                let entry = match by_value.get_mut(value.as_str()) {
                    Some(entry) => entry,
                    None => by_value.entry(value.clone()).or_insert_with(|| BreakdownRow {
                        value,
                        ..Default::default()
                    }),
                };
                match direction {
                    Direction::Incoming => entry.incoming += people,
                    Direction::Outgoing => entry.outgoing += people,
                    Direction::Transit => entry.transit += people,
                }
                entry.total += people;
            }
        }
        let mut list: Vec<BreakdownRow> = by_value.into_values().filter(|r| r.total != 0).collect();
        list.sort_by(|a, b| b.total.cmp(&a.total).then_with(|| a.value.cmp(&b.value)));
        list.truncate(limit);
        Ok(list)
    }

    /// People by point, largest first: (location id, incoming, outgoing, transit).
    pub async fn flow_point_totals(&self, filter: &FlowFilter) -> Result<Vec<(i64, BreakdownRow)>> {
        let f = filter.filter();
        let sql = format!(
            "SELECT location_id, direction, CAST(SUM(people) AS BIGINT) AS people FROM flow_daily{}
             GROUP BY location_id, direction",
            f.where_clause()
        );
        let rows = sqlx::query_with(dynamic(sql), f.into_args())
            .fetch_all(&self.pool)
            .await?;
        let mut by_point: std::collections::BTreeMap<i64, BreakdownRow> = std::collections::BTreeMap::new();
        for r in &rows {
            let point: i64 = r.try_get("location_id")?;
            let people: i64 = r.try_get("people")?;
            let entry = by_point.entry(point).or_default();
            match direction_of(&r.try_get::<String, _>("direction")?)? {
                Direction::Incoming => entry.incoming += people,
                Direction::Outgoing => entry.outgoing += people,
                Direction::Transit => entry.transit += people,
            }
            entry.total += people;
        }
        let mut list: Vec<(i64, BreakdownRow)> = by_point.into_iter().collect();
        list.sort_by_key(|b| std::cmp::Reverse(b.1.total));
        Ok(list)
    }
}
