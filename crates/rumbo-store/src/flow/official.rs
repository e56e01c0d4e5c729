//! Official border movement figures, in the shape migration authorities publish them: country,
//! movement (entry or exit), border point by its official name, month and total. A figure
//! imported again for the same country, movement, point and month replaces the one stored (the
//! authority revised it); the import is audited with its source.

use rumbo_domain::Vocabulary;
use rumbo_domain::audit::{Actor, AuditAction, Entity};
use rumbo_domain::country::Iso3;
use rumbo_domain::flow::official::{Movement, OfficialFigure};
use sqlx::Row;
use sqlx::any::AnyArguments;

use crate::audit::record;
use crate::query::{Filter, dynamic};
use crate::{Result, Store, now};

impl Store {
    /// Stores official figures, replacing any for the same country, movement, point and month.
    /// Returns how many were stored.
    pub async fn import_official_figures(
        &self,
        actor: &Actor,
        figures: &[OfficialFigure],
        source: &str,
    ) -> Result<usize> {
        let mut tx = self.pool.begin().await?;
        let at = now();
        for batch in figures.chunks(2000) {
            let mut args = AnyArguments::default();
            for f in batch {
                use sqlx::Arguments;
                let _ = args.add(f.country.to_string());
                let _ = args.add(f.movement.code());
                let _ = args.add(f.border_point.clone());
                let _ = args.add(f.month.clone());
                let _ = args.add(f.total);
                let _ = args.add(source.to_owned());
                let _ = args.add(at.clone());
            }
            let sql = format!(
                "INSERT INTO flow_official_movements (country_iso3, movement, border_point, month, total, source, imported_at)
                 VALUES {} ON CONFLICT (country_iso3, movement, border_point, month)
                 DO UPDATE SET total = excluded.total, source = excluded.source, imported_at = excluded.imported_at",
                crate::dialect::values_list(self.backend, batch.len(), 7)
            );
            sqlx::query_with(dynamic(sql), args).execute(&mut *tx).await?;
        }
        let mut countries: Vec<String> = figures.iter().map(|f| f.country.to_string()).collect();
        countries.sort();
        countries.dedup();
        record(
            &mut tx,
            actor,
            AuditAction::Import,
            Entity::OfficialMovement,
            None,
            &format!(
                "imported {} official border movement figures ({}) from {source}",
                figures.len(),
                countries.join(", ")
            ),
        )
        .await?;
        tx.commit().await?;
        Ok(figures.len())
    }

    /// Official figures, by country then point, movement and month.
    pub async fn official_figures(
        &self,
        countries: Option<&[Iso3]>,
        country: Option<Iso3>,
    ) -> Result<Vec<OfficialFigure>> {
        let mut filter = Filter::default();
        if let Some(country) = country {
            filter.push("country_iso3 = $", country.to_string());
        }
        if let Some(list) = countries {
            let placeholders: Vec<String> = list.iter().map(|c| filter.bind(c.to_string())).collect();
            let list = if placeholders.is_empty() {
                "NULL".to_owned()
            } else {
                placeholders.join(", ")
            };
            filter.push_fixed(&format!("country_iso3 IN ({list})"));
        }
        let sql = format!(
            "SELECT country_iso3, movement, border_point, month, total FROM flow_official_movements{}
             ORDER BY country_iso3, border_point, movement, month",
            filter.where_clause()
        );
        let rows = sqlx::query_with(dynamic(sql), filter.into_args())
            .fetch_all(&self.pool)
            .await?;
        rows.iter()
            .map(|r| {
                Ok(OfficialFigure {
                    country: Iso3::parse(&r.try_get::<String, _>("country_iso3")?)?,
                    movement: Movement::parse(&r.try_get::<String, _>("movement")?)?,
                    border_point: r.try_get("border_point")?,
                    month: r.try_get("month")?,
                    total: r.try_get("total")?,
                })
            })
            .collect()
    }
}
