//! Location lists imported whole or not at all, and locations resolved again when their
//! country's boundaries change.

use std::collections::HashMap;

use rumbo_domain::Problem;
use rumbo_domain::audit::{Actor, AuditAction, Entity};
use rumbo_domain::country::Iso3;
use rumbo_domain::geography::AdminIndex;
use sqlx::Row;

use super::{LocationInput, LocationQuery, ValidLocation, insert_location, set_resolution, update_row};
use crate::audit::record;
use crate::{Page, Result, Store, StoreError};

/// One row of a location list: where it is in the file, the location, and the acronym of the
/// organisation that runs it (which replaces `input.organisation_id` when given).
#[derive(Debug, Clone, Default, PartialEq)]
pub struct LocationImportRow {
    pub place: String,
    pub input: LocationInput,
    pub organisation: Option<String>,
}

/// What an import of a location list did.
#[derive(Debug, Clone, Default, PartialEq, Eq, serde::Serialize)]
pub struct LocationImportSummary {
    pub created: usize,
    pub updated: usize,
}

impl Store {
    /// Imports a location list: a row whose code is new creates a location, a row whose code
    /// exists replaces that location's fields (the file is the truth for the rows it lists).
    /// All rows or none: every problem is listed with its row and column, and nothing is
    /// stored while there is one.
    pub async fn import_location_rows(
        &self,
        actor: &Actor,
        rows: &[LocationImportRow],
        source: &str,
    ) -> Result<LocationImportSummary> {
        let organisations = self.organisation_acronyms().await?;
        let mut problems = Vec::new();
        let mut valid: Vec<(&str, ValidLocation)> = Vec::with_capacity(rows.len());
        let mut codes: HashMap<String, &str> = HashMap::new();
        for row in rows {
            let mut input = row.input.clone();
            if let Some(acronym) = row.organisation.as_deref().map(str::trim).filter(|a| !a.is_empty()) {
                match organisations.get(&acronym.to_lowercase()) {
                    Some(id) => input.organisation_id = Some(*id),
                    None => problems.push(Problem::new(
                        format!("{}, column organisation", row.place),
                        format!("no organisation has the acronym '{acronym}'"),
                    )),
                }
            }
            let field_problems = input.field_problems();
            if !field_problems.is_empty() {
                for (field, problem) in field_problems {
                    problems.push(Problem::new(format!("{}, column {field}", row.place), problem));
                }
                continue;
            }
            match input.validate() {
                Ok(location) => {
                    if let Some(first) = codes.insert(location.code.clone(), &row.place) {
                        problems.push(Problem::new(
                            format!("{}, column code", row.place),
                            format!("code {} is already used at {first}", location.code),
                        ));
                    }
                    valid.push((&row.place, location));
                }
                Err(e) => problems.push(Problem::new(row.place.clone(), e)),
            }
        }
        if !problems.is_empty() {
            return Err(StoreError::Rejected {
                message: format!("{} problem(s) in the locations; nothing was imported", problems.len()),
                problems,
            });
        }

        let existing = self.location_ids_by_code().await?;
        let mut countries: Vec<Iso3> = valid.iter().map(|(_, l)| l.country).collect();
        countries.sort();
        countries.dedup();
        let mut indexes: HashMap<Iso3, AdminIndex> = HashMap::new();
        for country in countries {
            indexes.insert(country, self.admin_index(Some(country)).await?);
        }
        let mut summary = LocationImportSummary::default();
        let mut tx = self.pool.begin().await?;
        for (place, location) in &valid {
            let index = indexes
                .get(&location.country)
                .ok_or_else(|| StoreError::not_found("country", location.country))?;
            let stored = match existing.get(&location.code) {
                Some(&(id, _)) => {
                    summary.updated += 1;
                    let resolution = index.resolve(location.position, Some(location.country));
                    update_row(&mut tx, id, location, &resolution).await
                }
                None => {
                    summary.created += 1;
                    insert_location(&mut tx, location, index).await.map(|_| ())
                }
            };
            stored.map_err(|e| StoreError::Rejected {
                message: format!("{place}: {e}; nothing was imported"),
                problems: vec![Problem::new((*place).to_owned(), e)],
            })?;
        }
        record(
            &mut tx,
            actor,
            AuditAction::Import,
            Entity::Location,
            None,
            &format!(
                "imported {} locations from {source}: {} new, {} replaced",
                valid.len(),
                summary.created,
                summary.updated
            ),
        )
        .await?;
        tx.commit().await?;
        Ok(summary)
    }

