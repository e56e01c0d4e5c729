//! The statements of a count import: observations (their ids back), groups and the additive
//! upserts of the daily rollups, each as multi-row INSERTs under both databases' parameter limits.

use std::collections::{BTreeMap, HashMap};

use rumbo_domain::Vocabulary;
use rumbo_domain::flow::counts::{DayKey, Dimension, ObservationKey, Rollup, parse_date};
use rumbo_domain::flow::{AgeBrackets, Direction, daily_values};
use sqlx::any::AnyArguments;
use sqlx::{AnyConnection, Arguments, Row};
use time::Date;

use super::MAX_PARAMS;
use crate::dialect::{placeholder, values_list};
use crate::query::dynamic;
use crate::{Backend, Result, StoreError, now};

/// Adding i64, Option and String values to AnyArguments cannot fail: all are Any-native.
fn add<'t, T>(args: &mut AnyArguments, value: T)
where
    T: sqlx::Encode<'t, sqlx::Any> + sqlx::Type<sqlx::Any>,
{
    let _ = args.add(value);
}

/// Inserts observations; returns the ids of those created (an existing one is skipped by the
/// unique key and missing from the map).
pub(super) async fn insert_observations(
    conn: &mut AnyConnection,
    backend: Backend,
    keys: &[ObservationKey],
    recorded_by: Option<i64>,
) -> Result<HashMap<ObservationKey, i64>> {
    const WIDTH: usize = 7;
    let mut created = HashMap::with_capacity(keys.len());
    let at = now();
    for batch in keys.chunks(MAX_PARAMS / WIDTH) {
        let sql = format!(
            "INSERT INTO flow_observations (location_id, obs_date, start_minute, hours, direction, recorded_by, created_at)
             VALUES {} ON CONFLICT (location_id, obs_date, start_minute, hours, direction) DO NOTHING
             RETURNING id, location_id, obs_date, start_minute, hours, direction",
            values_list(backend, batch.len(), WIDTH)
        );
        let mut args = AnyArguments::default();
        args.reserve(batch.len() * WIDTH, 0);
        for k in batch {
            add(&mut args, k.fmp_id);
            add(&mut args, k.date.to_string());
            add(&mut args, k.start_minute.map_or(-1, i64::from));
            add(&mut args, i64::from(k.hours));
            add(&mut args, k.direction.code());
            add(&mut args, recorded_by);
            add(&mut args, at.clone());
        }
        let rows = sqlx::query_with(dynamic(sql), args).fetch_all(&mut *conn).await?;
        for row in rows {
            let start: i64 = row.try_get("start_minute")?;
            let key = ObservationKey {
                fmp_id: row.try_get("location_id")?,
                date: parse_date(&row.try_get::<String, _>("obs_date")?).map_err(|detail| StoreError::Corrupt {
                    what: "observation date",
                    detail,
                })?,
                start_minute: (start >= 0).then_some(start as u16),
                hours: row.try_get::<i64, _>("hours")? as u8,
                direction: Direction::parse(&row.try_get::<String, _>("direction")?)?,
            };
            created.insert(key, row.try_get("id")?);
        }
    }
    Ok(created)
}

/// The sex and age columns in use: f0.., then m0.. (as many as there are brackets).
fn slot_columns(brackets: &AgeBrackets) -> Vec<(String, usize)> {
    let n = brackets.len();
    (0..n)
        .map(|i| (format!("f{i}"), i))
        .chain((0..n).map(|i| (format!("m{i}"), AgeBrackets::MAX + i)))
        .collect()
}

/// The groups of one observation written by one chunk, in their stored form.
pub(super) struct GroupSet {
    pub observation_id: i64,
    pub groups: i64,
    pub people: i64,
    pub text: String,
}

/// Inserts the groups of a chunk, one row per observation (see `rumbo_domain::flow::compact`).
pub(super) async fn insert_group_sets(conn: &mut AnyConnection, backend: Backend, sets: &[GroupSet]) -> Result<()> {
    const WIDTH: usize = 4;
    for batch in sets.chunks(MAX_PARAMS / WIDTH) {
        let sql = format!(
            "INSERT INTO flow_group_sets (observation_id, group_count, people, groups) VALUES {}",
            values_list(backend, batch.len(), WIDTH)
        );
        let mut args = AnyArguments::default();
        args.reserve(batch.len() * WIDTH, 0);
        for set in batch {
            add(&mut args, set.observation_id);
            add(&mut args, set.groups);
            add(&mut args, set.people);
            add(&mut args, set.text.as_str());
        }
        sqlx::query_with(dynamic(sql), args).execute(&mut *conn).await?;
    }
    Ok(())
}

