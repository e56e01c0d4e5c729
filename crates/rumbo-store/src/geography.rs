use std::collections::HashMap;

use geo::{BoundingRect, MultiPolygon};
use rumbo_domain::Problem;
use rumbo_domain::audit::{Actor, AuditAction, Entity};
use rumbo_domain::country::{Country, Iso3, known_countries};
use rumbo_domain::geography::{
    AdminArea, AdminIndex, AdminLevel, Pcode, boundary_from_geojson, boundary_to_geojson, map_outline, map_tolerance,
};
use rumbo_domain::language::Names;
use sqlx::Row;
use sqlx::any::AnyRow;

use crate::audit::record;
use crate::dialect::{OptionalF64, ilike, like_pattern};
use crate::query::{Filter, dynamic};
use crate::{Page, Result, Store, StoreError, now};

/// Adds the countries Rumbo ships with; existing rows are left as they are.
pub(crate) async fn ensure_known_countries(store: &Store) -> Result<()> {
    let mut tx = store.pool.begin().await?;
    for country in known_countries() {
        sqlx::query(
            "INSERT INTO countries (iso3, iso2, name_es, name_en, name_pt, in_response) VALUES ($1, $2, $3, $4, $5, $6)
             ON CONFLICT (iso3) DO NOTHING",
        )
        .bind(country.iso3.to_string())
        .bind(&country.iso2)
        .bind(country.names.es.as_deref())
        .bind(country.names.en.as_deref())
        .bind(country.names.pt.as_deref())
        .bind(i64::from(country.in_response))
        .execute(&mut *tx)
        .await?;
    }
    tx.commit().await?;
    Ok(())
}

impl Store {
    pub async fn countries(&self) -> Result<Vec<Country>> {
        let rows =
            sqlx::query("SELECT iso3, iso2, name_es, name_en, name_pt, in_response FROM countries ORDER BY name_en")
                .fetch_all(&self.pool)
                .await?;
        rows.iter()
            .map(|row| {
                Ok(Country {
                    iso3: Iso3::parse(&row.try_get::<String, _>("iso3")?)?,
                    iso2: row.try_get("iso2")?,
                    names: Names {
                        es: row.try_get("name_es")?,
                        en: row.try_get("name_en")?,
                        pt: row.try_get("name_pt")?,
                    },
                    in_response: row.try_get::<i64, _>("in_response")? != 0,
                })
            })
            .collect()
    }
}

/// What an import of admin areas did.
#[derive(Debug, Clone, Default, PartialEq, Eq, serde::Serialize)]
pub struct AdminImportSummary {
    pub created: usize,
    pub updated: usize,
    /// Locations whose admin areas were resolved again against the new boundaries.
    pub locations_resolved: usize,
}

/// An admin area as listed: without its boundary, which can be large.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct AdminAreaRow {
    pub pcode: Pcode,
    pub country: Iso3,
    pub level: AdminLevel,
    pub parent: Option<Pcode>,
    pub names: Names,
    pub has_boundary: bool,
    /// `[west, south, east, north]` of the boundary, in degrees.
    pub bbox: Option<[f64; 4]>,
    pub source: Option<String>,
    pub updated_at: String,
}

#[derive(Debug, Clone, Default)]
pub struct AdminAreaQuery {
    pub country: Option<Iso3>,
    pub level: Option<AdminLevel>,
    pub parent: Option<Pcode>,
    /// Part of a name in any language, or of the P-code.
    pub search: Option<String>,
}

const AREA_COLUMNS: &str =
    "a.pcode, a.country_iso3, a.level, a.parent_pcode, a.name_es, a.name_en, a.name_pt, a.source, a.updated_at,
     a.min_lon, a.min_lat, a.max_lon, a.max_lat";

fn area_row(row: &AnyRow) -> Result<AdminAreaRow> {
    let boundary: Option<i64> = row.try_get("has_boundary")?;
    Ok(AdminAreaRow {
        pcode: Pcode::parse(&row.try_get::<String, _>("pcode")?)?,
        country: Iso3::parse(&row.try_get::<String, _>("country_iso3")?)?,
        level: AdminLevel::new(row.try_get("level")?)?,
        parent: parent_of(row)?,
        names: names_of(row)?,
        has_boundary: boundary.unwrap_or(0) != 0,
        bbox: match (
            row.try_get::<Option<f64>, _>("min_lon")?,
            row.try_get::<Option<f64>, _>("min_lat")?,
            row.try_get::<Option<f64>, _>("max_lon")?,
            row.try_get::<Option<f64>, _>("max_lat")?,
        ) {
            (Some(w), Some(s), Some(e), Some(n)) => Some([w, s, e, n]),
            _ => None,
        },
        source: row.try_get("source")?,
        updated_at: row.try_get("updated_at")?,
    })
}

