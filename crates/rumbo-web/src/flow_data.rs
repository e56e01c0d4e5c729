//! Flow monitoring data for the API and the pages alike: who may see which countries, the
//! filters of dashboards, count files in (with the importer's access checked row by row), and
//! every dashboard table built once as a `DataTable`, so that a page, its CSV, HXL and XLSX
//! exports and the JSON API show the same numbers.

use std::collections::{HashMap, HashSet};

use rumbo_domain::Vocabulary;
use rumbo_domain::access::{Action, Target};
use rumbo_domain::country::Iso3;
use rumbo_domain::flow::counts::{Dimension, parse_date};
use rumbo_domain::flow::series::{Interval, Period, series, total};
use rumbo_domain::flow::{AgeBrackets, Disclosed, SMALL_COUNT, Sex};
use rumbo_domain::fms::CAVEAT;
use rumbo_domain::fms::indicators::{IndicatorTable, Respondent, tables};
use rumbo_io::tables::{Cell, DataTable};
use rumbo_store::Store;
use rumbo_store::flow::counts::{CountReport, ImportMode};
use rumbo_store::flow::dashboards::FlowFilter;
use rumbo_store::fms::InterviewFilter;
use rumbo_store::users::User;
use serde::Deserialize;
use utoipa::IntoParams;

use crate::error::AppError;
use crate::transfer::TransferError;

/// The countries where `user` may take `action`; `None` when everywhere.
pub fn reach(user: &User, action: Action) -> Option<Vec<Iso3>> {
    let subject = user.subject();
    if subject.may(action, &Target::anywhere()) {
        return None;
    }
    Some(
        user.countries()
            .into_iter()
            .filter(|c| subject.may(action, &Target::country(*c)))
            .collect(),
    )
}

/// The filters of every flow dashboard, table and export.
#[derive(Debug, Clone, Default, Deserialize, IntoParams)]
pub struct FlowQuery {
    /// ISO3 country code.
    pub country: Option<String>,
    /// A flow monitoring point (location id).
    pub point: Option<String>,
    /// First day, YYYY-MM-DD.
    pub from: Option<String>,
    /// Last day, YYYY-MM-DD.
    pub until: Option<String>,
    /// day, week (default) or month.
    pub interval: Option<String>,
}

fn given(v: &Option<String>) -> Option<&str> {
    v.as_deref().map(str::trim).filter(|v| !v.is_empty())
}

impl FlowQuery {
    /// The store's filter, restricted to `reach`, and the interval of series.
    pub fn filter(&self, reach: Option<Vec<Iso3>>) -> Result<(FlowFilter, Interval), AppError> {
        let date = |v: &Option<String>, name: &str| {
            given(v)
                .map(|d| parse_date(d).map_err(|e| AppError::Invalid(format!("{name}: {e}"))))
                .transpose()
        };
        let point = given(&self.point)
            .map(|p| {
                p.parse::<i64>()
                    .map_err(|_| AppError::Invalid(format!("point: '{p}' is not a point id")))
            })
            .transpose()?;
        Ok((
            FlowFilter {
                countries: reach,
                country: given(&self.country).map(Iso3::parse).transpose()?,
                point,
                from: date(&self.from, "from")?,
                until: date(&self.until, "until")?,
            },
            given(&self.interval)
                .map(Interval::parse)
                .transpose()?
                .unwrap_or(Interval::Week),
        ))
    }

    pub fn interviews(&self, reach: Option<Vec<Iso3>>) -> Result<InterviewFilter, AppError> {
        let (f, _) = self.filter(reach)?;
        Ok(InterviewFilter {
            countries: f.countries,
            country: f.country,
            point: f.point,
            from: f.from,
            until: f.until,
        })
    }

    /// The filters as a query string, for links that keep them.
    pub fn query_string(&self) -> String {
        let pairs: Vec<(&str, &str)> = [
            ("country", &self.country),
            ("point", &self.point),
            ("from", &self.from),
            ("until", &self.until),
            ("interval", &self.interval),
        ]
        .into_iter()
        .filter_map(|(k, v)| given(v).map(|v| (k, v)))
        .collect();
        serde_urlencoded::to_string(pairs).unwrap_or_default()
    }
}

