//! Flow monitoring points: locations of kind `flow_monitoring_point` or `border_crossing`
//! (coordinates and admin areas stay with the location), their profiles round by round, the
//! enumerators assigned to each, and the operation's settings (age brackets).

use std::collections::HashMap;

use rumbo_domain::Vocabulary;
use rumbo_domain::audit::{Actor, AuditAction, Entity};
use rumbo_domain::country::Iso3;
use rumbo_domain::flow::counts::{PointRule, parse_date};
use rumbo_domain::flow::profile::{Profile, ProfileInput};
use rumbo_domain::flow::{AgeBrackets, Direction, Institution, PointType, Service, Weekday, parse_codes};
use rumbo_domain::location::LocationKind;
use serde::Serialize;
use sqlx::Row;
use sqlx::any::AnyRow;

use crate::assignments::Assignments;
use crate::audit::record;
use crate::locations::{Location, LocationQuery};
use crate::{Page, Result, Store, StoreError, now};

/// Counts: observations, groups, the daily rollups and imports.
pub mod counts;
/// Series and breakdowns for dashboards, read from the rollups.
pub mod dashboards;
/// Official border movement figures.
pub mod official;

/// One round of a point's profile, as stored.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ProfileRound {
    pub id: i64,
    pub location_id: i64,
    pub round: i64,
    pub profile: Profile,
    pub recorded_by: Option<i64>,
    pub created_at: String,
}

/// A flow monitoring point: its location and its latest profile (none until one is recorded).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct FlowPoint {
    pub location: Location,
    pub profile: Option<ProfileRound>,
}

/// Location kinds that can be flow monitoring points.
pub const POINT_KINDS: [LocationKind; 2] = [LocationKind::FlowMonitoringPoint, LocationKind::BorderCrossing];

const PROFILE_COLUMNS: &str =
    "id, location_id, round, point_type, movement_types, days, hours_from, hours_to, services,
     institutions, key_informants, active_from, active_until, notes, recorded_by, created_at";

fn profile_from_row(row: &AnyRow) -> Result<ProfileRound> {
    let corrupt = |what: &'static str| {
        move |e: rumbo_domain::DomainError| StoreError::Corrupt {
            what,
            detail: e.to_string(),
        }
    };
    let date = |column: &str| -> Result<Option<time::Date>> {
        row.try_get::<Option<String>, _>(column)?
            .map(|d| {
                parse_date(&d).map_err(|detail| StoreError::Corrupt {
                    what: "profile date",
                    detail,
                })
            })
            .transpose()
    };
    Ok(ProfileRound {
        id: row.try_get("id")?,
        location_id: row.try_get("location_id")?,
        round: row.try_get("round")?,
        profile: Profile {
            point_type: PointType::parse(&row.try_get::<String, _>("point_type")?).map_err(corrupt("point type"))?,
            movement_types: parse_codes::<Direction>(&row.try_get::<String, _>("movement_types")?)
                .map_err(corrupt("movement types"))?,
            days: parse_codes::<Weekday>(&row.try_get::<String, _>("days")?).map_err(corrupt("days"))?,
            hours_from: row.try_get("hours_from")?,
            hours_to: row.try_get("hours_to")?,
            services: parse_codes::<Service>(&row.try_get::<String, _>("services")?).map_err(corrupt("services"))?,
            institutions: parse_codes::<Institution>(&row.try_get::<String, _>("institutions")?)
                .map_err(corrupt("institutions"))?,
            key_informants: row.try_get("key_informants")?,
            active_from: date("active_from")?,
            active_until: date("active_until")?,
            notes: row.try_get("notes")?,
        },
        recorded_by: row.try_get("recorded_by")?,
        created_at: row.try_get("created_at")?,
    })
}