impl Store {
    /// Adds or replaces admin areas in one transaction. Each area's parent must be in the same
    /// batch or already stored, one level up and in the same country; otherwise nothing is
    /// stored and every problem is listed. Locations in the countries touched are resolved
    /// again against the new boundaries.
    pub async fn import_admin_areas(
        &self,
        actor: &Actor,
        areas: &[AdminArea],
        source: &str,
    ) -> Result<AdminImportSummary> {
        let placed: Vec<(String, &AdminArea)> = areas
            .iter()
            .enumerate()
            .map(|(i, a)| (format!("area {}", i + 1), a))
            .collect();
        self.import_placed_areas(actor, &placed, source).await
    }

    /// Like [`Store::import_admin_areas`], for areas read from a file: each comes with where it
    /// was found (`feature 3`, `row 12`), which problems then name.
    pub async fn import_admin_areas_from(
        &self,
        actor: &Actor,
        areas: &[(String, AdminArea)],
        source: &str,
    ) -> Result<AdminImportSummary> {
        let placed: Vec<(String, &AdminArea)> = areas.iter().map(|(place, a)| (place.clone(), a)).collect();
        self.import_placed_areas(actor, &placed, source).await
    }

    async fn import_placed_areas(
        &self,
        actor: &Actor,
        areas: &[(String, &AdminArea)],
        source: &str,
    ) -> Result<AdminImportSummary> {
        let mut problems = Vec::new();
        let mut in_batch: HashMap<&Pcode, (&str, &AdminArea)> = HashMap::new();
        for (place, area) in areas {
            if let Some((first, _)) = in_batch.insert(&area.pcode, (place, area)) {
                problems.push(Problem::new(
                    place.clone(),
                    format!("P-code {} appears more than once (also at {first})", area.pcode),
                ));
            }
        }
        let stored = self.admin_area_levels().await?;
        for (place, area) in areas {
            let place = format!("{place} ({})", area.pcode);
            if let Some((country, level)) = stored.get(&area.pcode)
                && *country != area.country
            {
                problems.push(Problem::new(
                    place.clone(),
                    format!("P-code {} is already a level-{level} area of {country}", area.pcode),
                ));
            }
            match (&area.parent, area.level.parent()) {
                (None, None) => {}
                (Some(_), None) => problems.push(Problem::new(
                    place,
                    "a level-1 area has the country as parent, not a P-code",
                )),
                (None, Some(_)) => problems.push(Problem::new(
                    place,
                    format!("a level-{} area needs a parent P-code", area.level),
                )),
                (Some(parent), Some(parent_level)) => {
                    let found = in_batch
                        .get(parent)
                        .map(|(_, p)| (p.country, p.level))
                        .or_else(|| stored.get(parent).copied());
                    match found {
                        None => problems.push(Problem::new(
                            place,
                            format!("unknown parent P-code {parent}: import the level-{parent_level} areas first"),
                        )),
                        Some((country, level)) if country != area.country || level != parent_level => {
                            problems.push(Problem::new(
                                place,
                                format!("parent {parent} is a level-{level} area of {country}, not a level-{parent_level} area of {}", area.country),
                            ))
                        }
                        Some(_) => {}
                    }
                }
            }
        }
        if !problems.is_empty() {
            return Err(StoreError::Rejected {
                message: format!("{} problem(s) in the admin areas; nothing was imported", problems.len()),
                problems,
            });
        }

        // Parents first, so that foreign keys hold at every insert.
        let mut ordered: Vec<&AdminArea> = areas.iter().map(|(_, a)| *a).collect();
        ordered.sort_by_key(|a| a.level);
        let mut summary = AdminImportSummary::default();
        let at = now();
        let mut tx = self.pool.begin().await?;
        for area in &ordered {
            let boundary = area.boundary.as_ref();
            let rect = boundary.and_then(|b| b.bounding_rect());
            let outline = boundary.map(|b| boundary_to_geojson(&map_outline(b, map_tolerance(area.level))));
            if stored.contains_key(&area.pcode) {
                summary.updated += 1;
            } else {
                summary.created += 1;
            }
            // A name or boundary the new source does not give is kept: a P-code list re-imported
            // after boundaries must not erase them, nor an English-only list the Spanish names.
            sqlx::query(
                "INSERT INTO admin_areas (pcode, country_iso3, level, parent_pcode, name_es, name_en, name_pt, boundary,
                                          min_lon, min_lat, max_lon, max_lat, source, created_at, updated_at, map_boundary)
                 VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $14, $15)
                 ON CONFLICT (pcode) DO UPDATE SET country_iso3 = $2, level = $3, parent_pcode = $4,
                     name_es = COALESCE($5, admin_areas.name_es), name_en = COALESCE($6, admin_areas.name_en),
                     name_pt = COALESCE($7, admin_areas.name_pt), boundary = COALESCE($8, admin_areas.boundary),
                     min_lon = COALESCE($9, admin_areas.min_lon), min_lat = COALESCE($10, admin_areas.min_lat),
                     max_lon = COALESCE($11, admin_areas.max_lon), max_lat = COALESCE($12, admin_areas.max_lat),
                     source = $13, updated_at = $14, map_boundary = COALESCE($15, admin_areas.map_boundary)",
            )
            .bind(area.pcode.as_str())
            .bind(area.country.to_string())
            .bind(i64::from(area.level))
            .bind(area.parent.as_ref().map(|p| p.as_str()))
            .bind(area.names.es.as_deref())
            .bind(area.names.en.as_deref())
            .bind(area.names.pt.as_deref())
            .bind(boundary.map(boundary_to_geojson))
            .bind(OptionalF64(rect.map(|r| r.min().x)))
            .bind(OptionalF64(rect.map(|r| r.min().y)))
            .bind(OptionalF64(rect.map(|r| r.max().x)))
            .bind(OptionalF64(rect.map(|r| r.max().y)))
            .bind(source)
            .bind(&at)
            .bind(outline)
            .execute(&mut *tx)
            .await
            .map_err(|e| match &e {
                sqlx::Error::Database(db) if db.is_foreign_key_violation() => StoreError::Invalid(
                    rumbo_domain::DomainError::Invalid(format!("{}: unknown country {}", area.pcode, area.country)),
                ),
                _ => StoreError::Database(e),
            })?;
        }
        let mut countries: Vec<Iso3> = ordered.iter().map(|a| a.country).collect();
        countries.sort();
        countries.dedup();
        let country_list = countries.iter().map(ToString::to_string).collect::<Vec<_>>().join(", ");
        record(
            &mut tx,
            actor,
            AuditAction::Import,
            Entity::AdminArea,
            None,
            &format!(
                "imported {} admin areas of {country_list} from {source}: {} new, {} replaced",
                areas.len(),
                summary.created,
                summary.updated
            ),
        )
        .await?;
        tx.commit().await?;
        for country in countries {
            summary.locations_resolved += self.resolve_locations(actor, country).await?;
        }
        Ok(summary)
    }

    /// The country and level of every stored admin area.
    async fn admin_area_levels(&self) -> Result<HashMap<Pcode, (Iso3, AdminLevel)>> {
        let rows = sqlx::query("SELECT pcode, country_iso3, level FROM admin_areas")
            .fetch_all(&self.pool)
            .await?;
        rows.iter()
            .map(|row| {
                Ok((
                    Pcode::parse(&row.try_get::<String, _>("pcode")?)?,
                    (
                        Iso3::parse(&row.try_get::<String, _>("country_iso3")?)?,
                        AdminLevel::new(row.try_get("level")?)?,
                    ),
                ))
            })
            .collect()
    }

    pub async fn admin_areas(&self, query: &AdminAreaQuery, page: Page) -> Result<(Vec<AdminAreaRow>, i64)> {
        let mut filter = Filter::default();
        if let Some(country) = query.country {
            filter.push("a.country_iso3 = $", country.to_string());
        }
        if let Some(level) = query.level {
            filter.push("a.level = $", i64::from(level));
        }
        if let Some(parent) = &query.parent {
            filter.push("a.parent_pcode = $", parent.as_str());
        }
        if let Some(search) = query.search.as_deref().map(str::trim).filter(|s| !s.is_empty()) {
            let op = ilike(self.backend);
            let p = filter.bind(like_pattern(search));
            filter.push_fixed(&format!(
                "(a.pcode {op} {p} ESCAPE '\\' OR a.name_es {op} {p} ESCAPE '\\' OR a.name_en {op} {p} ESCAPE '\\' OR a.name_pt {op} {p} ESCAPE '\\')"
            ));
        }
        let clause = filter.where_clause();
        let total: i64 = sqlx::query_with(
            dynamic(format!("SELECT COUNT(*) AS n FROM admin_areas a{clause}")),
            filter.args(),
        )
        .fetch_one(&self.pool)
        .await?
        .try_get("n")?;
        let sql = format!(
            "SELECT {AREA_COLUMNS}, CASE WHEN a.boundary IS NULL THEN 0 ELSE 1 END AS has_boundary
             FROM admin_areas a{clause} ORDER BY a.country_iso3, a.level, a.pcode{}",
            filter.limit(page)
        );
        let rows = sqlx::query_with(dynamic(sql), filter.into_args())
            .fetch_all(&self.pool)
            .await?;
        Ok((rows.iter().map(area_row).collect::<Result<_>>()?, total))
    }

    /// One admin area with its boundary.
    pub async fn admin_area(&self, pcode: &Pcode) -> Result<(AdminAreaRow, Option<MultiPolygon<f64>>)> {
        let row = sqlx::query(dynamic(format!(
            "SELECT {AREA_COLUMNS}, CASE WHEN a.boundary IS NULL THEN 0 ELSE 1 END AS has_boundary, a.boundary
             FROM admin_areas a WHERE a.pcode = $1"
        )))
        .bind(pcode.as_str())
        .fetch_optional(&self.pool)
        .await?
        .ok_or_else(|| StoreError::not_found("admin area", pcode))?;
        let boundary: Option<String> = row.try_get("boundary")?;
        let boundary = boundary
            .as_deref()
            .map(boundary_from_geojson)
            .transpose()
            .map_err(|e| StoreError::Corrupt {
                what: "boundary",
                detail: format!("{pcode}: {e}"),
            })?;
        Ok((area_row(&row)?, boundary))
    }

    /// One admin area without its boundary (which can weigh megabytes): for pages and details.
    pub async fn admin_area_row(&self, pcode: &Pcode) -> Result<AdminAreaRow> {
        let row = sqlx::query(dynamic(format!(
            "SELECT {AREA_COLUMNS}, CASE WHEN a.boundary IS NULL THEN 0 ELSE 1 END AS has_boundary
             FROM admin_areas a WHERE a.pcode = $1"
        )))
        .bind(pcode.as_str())
        .fetch_optional(&self.pool)
        .await?
        .ok_or_else(|| StoreError::not_found("admin area", pcode))?;
        area_row(&row)
    }

    /// Admin areas with their boundaries, for maps and exports: one country or all, one level
    /// or all. Areas without a boundary are included with `None`.
    pub async fn admin_areas_with_boundaries(
        &self,
        country: Option<Iso3>,
        level: Option<AdminLevel>,
    ) -> Result<Vec<AdminArea>> {
        let mut filter = Filter::default();
        if let Some(country) = country {
            filter.push("country_iso3 = $", country.to_string());
        }
        if let Some(level) = level {
            filter.push("level = $", i64::from(level));
        }
        self.select_areas(filter, Some("boundary")).await
    }

    /// Admin areas matching `filter`, with the geometry held in column `geometry` (`boundary`,
    /// `map_boundary`) or without one.
    async fn select_areas(&self, filter: Filter, geometry: Option<&'static str>) -> Result<Vec<AdminArea>> {
        let sql = format!(
            "SELECT pcode, country_iso3, level, parent_pcode, name_es, name_en, name_pt{} FROM admin_areas{}
             ORDER BY country_iso3, level, pcode",
            geometry.map(|g| format!(", {g} AS geometry")).unwrap_or_default(),
            filter.where_clause()
        );
        let rows = sqlx::query_with(dynamic(sql), filter.into_args())
            .fetch_all(&self.pool)
            .await?;
        rows.iter()
            .map(|row| {
                let pcode = Pcode::parse(&row.try_get::<String, _>("pcode")?)?;
                let boundary = match geometry {
                    Some(_) => row
                        .try_get::<Option<String>, _>("geometry")?
                        .as_deref()
                        .map(boundary_from_geojson)
                        .transpose()
                        .map_err(|e| StoreError::Corrupt {
                            what: "boundary",
                            detail: format!("{pcode}: {e}"),
                        })?,
                    None => None,
                };
                Ok(AdminArea {
                    country: Iso3::parse(&row.try_get::<String, _>("country_iso3")?)?,
                    level: AdminLevel::new(row.try_get("level")?)?,
                    parent: parent_of(row)?,
                    names: names_of(row)?,
                    boundary,
                    pcode,
                })
            })
            .collect()
    }

    /// A point-in-polygon index over the stored boundaries of one country, or of all.
    pub async fn admin_index(&self, country: Option<Iso3>) -> Result<AdminIndex> {
        let areas = self.admin_areas_with_boundaries(country, None).await?;
        Ok(AdminIndex::new(&areas))
    }
}

