//! Locations: flow monitoring points, border crossings, sites, support spaces, service points
//! and registration desks. Each is resolved to the admin areas that contain it whenever it is
//! saved, and again whenever its country's boundaries change.

use rumbo_domain::audit::{Actor, AuditAction, Entity};
use rumbo_domain::country::{Iso3, known_countries};
use rumbo_domain::error::{optional_text, required_text};
use rumbo_domain::geography::{AdminIndex, Pcode, Position, Resolution};
use rumbo_domain::location::{LocationKind, parse_location_code};
use rumbo_domain::{DomainError, Vocabulary};
use serde::Serialize;
use sqlx::any::AnyRow;
use sqlx::{AnyConnection, Row};

use crate::audit::{Changes, record};
use crate::dialect::{ilike, like_pattern};
use crate::query::{Filter, dynamic};
use crate::{Page, Result, Store, StoreError, now};

/// Imports of location lists, and resolving locations again when boundaries change.
mod import;

pub use import::{LocationImportRow, LocationImportSummary};

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Location {
    pub id: i64,
    pub code: String,
    pub name: String,
    pub kind: LocationKind,
    pub country: Iso3,
    pub position: Position,
    pub adm1: Option<Pcode>,
    pub adm2: Option<Pcode>,
    pub adm3: Option<Pcode>,
    pub organisation_id: Option<i64>,
    pub organisation: Option<String>,
    pub notes: Option<String>,
    pub is_active: bool,
    pub created_at: String,
    pub updated_at: String,
}

/// A location as a form, an API call or a CSV row gives it, before it is checked.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct LocationInput {
    pub code: String,
    pub name: String,
    pub kind: String,
    pub country: String,
    pub lat: f64,
    pub lon: f64,
    pub organisation_id: Option<i64>,
    pub notes: Option<String>,
    pub is_active: bool,
}

struct ValidLocation {
    code: String,
    name: String,
    kind: LocationKind,
    country: Iso3,
    position: Position,
    organisation_id: Option<i64>,
    notes: Option<String>,
    is_active: bool,
}

impl LocationInput {
    fn validate(&self) -> Result<ValidLocation, DomainError> {
        if let Some((_, problem)) = self.field_problems().into_iter().next() {
            return Err(problem);
        }
        Ok(ValidLocation {
            code: parse_location_code(&self.code)?,
            name: required_text("name", &self.name, 200)?,
            kind: LocationKind::parse(&self.kind)?,
            country: known_country(&self.country)?,
            position: Position::new(self.lon, self.lat)?,
            organisation_id: self.organisation_id,
            notes: optional_text("notes", self.notes.as_deref(), 2000)?,
            is_active: self.is_active,
        })
    }

    /// Every problem with the input, each with the field it is in (`code`, `name`, `kind`,
    /// `country`, `lat`, `lon`, `notes`), so that a form can show each beside its field.
    pub fn field_problems(&self) -> Vec<(&'static str, DomainError)> {
        let mut problems = Vec::new();
        if let Err(e) = parse_location_code(&self.code) {
            problems.push(("code", e));
        }
        if let Err(e) = required_text("name", &self.name, 200) {
            problems.push(("name", e));
        }
        if let Err(e) = LocationKind::parse(&self.kind) {
            problems.push(("kind", e));
        }
        if let Err(e) = known_country(&self.country) {
            problems.push(("country", e));
        }
        if !(self.lat.is_finite() && (-90.0..=90.0).contains(&self.lat)) {
            problems.push((
                "lat",
                DomainError::Invalid(format!("{} is not a latitude on Earth (between -90 and 90)", self.lat)),
            ));
        }
        if !(self.lon.is_finite() && (-180.0..=180.0).contains(&self.lon)) {
            problems.push((
                "lon",
                DomainError::Invalid(format!(
                    "{} is not a longitude on Earth (between -180 and 180)",
                    self.lon
                )),
            ));
        }
        if let Err(e) = optional_text("notes", self.notes.as_deref(), 2000) {
            problems.push(("notes", e));
        }
        problems
    }
}