async fn insert_profile(
    conn: &mut sqlx::AnyConnection,
    location_id: i64,
    round: i64,
    profile: &Profile,
    recorded_by: Option<i64>,
) -> Result<()> {
    let date = |d: Option<time::Date>| d.map(|d| d.to_string());
    sqlx::query(
        "INSERT INTO flow_point_profiles (location_id, round, point_type, movement_types, days, hours_from, hours_to,
             services, institutions, key_informants, active_from, active_until, notes, recorded_by, created_at)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15)",
    )
    .bind(location_id)
    .bind(round)
    .bind(profile.point_type.code())
    .bind(rumbo_domain::flow::join_codes(&profile.movement_types))
    .bind(rumbo_domain::flow::join_codes(&profile.days))
    .bind(&profile.hours_from)
    .bind(&profile.hours_to)
    .bind(rumbo_domain::flow::join_codes(&profile.services))
    .bind(rumbo_domain::flow::join_codes(&profile.institutions))
    .bind(&profile.key_informants)
    .bind(date(profile.active_from))
    .bind(date(profile.active_until))
    .bind(&profile.notes)
    .bind(recorded_by)
    .bind(now())
    .execute(conn)
    .await
    .map_err(crate::error::conflict_on_unique(|| {
        "a round of this profile was recorded at the same time".to_owned()
    }))?;
    Ok(())
}

