//! Official population figures. Each import adds publications; a row identical to a stored
//! one (same country, type, dates, source and value) is skipped, so a file sent twice adds
//! nothing. Nothing is updated in place: the history is the series itself.

use rumbo_domain::Vocabulary;
use rumbo_domain::audit::{Actor, AuditAction, Entity};
use rumbo_domain::country::Iso3;
use rumbo_domain::r4v::FigureType;
use rumbo_domain::r4v::figures::{PopulationFigure, format_date, parse_date};
use serde::Serialize;
use sqlx::Row;

use super::exchange::{SubmissionMeta, accepted_status, insert_submission};
use crate::audit::record;
use crate::query::{Filter, dynamic};
use crate::{Result, Store, now};

/// A stored figure with its provenance.
#[derive(Debug, Clone, Serialize)]
pub struct StoredFigure {
    pub id: i64,
    #[serde(flatten)]
    pub figure: PopulationFigure,
    pub submission_id: Option<i64>,
    pub created_at: String,
}

#[derive(Debug, Clone, Default, Serialize)]
pub struct FigureImportSummary {
    pub submission_id: i64,
    pub added: usize,
    /// Rows identical to figures already stored.
    pub unchanged: usize,
}

impl Store {
    /// Adds figures (already validated) with the provenance of their file.
    pub async fn add_population_figures(
        &self,
        actor: &Actor,
        figures: &[PopulationFigure],
        meta: &SubmissionMeta,
    ) -> Result<FigureImportSummary> {
        let mut tx = self.pool.begin().await?;
        let submission_id = insert_submission(
            &mut tx,
            actor,
            meta,
            figures.len(),
            accepted_status(figures.len(), meta),
        )
        .await?;
        let mut summary = FigureImportSummary {
            submission_id,
            ..Default::default()
        };
        let at = now();
        for f in figures {
            let exists: i64 = sqlx::query(
                "SELECT COUNT(*) AS n FROM r4v_population_figures WHERE country_iso3 = $1 AND kind = $2 AND value = $3
                   AND source = $4 AND reference_date = $5 AND publication_date = $6",
            )
            .bind(f.country.to_string())
            .bind(f.kind.code())
            .bind(f.value)
            .bind(&f.source)
            .bind(format_date(f.reference_date))
            .bind(format_date(f.publication_date))
            .fetch_one(&mut *tx)
            .await?
            .try_get("n")?;
            if exists > 0 {
                summary.unchanged += 1;
                continue;
            }
            sqlx::query(
                "INSERT INTO r4v_population_figures (country_iso3, kind, value, source, reference_date, publication_date,
                     method_notes, method_changed, official, submission_id, created_at, created_by)
                 VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12)",
            )
            .bind(f.country.to_string())
            .bind(f.kind.code())
            .bind(f.value)
            .bind(&f.source)
            .bind(format_date(f.reference_date))
            .bind(format_date(f.publication_date))
            .bind(&f.method_notes)
            .bind(i64::from(f.method_changed))
            .bind(i64::from(f.official))
            .bind(submission_id)
            .bind(&at)
            .bind(actor.user_id)
            .execute(&mut *tx)
            .await?;
            summary.added += 1;
        }
        record(
            &mut tx,
            actor,
            AuditAction::Import,
            Entity::PopulationFigure,
            None,
            &format!(
                "added {} population figure(s) from {} ({} already stored)",
                summary.added, meta.file_name, summary.unchanged
            ),
        )
        .await?;
        tx.commit().await?;
        Ok(summary)
    }

    /// Every stored figure, oldest reference date first: the series with its history.
    pub async fn population_figures(
        &self,
        country: Option<Iso3>,
        kind: Option<FigureType>,
    ) -> Result<Vec<StoredFigure>> {
        let mut filter = Filter::default();
        if let Some(country) = country {
            filter.push("country_iso3 = $", country.to_string());
        }
        if let Some(kind) = kind {
            filter.push("kind = $", kind.code());
        }
        let sql = format!(
            "SELECT id, country_iso3, kind, value, source, reference_date, publication_date, method_notes, method_changed,
                    official, submission_id, created_at
             FROM r4v_population_figures{} ORDER BY country_iso3, kind, reference_date, publication_date, id",
            filter.where_clause()
        );
        let rows = sqlx::query_with(dynamic(sql), filter.into_args())
            .fetch_all(&self.pool)
            .await?;
        rows.iter()
            .map(|r| {
                Ok(StoredFigure {
                    id: r.try_get("id")?,
                    figure: PopulationFigure {
                        country: Iso3::parse(&r.try_get::<String, _>("country_iso3")?)?,
                        kind: FigureType::parse(&r.try_get::<String, _>("kind")?)?,
                        value: r.try_get("value")?,
                        source: r.try_get("source")?,
                        reference_date: parse_date(&r.try_get::<String, _>("reference_date")?)?,
                        publication_date: parse_date(&r.try_get::<String, _>("publication_date")?)?,
                        method_notes: r.try_get("method_notes")?,
                        method_changed: r.try_get::<i64, _>("method_changed")? != 0,
                        official: r.try_get::<i64, _>("official")? != 0,
                    },
                    submission_id: r.try_get("submission_id")?,
                    created_at: r.try_get("created_at")?,
                })
            })
            .collect()
    }
}