/// A country Rumbo knows: a well-formed code of an unknown country would otherwise reach the
/// database and fail there as a foreign key.
fn known_country(raw: &str) -> Result<Iso3, DomainError> {
    let iso3 = Iso3::parse(raw)?;
    if known_countries().iter().any(|c| c.iso3 == iso3) {
        Ok(iso3)
    } else {
        Err(DomainError::Invalid(format!("{iso3} is not a country Rumbo knows")))
    }
}

#[derive(Debug, Clone, Default)]
pub struct LocationQuery {
    pub country: Option<Iso3>,
    /// Only these countries (the countries a user works in); `None` for all.
    pub countries: Option<Vec<Iso3>>,
    pub kind: Option<LocationKind>,
    /// Locations inside this admin area, at any level.
    pub admin_area: Option<Pcode>,
    pub organisation_id: Option<i64>,
    pub search: Option<String>,
    pub include_inactive: bool,
}

const LOCATION_COLUMNS: &str = "l.id, l.code, l.name, l.kind, l.country_iso3, l.lon, l.lat, l.adm1_pcode, l.adm2_pcode,
     l.adm3_pcode, l.organisation_id, o.acronym AS organisation, l.notes, l.is_active, l.created_at, l.updated_at";

fn location_from_row(row: &AnyRow) -> Result<Location> {
    let pcode = |column: &str| -> Result<Option<Pcode>> {
        Ok(row
            .try_get::<Option<String>, _>(column)?
            .as_deref()
            .map(Pcode::parse)
            .transpose()?)
    };
    Ok(Location {
        id: row.try_get("id")?,
        code: row.try_get("code")?,
        name: row.try_get("name")?,
        kind: LocationKind::parse(&row.try_get::<String, _>("kind")?)?,
        country: Iso3::parse(&row.try_get::<String, _>("country_iso3")?)?,
        position: Position::new(row.try_get("lon")?, row.try_get("lat")?)?,
        adm1: pcode("adm1_pcode")?,
        adm2: pcode("adm2_pcode")?,
        adm3: pcode("adm3_pcode")?,
        organisation_id: row.try_get("organisation_id")?,
        organisation: row.try_get("organisation")?,
        notes: row.try_get("notes")?,
        is_active: row.try_get::<i64, _>("is_active")? != 0,
        created_at: row.try_get("created_at")?,
        updated_at: row.try_get("updated_at")?,
    })
}

fn unknown_organisation(organisation: Option<i64>) -> impl FnOnce(sqlx::Error) -> StoreError {
    move |e| match &e {
        sqlx::Error::Database(db) if db.is_foreign_key_violation() => {
            StoreError::not_found("organisation", organisation.map(|o| o.to_string()).unwrap_or_default())
        }
        _ => StoreError::Database(e),
    }
}

impl Store {
    pub async fn location(&self, id: i64) -> Result<Location> {
        let row = sqlx::query(dynamic(format!(
            "SELECT {LOCATION_COLUMNS} FROM locations l LEFT JOIN organisations o ON o.id = l.organisation_id WHERE l.id = $1"
        )))
        .bind(id)
        .fetch_optional(&self.pool)
        .await?
        .ok_or_else(|| StoreError::not_found("location", id))?;
        location_from_row(&row)
    }

    pub async fn location_by_code(&self, code: &str) -> Result<Location> {
        let code = parse_location_code(code)?;
        let id: i64 = sqlx::query("SELECT id FROM locations WHERE code = $1")
            .bind(&code)
            .fetch_optional(&self.pool)
            .await?
            .ok_or_else(|| StoreError::not_found("location", &code))?
            .try_get("id")?;
        self.location(id).await
    }