/// The text of an uploaded count or official file: XLSX becomes CSV; CSV must be UTF-8.
pub fn upload_text(bytes: &[u8]) -> Result<String, TransferError> {
    if rumbo_io::sheet::is_xlsx(bytes) {
        Ok(rumbo_io::sheet::xlsx_to_csv(bytes)?)
    } else {
        Ok(rumbo_io::utf8(bytes)?.to_owned())
    }
}

/// Imports a count file for `user`, who may record only where the policy lets them (an
/// enumerator: at the points they are assigned to).
pub async fn import_count_text(
    store: &Store,
    user: &User,
    actor: &rumbo_domain::audit::Actor,
    text: &str,
    mode: ImportMode,
    source: &str,
) -> Result<CountReport, AppError> {
    let brackets = store.age_brackets().await?;
    let columns = rumbo_io::flow_counts::count_columns(text, &brackets).map_err(TransferError::from)?;
    let countries: HashMap<i64, Iso3> = store
        .flow_points(None, None)
        .await?
        .into_iter()
        .map(|p| (p.location.id, p.location.country))
        .collect();
    let assigned: HashSet<i64> = store.assigned_points(user.id).await?.into_iter().collect();
    let subject = user.subject();
    let may_record = move |point: i64| {
        countries.get(&point).is_some_and(|country| {
            subject.may(
                Action::RecordFlowData {
                    assigned: assigned.contains(&point),
                },
                &Target::country(*country),
            )
        })
    };
    Ok(store
        .import_counts(
            actor,
            rumbo_io::flow_counts::count_rows(text.to_owned(), columns),
            mode,
            source,
            &may_record,
        )
        .await?)
}

/// Which tables the dashboards export.
pub const TABLES: [&str; 9] = [
    "series",
    "sex_age",
    "nationality",
    "transport",
    "previous_point",
    "next_destination",
    "final_destination",
    "corridor",
    "points",
];

/// A flow table by name, over `filter`.
pub async fn flow_table(
    store: &Store,
    name: &str,
    filter: &FlowFilter,
    interval: Interval,
) -> Result<DataTable, AppError> {
    match name {
        "series" => {
            let periods = series(&store.flow_days(filter).await?, interval);
            Ok(series_table(&periods, interval))
        }
        "sex_age" => {
            let brackets = store.age_brackets().await?;
            let sex_age = store.flow_sex_age(filter, &brackets).await?;
            Ok(sex_age_table(&sex_age.slots, &brackets))
        }
        "points" => {
            let points: HashMap<i64, (String, String, Iso3)> = store
                .flow_points(None, None)
                .await?
                .into_iter()
                .map(|p| (p.location.id, (p.location.code, p.location.name, p.location.country)))
                .collect();
            let mut t = DataTable::new(
                "Points",
                &[
                    ("code", "#loc+code"),
                    ("name", "#loc+name"),
                    ("country", "#country+code"),
                    ("incoming", "#population+incoming"),
                    ("outgoing", "#population+outgoing"),
                    ("transit", "#population+transit"),
                    ("net", "#population+net"),
                ],
            );
            for (id, row) in store.flow_point_totals(filter).await? {
                let Some((code, name, country)) = points.get(&id).cloned() else {
                    continue;
                };
                t.push(vec![
                    code.into(),
                    name.into(),
                    country.to_string().into(),
                    row.incoming.into(),
                    row.outgoing.into(),
                    row.transit.into(),
                    (row.incoming - row.outgoing).into(),
                ]);
            }
            Ok(t)
        }
        other => {
            let dimension = Dimension::parse(other).map_err(|_| AppError::NotFound(format!("no table '{other}'")))?;
            let mut t = DataTable::new(
                dimension.code(),
                &[
                    (dimension.code(), dimension_tag(dimension)),
                    ("incoming", "#population+incoming"),
                    ("outgoing", "#population+outgoing"),
                    ("transit", "#population+transit"),
                    ("total", "#population+total"),
                ],
            );
            for row in store.flow_breakdown(filter, dimension, 500).await? {
                t.push(vec![
                    row.value.into(),
                    row.incoming.into(),
                    row.outgoing.into(),
                    row.transit.into(),
                    row.total.into(),
                ]);
            }
            Ok(t)
        }
    }
}

