//! R4V information management: the sector and indicator registry, 5W activity reports and
//! their corrections, information exchange submissions, population figures, partners' targets,
//! funding flows and people in need. The rules themselves are `rumbo_domain::r4v`'s; this
//! module stores and loads what they need.

/// 5W reports: imports, corrections with their history, validation, error reports.
mod activities;
/// 5W reports read back for lists, consolidation and overlap detection.
mod activity_queries;
/// Submissions of the information exchange protocol: provenance of every imported file.
mod exchange;
/// Official population figures: every publication kept.
mod figures;
/// Targets and budgets, funding flows, requirements, people in need.
mod planning;

use rumbo_domain::Vocabulary;
use rumbo_domain::audit::{Actor, AuditAction, Entity};
use rumbo_domain::country::Iso3;
use rumbo_domain::geography::Pcode;
use rumbo_domain::r4v::IndicatorType;
use rumbo_domain::r4v::registry::{Indicator, Registry, Sector, known_indicators, known_sectors};
use rumbo_domain::r4v::rules::{Partner, Place, References};
use sqlx::Row;

pub use activities::{ActivityImport, ImportMode, ImportedActivities};
pub use activity_queries::{ActivityChange, ActivityQuery, ActivityRecord, OrganisationErrors, ReachRow};
pub use exchange::{Submission, SubmissionMeta};
pub use figures::{FigureImportSummary, StoredFigure};
pub use planning::{FundingFlow, NeedRow, TargetInput, TargetRow};

use crate::audit::record;
use crate::{Result, Store, now};

/// Adds the standard sectors and indicators a database lacks; never changes existing ones.
pub(crate) async fn ensure_registry(store: &Store) -> Result<()> {
    let mut tx = store.pool.begin().await?;
    // Parents first: subsectors refer to them.
    let mut sectors = known_sectors();
    sectors.sort_by_key(|s| s.parent.is_some());
    for s in sectors {
        sqlx::query(
            "INSERT INTO r4v_sectors (code, parent_code, name_en, name_es, name_pt) VALUES ($1, $2, $3, $4, $5)
             ON CONFLICT (code) DO NOTHING",
        )
        .bind(&s.code)
        .bind(&s.parent)
        .bind(&s.name_en)
        .bind(&s.name_es)
        .bind(&s.name_pt)
        .execute(&mut *tx)
        .await?;
    }
    let at = now();
    for i in known_indicators() {
        sqlx::query(
            "INSERT INTO r4v_indicators (code, sector_code, name_en, name_es, kind, updated_at) VALUES ($1, $2, $3, $4, $5, $6)
             ON CONFLICT (code) DO NOTHING",
        )
        .bind(&i.code)
        .bind(&i.sector)
        .bind(&i.name_en)
        .bind(&i.name_es)
        .bind(i.kind.code())
        .bind(&at)
        .execute(&mut *tx)
        .await?;
    }
    tx.commit().await?;
    Ok(())
}

impl Store {
    /// The sectors and indicators, as the rules and the forms use them.
    pub async fn r4v_registry(&self) -> Result<Registry> {
        let sectors = sqlx::query("SELECT code, parent_code, name_en, name_es, name_pt FROM r4v_sectors ORDER BY code")
            .fetch_all(&self.pool)
            .await?
            .iter()
            .map(|r| {
                Ok(Sector {
                    code: r.try_get("code")?,
                    parent: r.try_get("parent_code")?,
                    name_en: r.try_get("name_en")?,
                    name_es: r.try_get("name_es")?,
                    name_pt: r.try_get("name_pt")?,
                })
            })
            .collect::<Result<Vec<_>, sqlx::Error>>()?;
        let indicators =
            sqlx::query("SELECT code, sector_code, name_en, name_es, kind FROM r4v_indicators ORDER BY code")
                .fetch_all(&self.pool)
                .await?
                .iter()
                .map(|r| {
                    Ok(Indicator {
                        code: r.try_get("code")?,
                        sector: r.try_get("sector_code")?,
                        name_en: r.try_get("name_en")?,
                        name_es: r.try_get("name_es")?,
                        kind: IndicatorType::parse(&r.try_get::<String, _>("kind")?)?,
                    })
                })
                .collect::<Result<Vec<_>>>()?;
        Ok(Registry::new(sectors, indicators))
    }