    pub async fn locations(&self, query: &LocationQuery, page: Page) -> Result<(Vec<Location>, i64)> {
        let mut filter = Filter::default();
        if let Some(country) = query.country {
            filter.push("l.country_iso3 = $", country.to_string());
        }
        if let Some(countries) = &query.countries {
            let list: Vec<String> = countries.iter().map(|c| filter.bind(c.to_string())).collect();
            let list = if list.is_empty() {
                "NULL".to_owned()
            } else {
                list.join(", ")
            };
            filter.push_fixed(&format!("l.country_iso3 IN ({list})"));
        }
        if let Some(kind) = query.kind {
            filter.push("l.kind = $", kind.code());
        }
        if let Some(area) = &query.admin_area {
            let p = filter.bind(area.as_str());
            filter.push_fixed(&format!(
                "(l.adm1_pcode = {p} OR l.adm2_pcode = {p} OR l.adm3_pcode = {p})"
            ));
        }
        if let Some(org) = query.organisation_id {
            filter.push("l.organisation_id = $", org);
        }
        if let Some(search) = query.search.as_deref().map(str::trim).filter(|s| !s.is_empty()) {
            let op = ilike(self.backend);
            let p = filter.bind(like_pattern(search));
            filter.push_fixed(&format!("(l.code {op} {p} ESCAPE '\\' OR l.name {op} {p} ESCAPE '\\')"));
        }
        if !query.include_inactive {
            filter.push_fixed("l.is_active = 1");
        }
        let clause = filter.where_clause();
        let total: i64 = sqlx::query_with(
            dynamic(format!("SELECT COUNT(*) AS n FROM locations l{clause}")),
            filter.args(),
        )
        .fetch_one(&self.pool)
        .await?
        .try_get("n")?;
        let sql = format!(
            "SELECT {LOCATION_COLUMNS} FROM locations l LEFT JOIN organisations o ON o.id = l.organisation_id{clause}
             ORDER BY l.country_iso3, l.code{}",
            filter.limit(page)
        );
        let rows = sqlx::query_with(dynamic(sql), filter.into_args())
            .fetch_all(&self.pool)
            .await?;
        Ok((rows.iter().map(location_from_row).collect::<Result<_>>()?, total))
    }

    pub async fn create_location(&self, actor: &Actor, input: &LocationInput) -> Result<Location> {
        let location = input.validate()?;
        let index = self.admin_index(Some(location.country)).await?;
        let mut tx = self.pool.begin().await?;
        let id = insert_location(&mut tx, &location, &index).await?;
        record(
            &mut tx,
            actor,
            AuditAction::Create,
            Entity::Location,
            Some(&id.to_string()),
            &format!("created location {}", location.code),
        )
        .await?;
        tx.commit().await?;
        self.location(id).await
    }

    pub async fn update_location(&self, actor: &Actor, id: i64, input: &LocationInput) -> Result<Location> {
        let location = input.validate()?;
        let before = self.location(id).await?;
        let index = self.admin_index(Some(location.country)).await?;
        let resolution = index.resolve(location.position, Some(location.country));
        let mut tx = self.pool.begin().await?;
        update_row(&mut tx, id, &location, &resolution).await?;
        let summary = Changes::default()
            .field("code", &before.code, &location.code)
            .field("name", &before.name, &location.name)
            .field("type", &before.kind, &location.kind)
            .field("country", &before.country, &location.country)
            .field("position", &before.position, &location.position)
            .field("organisation", &before.organisation_id, &location.organisation_id)
            .field("notes", &before.notes, &location.notes)
            .field("active", &before.is_active, &location.is_active)
            .summary();
        record(
            &mut tx,
            actor,
            AuditAction::Update,
            Entity::Location,
            Some(&id.to_string()),
            &summary,
        )
        .await?;
        tx.commit().await?;
        self.location(id).await
    }

    /// Retires a location, or brings it back. Retired locations keep their code and history
    /// and stay out of lists and maps; this, not deletion, is how a location ends.
    pub async fn set_location_active(&self, actor: &Actor, id: i64, active: bool) -> Result<Location> {
        let before = self.location(id).await?;
        let mut tx = self.pool.begin().await?;
        sqlx::query("UPDATE locations SET is_active = $1, updated_at = $2 WHERE id = $3")
            .bind(i64::from(active))
            .bind(now())
            .bind(id)
            .execute(&mut *tx)
            .await?;
        let summary = match (before.is_active, active) {
            (true, false) => "deactivated",
            (false, true) => "reactivated",
            _ => "saved without changes",
        };
        record(
            &mut tx,
            actor,
            AuditAction::Update,
            Entity::Location,
            Some(&id.to_string()),
            summary,
        )
        .await?;
        tx.commit().await?;
        self.location(id).await
    }