fn dimension_tag(dimension: Dimension) -> &'static str {
    match dimension {
        Dimension::Nationality => "#country+nationality",
        Dimension::Transport => "#indicator+transport",
        Dimension::Previous => "#loc+previous",
        Dimension::Next => "#loc+next",
        Dimension::Final => "#loc+destination",
        Dimension::Corridor => "#loc+corridor",
    }
}

pub fn series_table(periods: &[Period], interval: Interval) -> DataTable {
    let mut t = DataTable::new(
        format!("Series by {}", interval.code()),
        &[
            ("period_start", "#date+start"),
            ("incoming", "#population+incoming"),
            ("outgoing", "#population+outgoing"),
            ("transit", "#population+transit"),
            ("net", "#population+net"),
            ("hours_observed", "#indicator+hours"),
        ],
    );
    for p in periods.iter().chain(std::iter::once(&total(periods))) {
        t.push(vec![
            p.start.map_or_else(|| "total".to_owned(), |d| d.to_string()).into(),
            p.incoming.into(),
            p.outgoing.into(),
            p.transit.into(),
            p.net.into(),
            p.hours.into(),
        ]);
    }
    t
}

pub fn sex_age_table(slots: &[i64], brackets: &AgeBrackets) -> DataTable {
    let mut t = DataTable::new(
        "Sex and age",
        &[
            ("age", "#indicator+age"),
            ("female", "#population+f"),
            ("male", "#population+m"),
            ("total", "#population+total"),
        ],
    );
    for i in 0..brackets.len() {
        let f = slots.get(i).copied().unwrap_or(0);
        let m = slots.get(AgeBrackets::MAX + i).copied().unwrap_or(0);
        t.push(vec![brackets.label(i).into(), f.into(), m.into(), (f + m).into()]);
    }
    t
}

/// FMS indicator tables over `filter`, small counts suppressed.
pub async fn fms_tables(store: &Store, filter: &InterviewFilter) -> Result<Vec<IndicatorTable>, AppError> {
    let answers = store.interview_answers(filter).await?;
    let brackets = store.age_brackets().await?;
    let respondents: Vec<Respondent> = answers
        .iter()
        .map(|(interview, flags)| Respondent { interview, flags })
        .collect();
    Ok(tables(&respondents, &brackets))
}

/// An indicator table as a file table; its rows carry the FMS caveat when written.
pub fn indicator_data_table(table: &IndicatorTable) -> DataTable {
    let mut t = DataTable::new(
        table.code,
        &[
            ("answer", "#indicator+answer"),
            ("respondents", "#population+respondents"),
            ("percent", "#indicator+pct"),
        ],
    );
    for row in &table.rows {
        let count = match row.count {
            Disclosed::Count(n) => Cell::Int(n),
            Disclosed::Suppressed => Cell::Text(format!("<{SMALL_COUNT}")),
        };
        t.push(vec![row.code.clone().into(), count, row.percent.into()]);
    }
    t.push(vec![
        "base".into(),
        match table.base {
            Disclosed::Count(n) => Cell::Int(n),
            Disclosed::Suppressed => Cell::Text(format!("<{SMALL_COUNT}")),
        },
        Cell::Empty,
    ]);
    t
}

/// The caveat every FMS export carries.
pub fn fms_caveat() -> &'static str {
    CAVEAT
}

/// The sex of a `sex_age` slot, for labels.
pub fn slot_sex(slot: usize) -> Sex {
    if slot < AgeBrackets::MAX {
        Sex::Female
    } else {
        Sex::Male
    }
}

/// Writes a table as a download.
pub fn table_download(
    table: &DataTable,
    format: rumbo_io::tables::TableFormat,
    note: Option<&str>,
) -> Result<axum::response::Response, AppError> {
    let mut out = Vec::new();
    rumbo_io::tables::write_table(table, format, note, &mut out).map_err(|e| AppError::Internal(e.to_string()))?;
    let name = format!(
        "{}.{}",
        table
            .name
            .to_lowercase()
            .chars()
            .map(|c| if c.is_ascii_alphanumeric() { c } else { '-' })
            .collect::<String>(),
        format.extension()
    );
    Ok(crate::files::download(out, format.content_type(), Some(&name)))
}
