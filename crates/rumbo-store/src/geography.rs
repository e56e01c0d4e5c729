use rumbo_domain::country::{Country, Iso3, known_countries};
use rumbo_domain::language::Names;
use sqlx::Row;

use crate::{Result, Store};

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