/// Adds `rollup` to the stored daily rollups (negative totals take away). The only writer of
/// the rollups: a deletion adds the negated rollup of what it removes.
pub(super) async fn add_rollup(
    conn: &mut AnyConnection,
    backend: Backend,
    rollup: &Rollup,
    brackets: &AgeBrackets,
) -> Result<()> {
    let slots = slot_columns(brackets);
    let width = 7 + slots.len();
    let names: Vec<&str> = slots.iter().map(|(n, _)| n.as_str()).collect();
    let updates: Vec<String> = ["observations", "hours", "group_count", "people"]
        .iter()
        .copied()
        .chain(names.iter().copied())
        .map(|c| format!("{c} = flow_daily.{c} + excluded.{c}"))
        .collect();
    let daily: Vec<_> = rollup.daily.iter().collect();
    for batch in daily.chunks(MAX_PARAMS / width) {
        let sql = format!(
            "INSERT INTO flow_daily (location_id, day, direction, observations, hours, group_count, people, {})
             VALUES {} ON CONFLICT (location_id, day, direction) DO UPDATE SET {}",
            names.join(", "),
            values_list(backend, batch.len(), width),
            updates.join(", ")
        );
        let mut args = AnyArguments::default();
        args.reserve(batch.len() * width, 0);
        for ((point, day, direction), total) in batch {
            add(&mut args, *point);
            add(&mut args, day.to_string());
            add(&mut args, direction.code());
            add(&mut args, total.observations);
            add(&mut args, total.hours);
            add(&mut args, total.groups);
            add(&mut args, total.people);
            for (_, slot) in &slots {
                add(&mut args, total.slots[*slot]);
            }
        }
        sqlx::query_with(dynamic(sql), args).execute(&mut *conn).await?;
    }
    // After `flow_daily`, never before: the breakdowns are read, merged here and written whole,
    // and the row locks the upserts above took on the same point × day × direction keys hold a
    // concurrent writer until this transaction commits, so it reads what this one wrote instead
    // of losing it (PostgreSQL; SQLite has one writer). The racing-imports store test fails if
    // the order is swapped.
    add_breakdowns(conn, backend, rollup).await
}

/// The key of a stored breakdown: point, day, direction and breakdown.
type BreakdownKey = (DayKey, Dimension);