/// The profile's problems as one refusal naming each field.
pub fn profile_problems(problems: Vec<(&'static str, rumbo_domain::DomainError)>) -> StoreError {
    StoreError::Rejected {
        message: format!("{} problem(s) in the profile; nothing was saved", problems.len()),
        problems: problems
            .into_iter()
            .map(|(field, e)| rumbo_domain::Problem::new(field, e))
            .collect(),
    }
}

impl Store {
    /// Flow monitoring points (locations of the point kinds) of `countries` (`None`: all), with
    /// their latest profile.
    pub async fn flow_points(&self, countries: Option<&[Iso3]>, country: Option<Iso3>) -> Result<Vec<FlowPoint>> {
        let mut points = Vec::new();
        for kind in POINT_KINDS {
            let query = LocationQuery {
                country,
                countries: countries.map(<[Iso3]>::to_vec),
                kind: Some(kind),
                ..Default::default()
            };
            let (locations, _) = self
                .locations(
                    &query,
                    Page {
                        limit: i64::MAX,
                        offset: 0,
                    },
                )
                .await?;
            points.extend(locations);
        }
        points.sort_by(|a, b| (a.country, &a.code).cmp(&(b.country, &b.code)));
        let latest = self.latest_profiles().await?;
        Ok(points
            .into_iter()
            .map(|location| FlowPoint {
                profile: latest.get(&location.id).cloned(),
                location,
            })
            .collect())
    }

    /// One flow monitoring point; a location of another kind is not one.
    pub async fn flow_point(&self, location_id: i64) -> Result<FlowPoint> {
        let location = self.location(location_id).await?;
        if !POINT_KINDS.contains(&location.kind) {
            return Err(StoreError::not_found("flow monitoring point", location_id));
        }
        let profile = self.profile_rounds(location_id).await?.into_iter().next_back();
        Ok(FlowPoint { location, profile })
    }

    async fn latest_profiles(&self) -> Result<HashMap<i64, ProfileRound>> {
        let rows = sqlx::query(sqlx::AssertSqlSafe(format!(
            "SELECT {PROFILE_COLUMNS} FROM flow_point_profiles p
             WHERE round = (SELECT MAX(round) FROM flow_point_profiles q WHERE q.location_id = p.location_id)"
        )))
        .fetch_all(&self.pool)
        .await?;
        rows.iter()
            .map(|row| profile_from_row(row).map(|p| (p.location_id, p)))
            .collect()
    }

    /// Every round of a point's profile, oldest first: its history.
    pub async fn profile_rounds(&self, location_id: i64) -> Result<Vec<ProfileRound>> {
        let rows = sqlx::query(sqlx::AssertSqlSafe(format!(
            "SELECT {PROFILE_COLUMNS} FROM flow_point_profiles WHERE location_id = $1 ORDER BY round"
        )))
        .bind(location_id)
        .fetch_all(&self.pool)
        .await?;
        rows.iter().map(profile_from_row).collect()
    }

    /// Records a new round of a point's profile. The earlier rounds stay as they were.
    pub async fn record_profile(&self, actor: &Actor, location_id: i64, input: &ProfileInput) -> Result<ProfileRound> {
        let profile = input.check().map_err(profile_problems)?;
        let point = self.flow_point(location_id).await?;
        let round = point.profile.as_ref().map_or(1, |p| p.round + 1);
        let mut tx = self.pool.begin().await?;
        insert_profile(&mut tx, location_id, round, &profile, actor.user_id)
            .await
            .map_err(|e| match e {
                StoreError::Conflict(_) => StoreError::Conflict(format!(
                    "the profile of {} changed while you edited it; reload and try again",
                    point.location.code
                )),
                other => other,
            })?;
        record(
            &mut tx,
            actor,
            AuditAction::Update,
            Entity::FlowPoint,
            Some(&location_id.to_string()),
            &format!("recorded round {round} of the profile of {}", point.location.code),
        )
        .await?;
        tx.commit().await?;
        self.flow_point(location_id)
            .await?
            .profile
            .ok_or_else(|| StoreError::not_found("profile", location_id))
    }

    /// Records a round of the profile of each point a file lists, all or none: every row's
    /// problems (an unknown point, a bad field) are listed with the row and field.
    pub async fn import_profiles(
        &self,
        actor: &Actor,
        rows: &[(String, String, ProfileInput)],
        source: &str,
    ) -> Result<usize> {
        let points: HashMap<String, PointRule> = self.point_rules().await?;
        let mut problems = Vec::new();
        let mut checked = Vec::new();
        for (place, code, input) in rows {
            let Some(point) = points.get(code) else {
                problems.push(rumbo_domain::Problem::new(
                    format!("{place}, column code"),
                    format!("no flow monitoring point has the code '{code}'"),
                ));
                continue;
            };
            match input.check() {
                Ok(_) => checked.push((point.id, input)),
                Err(list) => {
                    for (field, e) in list {
                        problems.push(rumbo_domain::Problem::new(format!("{place}, column {field}"), e));
                    }
                }
            }
        }
        if !problems.is_empty() {
            return Err(StoreError::Rejected {
                message: format!("{} problem(s) in the profiles; nothing was imported", problems.len()),
                problems,
            });
        }
        let latest = self.latest_profiles().await?;
        let mut tx = self.pool.begin().await?;
        let mut rounds: HashMap<i64, i64> = latest.iter().map(|(id, r)| (*id, r.round)).collect();
        for (id, input) in &checked {
            let profile = input.check().map_err(profile_problems)?;
            let round = rounds.get(id).copied().unwrap_or(0) + 1;
            rounds.insert(*id, round);
            insert_profile(&mut tx, *id, round, &profile, actor.user_id).await?;
        }
        record(
            &mut tx,
            actor,
            AuditAction::Import,
            Entity::FlowPoint,
            None,
            &format!("imported {} point profiles from {source}", checked.len()),
        )
        .await?;
        tx.commit().await?;
        Ok(checked.len())
    }

    /// What checking counts needs to know about every point: id, code, active period.
    pub async fn point_rules(&self) -> Result<HashMap<String, PointRule>> {
        let latest = self.latest_profiles().await?;
        let kinds: Vec<String> = POINT_KINDS.iter().map(|k| format!("'{}'", k.code())).collect();
        let rows = sqlx::query(sqlx::AssertSqlSafe(format!(
            "SELECT id, code FROM locations WHERE kind IN ({}) AND is_active = 1",
            kinds.join(", ")
        )))
        .fetch_all(&self.pool)
        .await?;
        rows.iter()
            .map(|row| {
                let id: i64 = row.try_get("id")?;
                let code: String = row.try_get("code")?;
                let profile = latest.get(&id).map(|p| &p.profile);
                Ok((
                    code.clone(),
                    PointRule {
                        id,
                        code,
                        active_from: profile.and_then(|p| p.active_from),
                        active_until: profile.and_then(|p| p.active_until),
                    },
                ))
            })
            .collect()
    }

    /// The points `user_id` is assigned to.
    pub async fn assigned_points(&self, user_id: i64) -> Result<Vec<i64>> {
        let rows = sqlx::query("SELECT location_id FROM flow_assignments WHERE user_id = $1 ORDER BY location_id")
            .bind(user_id)
            .fetch_all(&self.pool)
            .await?;
        rows.iter().map(|r| Ok(r.try_get("location_id")?)).collect()
    }

    pub async fn is_assigned(&self, user_id: i64, location_id: i64) -> Result<bool> {
        Ok(
            sqlx::query("SELECT 1 AS one FROM flow_assignments WHERE user_id = $1 AND location_id = $2")
                .bind(user_id)
                .bind(location_id)
                .fetch_optional(&self.pool)
                .await?
                .is_some(),
        )
    }

    /// The accounts assigned to a point: (user id, username).
    pub async fn point_assignments(&self, location_id: i64) -> Result<Vec<(i64, String)>> {
        let rows = sqlx::query(
            "SELECT u.id, u.username FROM flow_assignments a JOIN users u ON u.id = a.user_id
             WHERE a.location_id = $1 ORDER BY u.username",
        )
        .bind(location_id)
        .fetch_all(&self.pool)
        .await?;
        rows.iter()
            .map(|r| Ok((r.try_get("id")?, r.try_get("username")?)))
            .collect()
    }

    /// Assigns an account to a point, or takes the assignment away.
    pub async fn set_assignment(&self, actor: &Actor, user_id: i64, location_id: i64, assigned: bool) -> Result<()> {
        let point = self.flow_point(location_id).await?;
        self.user(user_id).await?;
        let mut tx = self.pool.begin().await?;
        let changed = Assignments::FlowPoints
            .set(&mut tx, actor, user_id, location_id, assigned)
            .await?;
        if changed {
            record(
                &mut tx,
                actor,
                if assigned {
                    AuditAction::Create
                } else {
                    AuditAction::Delete
                },
                Entity::FlowAssignment,
                Some(&format!("{user_id}@{location_id}")),
                &format!(
                    "{} user {user_id} {} {}",
                    if assigned { "assigned" } else { "unassigned" },
                    if assigned { "to" } else { "from" },
                    point.location.code
                ),
            )
            .await?;
        }
        tx.commit().await?;
        Ok(())
    }

    /// The operation's age brackets (the default until an IM officer sets them).
    pub async fn age_brackets(&self) -> Result<AgeBrackets> {
        let stored: Option<String> = sqlx::query("SELECT value FROM flow_settings WHERE key = 'age_brackets'")
            .fetch_optional(&self.pool)
            .await?
            .map(|r| r.try_get("value"))
            .transpose()?;
        match stored {
            Some(text) => Ok(AgeBrackets::parse(&text)?),
            None => Ok(AgeBrackets::default()),
        }
    }

    /// Sets the age brackets. Refused once counts are stored: their breakdowns are kept by
    /// bracket, and would no longer mean what they meant.
    pub async fn set_age_brackets(&self, actor: &Actor, brackets: &AgeBrackets) -> Result<()> {
        let mut tx = self.pool.begin().await?;
        let stored = sqlx::query("SELECT 1 AS one FROM flow_group_sets LIMIT 1")
            .fetch_optional(&mut *tx)
            .await?;
        if stored.is_some() && *brackets != self.age_brackets().await? {
            return Err(StoreError::Conflict(
                "counts are already stored with the current age brackets; they cannot change now".into(),
            ));
        }
        sqlx::query(
            "INSERT INTO flow_settings (key, value, updated_at) VALUES ('age_brackets', $1, $2)
             ON CONFLICT (key) DO UPDATE SET value = excluded.value, updated_at = excluded.updated_at",
        )
        .bind(brackets.code())
        .bind(now())
        .execute(&mut *tx)
        .await?;
        record(
            &mut tx,
            actor,
            AuditAction::Update,
            Entity::FlowSettings,
            Some("age_brackets"),
            &format!("set the age brackets to {}", brackets.code()),
        )
        .await?;
        tx.commit().await?;
        Ok(())
    }
}

/// Migration 0010 moves the stored breakdowns of an older database.
#[cfg(test)]
mod breakdown_migration_tests;