    /// The id and country of every location, by code: which rows of an import replace a
    /// location, and in which country (the importer must be allowed to manage it there too).
    pub async fn location_ids_by_code(&self) -> Result<HashMap<String, (i64, Iso3)>> {
        let rows = sqlx::query("SELECT id, code, country_iso3 FROM locations")
            .fetch_all(&self.pool)
            .await?;
        rows.iter()
            .map(|row| {
                Ok((
                    row.try_get("code")?,
                    (
                        row.try_get("id")?,
                        Iso3::parse(&row.try_get::<String, _>("country_iso3")?)?,
                    ),
                ))
            })
            .collect()
    }

    /// Organisation ids by lower-case acronym.
    async fn organisation_acronyms(&self) -> Result<HashMap<String, i64>> {
        let rows = sqlx::query("SELECT id, acronym FROM organisations")
            .fetch_all(&self.pool)
            .await?;
        rows.iter()
            .map(|row| Ok((row.try_get::<String, _>("acronym")?.to_lowercase(), row.try_get("id")?)))
            .collect()
    }

    /// Adds many locations in one transaction: all of them, or none when any row has a
    /// problem. `inputs` pairs each location with where it came from (such as `row 12`).
    pub async fn import_locations(
        &self,
        actor: &Actor,
        inputs: &[(String, LocationInput)],
        source: &str,
    ) -> Result<usize> {
        let mut problems = Vec::new();
        let mut valid = Vec::new();
        let mut codes: HashMap<String, &str> = HashMap::new();
        for (place, input) in inputs {
            match input.validate() {
                Ok(location) => {
                    if let Some(first) = codes.insert(location.code.clone(), place) {
                        problems.push(Problem::new(
                            place.clone(),
                            format!("code {} is already used at {first}", location.code),
                        ));
                    }
                    valid.push((place, location));
                }
                Err(e) => problems.push(Problem::new(place.clone(), e)),
            }
        }
        if !problems.is_empty() {
            return Err(StoreError::Rejected {
                message: format!("{} problem(s) in the locations; nothing was imported", problems.len()),
                problems,
            });
        }
        let mut countries: Vec<Iso3> = valid.iter().map(|(_, l)| l.country).collect();
        countries.sort();
        countries.dedup();
        let mut indexes: HashMap<Iso3, AdminIndex> = HashMap::new();
        for country in countries {
            indexes.insert(country, self.admin_index(Some(country)).await?);
        }
        let mut tx = self.pool.begin().await?;
        for (place, location) in &valid {
            let index = indexes
                .get(&location.country)
                .ok_or_else(|| StoreError::not_found("country", location.country))?;
            insert_location(&mut tx, location, index)
                .await
                .map_err(|e| StoreError::Rejected {
                    message: format!("{place}: {e}; nothing was imported"),
                    problems: vec![Problem::new((*place).clone(), e)],
                })?;
        }
        record(
            &mut tx,
            actor,
            AuditAction::Import,
            Entity::Location,
            None,
            &format!("imported {} locations from {source}", valid.len()),
        )
        .await?;
        tx.commit().await?;
        Ok(valid.len())
    }

    /// Resolves every location of `country` again against the stored boundaries. Returns how
    /// many changed.
    pub async fn resolve_locations(&self, actor: &Actor, country: Iso3) -> Result<usize> {
        let index = self.admin_index(Some(country)).await?;
        let (locations, _) = self
            .locations(
                &LocationQuery {
                    country: Some(country),
                    include_inactive: true,
                    ..Default::default()
                },
                Page {
                    limit: i64::MAX,
                    offset: 0,
                },
            )
            .await?;
        let mut tx = self.pool.begin().await?;
        let mut changed = 0;
        for location in &locations {
            let r = index.resolve(location.position, Some(country));
            if (r.adm1.as_ref(), r.adm2.as_ref(), r.adm3.as_ref())
                != (location.adm1.as_ref(), location.adm2.as_ref(), location.adm3.as_ref())
            {
                set_resolution(&mut tx, location.id, &r).await?;
                changed += 1;
            }
        }
        if changed > 0 {
            record(
                &mut tx,
                actor,
                AuditAction::Update,
                Entity::Location,
                None,
                &format!("resolved {changed} locations of {country} against new boundaries"),
            )
            .await?;
        }
        tx.commit().await?;
        Ok(changed)
    }
}
