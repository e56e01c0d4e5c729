use std::collections::HashMap;

use geo::{BoundingRect, MultiPolygon};
use rumbo_domain::Problem;
use rumbo_domain::audit::{Actor, AuditAction, Entity};
use rumbo_domain::country::{Country, Iso3, known_countries};
use rumbo_domain::geography::{AdminArea, AdminIndex, AdminLevel, Pcode, boundary_from_geojson, boundary_to_geojson};
use rumbo_domain::language::Names;
use sqlx::Row;
use sqlx::any::AnyRow;

use crate::audit::record;
use crate::dialect::{ilike, like_pattern};
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
    "a.pcode, a.country_iso3, a.level, a.parent_pcode, a.name_es, a.name_en, a.name_pt, a.source, a.updated_at";

fn area_row(row: &AnyRow) -> Result<AdminAreaRow> {
    let boundary: Option<i64> = row.try_get("has_boundary")?;
    Ok(AdminAreaRow {
        pcode: Pcode::parse(&row.try_get::<String, _>("pcode")?)?,
        country: Iso3::parse(&row.try_get::<String, _>("country_iso3")?)?,
        level: AdminLevel::new(row.try_get("level")?)?,
        parent: row
            .try_get::<Option<String>, _>("parent_pcode")?
            .as_deref()
            .map(Pcode::parse)
            .transpose()?,
        names: Names {
            es: row.try_get("name_es")?,
            en: row.try_get("name_en")?,
            pt: row.try_get("name_pt")?,
        },
        has_boundary: boundary.unwrap_or(0) != 0,
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
        let mut problems = Vec::new();
        let mut in_batch: HashMap<&Pcode, &AdminArea> = HashMap::new();
        for (i, area) in areas.iter().enumerate() {
            if in_batch.insert(&area.pcode, area).is_some() {
                problems.push(Problem::new(
                    format!("area {}", i + 1),
                    format!("P-code {} appears more than once", area.pcode),
                ));
            }
        }
        let stored = self.admin_area_levels().await?;
        for (i, area) in areas.iter().enumerate() {
            let place = format!("area {} ({})", i + 1, area.pcode);
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
                        .map(|p| (p.country, p.level))
                        .or_else(|| stored.get(parent).copied());
                    match found {
                        None => problems.push(Problem::new(place, format!("unknown parent P-code {parent}"))),
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
        let mut ordered: Vec<&AdminArea> = areas.iter().collect();
        ordered.sort_by_key(|a| a.level);
        let mut summary = AdminImportSummary::default();
        let at = now();
        let mut tx = self.pool.begin().await?;
        for area in &ordered {
            let boundary = area.boundary.as_ref();
            let rect = boundary.and_then(|b| b.bounding_rect());
            if stored.contains_key(&area.pcode) {
                summary.updated += 1;
            } else {
                summary.created += 1;
            }
            sqlx::query(
                "INSERT INTO admin_areas (pcode, country_iso3, level, parent_pcode, name_es, name_en, name_pt, boundary,
                                          min_lon, min_lat, max_lon, max_lat, source, created_at, updated_at)
                 VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $14)
                 ON CONFLICT (pcode) DO UPDATE SET country_iso3 = $2, level = $3, parent_pcode = $4, name_es = $5,
                     name_en = $6, name_pt = $7, boundary = COALESCE($8, admin_areas.boundary),
                     min_lon = COALESCE($9, admin_areas.min_lon), min_lat = COALESCE($10, admin_areas.min_lat),
                     max_lon = COALESCE($11, admin_areas.max_lon), max_lat = COALESCE($12, admin_areas.max_lat),
                     source = $13, updated_at = $14",
            )
            .bind(area.pcode.as_str())
            .bind(area.country.to_string())
            .bind(i64::from(area.level))
            .bind(area.parent.as_ref().map(|p| p.as_str()))
            .bind(area.names.es.as_deref())
            .bind(area.names.en.as_deref())
            .bind(area.names.pt.as_deref())
            .bind(boundary.map(boundary_to_geojson))
            .bind(rect.map(|r| r.min().x))
            .bind(rect.map(|r| r.min().y))
            .bind(rect.map(|r| r.max().x))
            .bind(rect.map(|r| r.max().y))
            .bind(source)
            .bind(&at)
            .execute(&mut *tx)
            .await
            .map_err(|e| match &e {
                sqlx::Error::Database(db) if db.is_foreign_key_violation() => StoreError::Invalid(
                    rumbo_domain::DomainError::Invalid(format!("{}: unknown country {}", area.pcode, area.country)),
                ),
                _ => StoreError::Database(e),
            })?;
        }
        let mut countries: Vec<Iso3> = areas.iter().map(|a| a.country).collect();
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
        let sql = format!(
            "SELECT pcode, country_iso3, level, parent_pcode, name_es, name_en, name_pt, boundary FROM admin_areas{}
             ORDER BY country_iso3, level, pcode",
            filter.where_clause()
        );
        let rows = sqlx::query_with(dynamic(sql), filter.into_args())
            .fetch_all(&self.pool)
            .await?;
        rows.iter()
            .map(|row| {
                let pcode: String = row.try_get("pcode")?;
                let boundary: Option<String> = row.try_get("boundary")?;
                Ok(AdminArea {
                    pcode: Pcode::parse(&pcode)?,
                    country: Iso3::parse(&row.try_get::<String, _>("country_iso3")?)?,
                    level: AdminLevel::new(row.try_get("level")?)?,
                    parent: row
                        .try_get::<Option<String>, _>("parent_pcode")?
                        .as_deref()
                        .map(Pcode::parse)
                        .transpose()?,
                    names: Names {
                        es: row.try_get("name_es")?,
                        en: row.try_get("name_en")?,
                        pt: row.try_get("name_pt")?,
                    },
                    boundary: boundary
                        .as_deref()
                        .map(boundary_from_geojson)
                        .transpose()
                        .map_err(|e| StoreError::Corrupt {
                            what: "boundary",
                            detail: format!("{pcode}: {e}"),
                        })?,
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