    /// The reference tables of the quality rules: the registry, the admin areas of levels 1
    /// and 2 with every name they have, and the organisations.
    pub async fn r4v_references(&self) -> Result<References> {
        let registry = self.r4v_registry().await?;
        let rows = sqlx::query(
            "SELECT pcode, country_iso3, level, parent_pcode, name_es, name_en, name_pt FROM admin_areas WHERE level <= 2",
        )
        .fetch_all(&self.pool)
        .await?;
        let mut areas = Vec::with_capacity(rows.len());
        for r in &rows {
            let names: Vec<String> = ["name_es", "name_en", "name_pt"]
                .iter()
                .filter_map(|c| r.try_get::<Option<String>, _>(*c).ok().flatten())
                .collect();
            let level: i64 = r.try_get("level")?;
            areas.push((
                level as u8,
                Place {
                    pcode: Pcode::parse(&r.try_get::<String, _>("pcode")?)?,
                    country: Iso3::parse(&r.try_get::<String, _>("country_iso3")?)?,
                    parent: r
                        .try_get::<Option<String>, _>("parent_pcode")?
                        .as_deref()
                        .map(Pcode::parse)
                        .transpose()?,
                    names,
                },
            ));
        }
        let partners = sqlx::query("SELECT id, acronym, name FROM organisations")
            .fetch_all(&self.pool)
            .await?
            .iter()
            .map(|r| {
                Ok(Partner {
                    id: r.try_get("id")?,
                    acronym: r.try_get("acronym")?,
                    name: r.try_get("name")?,
                })
            })
            .collect::<Result<Vec<_>, sqlx::Error>>()?;
        Ok(References::new(registry, &areas, &partners))
    }

    /// Adds or replaces indicators of the registry (a new plan year brings new ones). Each
    /// must belong to a known sector.
    pub async fn import_indicators(&self, actor: &Actor, indicators: &[Indicator], source: &str) -> Result<usize> {
        let registry = self.r4v_registry().await?;
        let mut problems = Vec::new();
        for (n, i) in indicators.iter().enumerate() {
            if registry.sector_by_code(&i.sector).is_none() {
                problems.push(rumbo_domain::Problem::new(
                    format!("row {}, column sector", n + 2),
                    format!("'{}' is not a sector code", i.sector),
                ));
            }
        }
        if !problems.is_empty() {
            return Err(crate::StoreError::Rejected {
                message: format!("{} problem(s) in the indicators; nothing was imported", problems.len()),
                problems,
            });
        }
        let mut tx = self.pool.begin().await?;
        let at = now();
        for i in indicators {
            sqlx::query(
                "INSERT INTO r4v_indicators (code, sector_code, name_en, name_es, kind, updated_at) VALUES ($1, $2, $3, $4, $5, $6)
                 ON CONFLICT (code) DO UPDATE SET sector_code = excluded.sector_code, name_en = excluded.name_en,
                     name_es = excluded.name_es, kind = excluded.kind, updated_at = excluded.updated_at",
            )
            .bind(&i.code)
            .bind(&i.sector)
            .bind(&i.name_en)
            .bind(&i.name_es)
            .bind(i.kind.code())
            .bind(&at)
            .execute(&mut *tx)
            .await?;
        }
        record(
            &mut tx,
            actor,
            AuditAction::Import,
            Entity::R4vIndicator,
            None,
            &format!("imported {} indicator(s) from {source}", indicators.len()),
        )
        .await?;
        tx.commit().await?;
        Ok(indicators.len())
    }
}