/// A country with how much geography and how many locations Rumbo holds for it.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct CountrySummary {
    pub country: Country,
    /// Admin areas at levels 1, 2 and 3.
    pub admin_areas: [i64; 3],
    /// Of those, how many have a boundary (and so can place locations).
    pub with_boundary: i64,
    /// Active locations.
    pub locations: i64,
}

/// Which admin areas a map layer shows; every filter is optional.
#[derive(Debug, Clone, Default)]
pub struct OutlineQuery {
    pub country: Option<Iso3>,
    pub level: Option<AdminLevel>,
    pub parent: Option<Pcode>,
    pub pcode: Option<Pcode>,
}

fn names_of(row: &AnyRow) -> Result<Names> {
    Ok(Names {
        es: row.try_get("name_es")?,
        en: row.try_get("name_en")?,
        pt: row.try_get("name_pt")?,
    })
}

fn parent_of(row: &AnyRow) -> Result<Option<Pcode>> {
    Ok(row
        .try_get::<Option<String>, _>("parent_pcode")?
        .as_deref()
        .map(Pcode::parse)
        .transpose()?)
}

impl Store {
    /// Every country with its counts of admin areas per level and of active locations.
    pub async fn country_summaries(&self) -> Result<Vec<CountrySummary>> {
        let countries = self.countries().await?;
        let areas = sqlx::query(
            "SELECT country_iso3, level, COUNT(*) AS n,
                    CAST(SUM(CASE WHEN boundary IS NULL THEN 0 ELSE 1 END) AS BIGINT) AS with_boundary
             FROM admin_areas GROUP BY country_iso3, level",
        )
        .fetch_all(&self.pool)
        .await?;
        let locations =
            sqlx::query("SELECT country_iso3, COUNT(*) AS n FROM locations WHERE is_active = 1 GROUP BY country_iso3")
                .fetch_all(&self.pool)
                .await?;
        let mut summaries: Vec<CountrySummary> = countries
            .into_iter()
            .map(|country| CountrySummary {
                country,
                admin_areas: [0; 3],
                with_boundary: 0,
                locations: 0,
            })
            .collect();
        for row in &areas {
            let iso3: String = row.try_get("country_iso3")?;
            let level: i64 = row.try_get("level")?;
            if let Some(summary) = summaries.iter_mut().find(|s| s.country.iso3.as_str() == iso3)
                && let Some(slot) = usize::try_from(level - 1)
                    .ok()
                    .and_then(|i| summary.admin_areas.get_mut(i))
            {
                *slot = row.try_get("n")?;
                summary.with_boundary += row.try_get::<i64, _>("with_boundary")?;
            }
        }
        for row in &locations {
            let iso3: String = row.try_get("country_iso3")?;
            if let Some(summary) = summaries.iter_mut().find(|s| s.country.iso3.as_str() == iso3) {
                summary.locations = row.try_get("n")?;
            }
        }
        Ok(summaries)
    }

