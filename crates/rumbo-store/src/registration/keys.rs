//! Key rotation: every sealed value not yet under the current data key is opened with the key
//! it names and sealed again under the current one, a thousand at a time, each thousand in its
//! own transaction (a rotation can stop and be run again: it picks up where it was). Blind
//! indexes use their own key and do not change.

use std::collections::BTreeMap;

use rumbo_domain::audit::{Actor, AuditAction, Entity};
use serde::Serialize;
use sqlx::Row;

use super::columns;
use crate::audit::record;
use crate::query::dynamic;
use crate::vault::split_sealed;
use crate::{Result, Store};

/// Every sealed column: (table, column, the name the vault authenticates it under).
const SEALED: [(&str, &str, &str); 8] = [
    ("household_members", "given_names_enc", columns::GIVEN_NAMES),
    ("household_members", "first_surname_enc", columns::FIRST_SURNAME),
    ("household_members", "second_surname_enc", columns::SECOND_SURNAME),
    ("household_members", "phone_enc", columns::PHONE),
    ("households", "position_enc", columns::POSITION),
    ("member_documents", "number_enc", columns::DOCUMENT_NUMBER),
    ("registration_events", "reason_enc", columns::REASON),
    ("registration_events", "before_enc", columns::BEFORE),
];

/// How many sealed values each data key holds.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize)]
pub struct KeyUsage {
    pub by_key: BTreeMap<u32, i64>,
    /// Values that name no key (damaged).
    pub unreadable: i64,
}

impl Store {
    pub async fn data_key_usage(&self) -> Result<KeyUsage> {
        let mut usage = KeyUsage::default();
        for (table, column, _) in SEALED {
            let rows = sqlx::query(dynamic(format!(
                "SELECT SUBSTR({column}, 1, 12) AS head FROM {table} WHERE {column} IS NOT NULL"
            )))
            .fetch_all(&self.pool)
            .await?;
            for row in &rows {
                let head: String = row.try_get("head")?;
                match split_sealed(&head) {
                    Some((id, _)) => *usage.by_key.entry(id).or_default() += 1,
                    None => usage.unreadable += 1,
                }
            }
        }
        Ok(usage)
    }

    /// Seals again, under the current key, every value sealed under another. Returns how many.
    pub async fn reencrypt_personal_data(&self, actor: &Actor) -> Result<usize> {
        let vault = self.vault()?;
        let current = vault.keys().current();
        let pattern = format!("v1:{current}:%");
        let mut total = 0;
        for (table, column, sealed_as) in SEALED {
            loop {
                let rows = sqlx::query(dynamic(format!(
                    "SELECT id, {column} AS value FROM {table} WHERE {column} IS NOT NULL AND {column} NOT LIKE $1
                     ORDER BY id LIMIT 1000"
                )))
                .bind(&pattern)
                .fetch_all(&self.pool)
                .await?;
                if rows.is_empty() {
                    break;
                }
                let mut tx = self.pool.begin().await?;
                for row in &rows {
                    let id: i64 = row.try_get("id")?;
                    let value: String = row.try_get("value")?;
                    let plain = vault.open(sealed_as, &value)?;
                    sqlx::query(dynamic(format!("UPDATE {table} SET {column} = $1 WHERE id = $2")))
                        .bind(vault.seal(sealed_as, &plain)?)
                        .bind(id)
                        .execute(&mut *tx)
                        .await?;
                }
                total += rows.len();
                tx.commit().await?;
            }
        }
        let mut conn = self.pool.acquire().await?;
        record(
            &mut conn,
            actor,
            AuditAction::Update,
            Entity::DataKeys,
            Some(&current.to_string()),
            &format!("re-encrypted {total} personal values under data key {current}"),
        )
        .await?;
        Ok(total)
    }
}