    /// Deletes a location created by mistake. Only a deactivated location may go, and only
    /// while nothing refers to it (counts, registrations and surveys will): otherwise it stays
    /// deactivated, so that the data collected there keeps its place.
    pub async fn delete_location(&self, actor: &Actor, id: i64) -> Result<()> {
        let location = self.location(id).await?;
        if location.is_active {
            return Err(StoreError::Conflict(format!(
                "location {} is active: deactivate it first; only a deactivated location can be deleted",
                location.code
            )));
        }
        let mut tx = self.pool.begin().await?;
        sqlx::query("DELETE FROM locations WHERE id = $1")
            .bind(id)
            .execute(&mut *tx)
            .await
            .map_err(|e| match &e {
                sqlx::Error::Database(db) if db.is_foreign_key_violation() => StoreError::Conflict(format!(
                    "location {} is referred to by other records; it stays deactivated",
                    location.code
                )),
                _ => StoreError::Database(e),
            })?;
        record(
            &mut tx,
            actor,
            AuditAction::Delete,
            Entity::Location,
            Some(&id.to_string()),
            &format!("deleted location {}", location.code),
        )
        .await?;
        tx.commit().await?;
        Ok(())
    }
}

/// Replaces every field of location `id`, with its admin areas resolved again.
async fn update_row(
    conn: &mut AnyConnection,
    id: i64,
    location: &ValidLocation,
    resolution: &Resolution,
) -> Result<()> {
    sqlx::query(
        "UPDATE locations SET code = $1, name = $2, kind = $3, country_iso3 = $4, lon = $5, lat = $6, adm1_pcode = $7,
             adm2_pcode = $8, adm3_pcode = $9, organisation_id = $10, notes = $11, is_active = $12, updated_at = $13
         WHERE id = $14",
    )
    .bind(&location.code)
    .bind(&location.name)
    .bind(location.kind.code())
    .bind(location.country.to_string())
    .bind(location.position.lon)
    .bind(location.position.lat)
    .bind(resolution.adm1.as_ref().map(|p| p.as_str()))
    .bind(resolution.adm2.as_ref().map(|p| p.as_str()))
    .bind(resolution.adm3.as_ref().map(|p| p.as_str()))
    .bind(location.organisation_id)
    .bind(&location.notes)
    .bind(i64::from(location.is_active))
    .bind(now())
    .bind(id)
    .execute(conn)
    .await
    .map_err(|e| match &e {
        sqlx::Error::Database(db) if db.is_unique_violation() => {
            StoreError::Conflict(format!("a location with the code {} already exists", location.code))
        }
        _ => unknown_organisation(location.organisation_id)(e),
    })?;
    Ok(())
}

async fn insert_location(conn: &mut AnyConnection, location: &ValidLocation, index: &AdminIndex) -> Result<i64> {
    let r = index.resolve(location.position, Some(location.country));
    let at = now();
    let id: i64 = sqlx::query(
        "INSERT INTO locations (code, name, kind, country_iso3, lon, lat, adm1_pcode, adm2_pcode, adm3_pcode,
                                organisation_id, notes, is_active, created_at, updated_at)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $13) RETURNING id",
    )
    .bind(&location.code)
    .bind(&location.name)
    .bind(location.kind.code())
    .bind(location.country.to_string())
    .bind(location.position.lon)
    .bind(location.position.lat)
    .bind(r.adm1.as_ref().map(|p| p.as_str()))
    .bind(r.adm2.as_ref().map(|p| p.as_str()))
    .bind(r.adm3.as_ref().map(|p| p.as_str()))
    .bind(location.organisation_id)
    .bind(&location.notes)
    .bind(i64::from(location.is_active))
    .bind(&at)
    .fetch_one(&mut *conn)
    .await
    .map_err(|e| match &e {
        sqlx::Error::Database(db) if db.is_unique_violation() => {
            StoreError::Conflict(format!("a location with the code {} already exists", location.code))
        }
        _ => unknown_organisation(location.organisation_id)(e),
    })?
    .try_get("id")?;
    Ok(id)
}

async fn set_resolution(conn: &mut AnyConnection, id: i64, r: &Resolution) -> Result<()> {
    sqlx::query("UPDATE locations SET adm1_pcode = $1, adm2_pcode = $2, adm3_pcode = $3 WHERE id = $4")
        .bind(r.adm1.as_ref().map(|p| p.as_str()))
        .bind(r.adm2.as_ref().map(|p| p.as_str()))
        .bind(r.adm3.as_ref().map(|p| p.as_str()))
        .bind(id)
        .execute(conn)
        .await?;
    Ok(())
}