    /// Admin areas with their simplified map outlines (see `geography::map_outline`), for map
    /// layers. Areas without a boundary are left out.
    pub async fn admin_area_outlines(&self, query: &OutlineQuery) -> Result<Vec<AdminArea>> {
        let mut filter = Filter::default();
        filter.push_fixed("map_boundary IS NOT NULL");
        if let Some(country) = query.country {
            filter.push("country_iso3 = $", country.to_string());
        }
        if let Some(level) = query.level {
            filter.push("level = $", i64::from(level));
        }
        if let Some(parent) = &query.parent {
            filter.push("parent_pcode = $", parent.as_str());
        }
        if let Some(pcode) = &query.pcode {
            filter.push("pcode = $", pcode.as_str());
        }
        self.select_areas(filter, Some("map_boundary")).await
    }

    /// Admin areas without their boundaries, down to `max_level`: a P-code list, with every
    /// area's ancestors, as a CSV export needs.
    pub async fn admin_area_list(
        &self,
        country: Option<Iso3>,
        max_level: Option<AdminLevel>,
    ) -> Result<Vec<AdminArea>> {
        let mut filter = Filter::default();
        if let Some(country) = country {
            filter.push("country_iso3 = $", country.to_string());
        }
        if let Some(level) = max_level {
            filter.push("level <= $", i64::from(level));
        }
        self.select_areas(filter, None).await
    }

    /// Records that reference data (admin areas or locations) left Rumbo as a file. Such
    /// exports hold no personal data, but who took what, when, is still worth knowing.
    pub async fn record_export(&self, actor: &Actor, entity: Entity, summary: &str) -> Result<()> {
        let mut tx = self.pool.begin().await?;
        record(&mut tx, actor, AuditAction::Export, entity, None, summary).await?;
        tx.commit().await?;
        Ok(())
    }
}
