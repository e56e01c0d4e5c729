//! The statements of a count import: observations (their ids back), groups and the additive
//! upserts of the daily rollups, each as multi-row INSERTs under both databases' parameter limits.

use std::collections::HashMap;

use rumbo_domain::Vocabulary;
use rumbo_domain::flow::counts::{ObservationKey, Rollup};
use rumbo_domain::flow::{AgeBrackets, Direction};
use sqlx::any::AnyArguments;
use sqlx::{AnyConnection, Arguments, Row};

use super::MAX_PARAMS;
use crate::dialect::values_list;
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
                date: rumbo_domain::flow::counts::parse_date(&row.try_get::<String, _>("obs_date")?).map_err(
                    |detail| StoreError::Corrupt {
                        what: "observation date",
                        detail,
                    },
                )?,
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

/// Adds `rollup` to the stored daily rollups (negative totals take away).
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
    let dimensions: Vec<_> = rollup.breakdown_totals().collect();
    let mut day_text: Option<(time::Date, String)> = None;
    for batch in dimensions.chunks(MAX_PARAMS / 6) {
        let sql = format!(
            "INSERT INTO flow_daily_breakdown (location_id, dimension, day, direction, value, people) VALUES {}
             ON CONFLICT (location_id, dimension, day, direction, value)
             DO UPDATE SET people = flow_daily_breakdown.people + excluded.people",
            values_list(backend, batch.len(), 6)
        );
        let mut args = AnyArguments::default();
        args.reserve(batch.len() * 6, 0);
        for ((point, day, direction), dimension, value, people) in batch {
            // A day has dozens of breakdown values: its text is formatted once, not for each.
            if day_text.as_ref().is_none_or(|(d, _)| d != day) {
                day_text = Some((*day, day.to_string()));
            }
            add(&mut args, *point);
            add(&mut args, dimension.code());
            add(&mut args, day_text.as_ref().map_or("", |(_, text)| text.as_str()));
            add(&mut args, direction.code());
            add(&mut args, *value);
            add(&mut args, *people);
        }
        sqlx::query_with(dynamic(sql), args).execute(&mut *conn).await?;
    }
    Ok(())
}