/// Adds the rollup's breakdowns to `flow_daily_values` (see `rumbo_domain::flow::daily_values`):
/// the stored values of the keys it touches are read back, merged here and written whole; a key
/// left with no values is deleted. An import into days not yet counted reads back nothing.
async fn add_breakdowns(conn: &mut AnyConnection, backend: Backend, rollup: &Rollup) -> Result<()> {
    if rollup.dimensions.is_empty() {
        return Ok(());
    }
    let mut stored = stored_breakdowns(conn, backend, rollup).await?;
    let mut upserts: Vec<(&BreakdownKey, String)> = Vec::with_capacity(rollup.dimensions.len());
    let mut deletes: Vec<&BreakdownKey> = Vec::new();
    for (key, more) in &rollup.dimensions {
        match stored.remove(key) {
            Some(mut values) => {
                daily_values::merge(&mut values, more);
                if values.is_empty() {
                    deletes.push(key);
                } else {
                    upserts.push((key, daily_values::encode(&values)));
                }
            }
            // Nothing stored yet (an import into new days): the rollup's values are the row,
            // encoded as they are (`encode` leaves out values of zero people).
            None => {
                if more.values().any(|people| *people != 0) {
                    upserts.push((key, daily_values::encode(more)));
                }
            }
        }
    }
    const WIDTH: usize = 5;
    let mut day_text: Option<(Date, String)> = None;
    for batch in upserts.chunks(MAX_PARAMS / WIDTH) {
        let sql = format!(
            "INSERT INTO flow_daily_values (location_id, dimension, day, direction, vals) VALUES {}
             ON CONFLICT (location_id, dimension, day, direction) DO UPDATE SET vals = excluded.vals",
            values_list(backend, batch.len(), WIDTH)
        );
        let mut args = AnyArguments::default();
        args.reserve(batch.len() * WIDTH, 0);
        for (((point, day, direction), dimension), vals) in batch {
            // Keys come in day order within a point: a day's text is formatted once, not for each.
            if day_text.as_ref().is_none_or(|(d, _)| d != day) {
                day_text = Some((*day, day.to_string()));
            }
            add(&mut args, *point);
            add(&mut args, dimension.code());
            add(&mut args, day_text.as_ref().map_or("", |(_, text)| text.as_str()));
            add(&mut args, direction.code());
            add(&mut args, vals.as_str());
        }
        sqlx::query_with(dynamic(sql), args).execute(&mut *conn).await?;
    }
    for batch in deletes.chunks(MAX_PARAMS / 4) {
        let mut args = AnyArguments::default();
        let keys: Vec<String> = batch
            .iter()
            .enumerate()
            .map(|(i, ((point, day, direction), dimension))| {
                add(&mut args, *point);
                add(&mut args, dimension.code());
                add(&mut args, day.to_string());
                add(&mut args, direction.code());
                let p = |k: usize| placeholder(backend, 4 * i + k);
                format!(
                    "(location_id = {} AND dimension = {} AND day = {} AND direction = {})",
                    p(1),
                    p(2),
                    p(3),
                    p(4)
                )
            })
            .collect();
        let sql = format!("DELETE FROM flow_daily_values WHERE {}", keys.join(" OR "));
        sqlx::query_with(dynamic(sql), args).execute(&mut *conn).await?;
    }
    Ok(())
}

/// The stored breakdowns of the points the rollup touches, over the days it touches at each:
/// one query per some thousands of points.
async fn stored_breakdowns(
    conn: &mut AnyConnection,
    backend: Backend,
    rollup: &Rollup,
) -> Result<HashMap<BreakdownKey, daily_values::Values>> {
    let mut ranges: BTreeMap<i64, (Date, Date)> = BTreeMap::new();
    for ((point, day, _), _) in rollup.dimensions.keys() {
        let range = ranges.entry(*point).or_insert((*day, *day));
        range.0 = range.0.min(*day);
        range.1 = range.1.max(*day);
    }
    let ranges: Vec<_> = ranges.into_iter().collect();
    let mut stored = HashMap::new();
    for batch in ranges.chunks(MAX_PARAMS / 3) {
        let mut args = AnyArguments::default();
        let conditions: Vec<String> = batch
            .iter()
            .enumerate()
            .map(|(i, (point, (from, until)))| {
                add(&mut args, *point);
                add(&mut args, from.to_string());
                add(&mut args, until.to_string());
                let p = |k: usize| placeholder(backend, 3 * i + k);
                format!("(location_id = {} AND day >= {} AND day <= {})", p(1), p(2), p(3))
            })
            .collect();
        let sql = format!(
            "SELECT location_id, dimension, day, direction, vals FROM flow_daily_values WHERE {}",
            conditions.join(" OR ")
        );
        let rows = sqlx::query_with(dynamic(sql), args).fetch_all(&mut *conn).await?;
        for row in rows {
            let day = parse_date(&row.try_get::<String, _>("day")?).map_err(|detail| StoreError::Corrupt {
                what: "rollup day",
                detail,
            })?;
            let key = (
                (
                    row.try_get("location_id")?,
                    day,
                    Direction::parse(&row.try_get::<String, _>("direction")?)?,
                ),
                Dimension::parse(&row.try_get::<String, _>("dimension")?)?,
            );
            stored.insert(key, decode_values(&row.try_get::<String, _>("vals")?)?);
        }
    }
    Ok(stored)
}

/// The values of a stored breakdown; text that `daily_values::encode` did not write is corrupt.
pub(crate) fn decode_values(text: &str) -> Result<daily_values::Values> {
    daily_values::decode(text).map_err(|e| StoreError::Corrupt {
        what: "breakdown values",
        detail: e.to_string(),
    })
}
