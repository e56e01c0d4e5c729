use rumbo_domain::Vocabulary;
use rumbo_domain::audit::{Actor, AuditAction, Entity};
use serde::Serialize;
use sqlx::{AnyConnection, Row};

use crate::query::{Filter, dynamic};
use crate::{Page, Result, Store, now};

/// Writes one audit entry on `conn`, which should be the transaction of the change it records.
/// `summary` must not contain personal data: name the fields that changed, not their values.
pub async fn record(
    conn: &mut AnyConnection,
    actor: &Actor,
    action: AuditAction,
    entity: Entity,
    entity_id: Option<&str>,
    summary: &str,
) -> Result<()> {
    sqlx::query(
        "INSERT INTO audit_log (at, user_id, action, entity, entity_id, summary, channel, address, request_id)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)",
    )
    .bind(now())
    .bind(actor.user_id)
    .bind(action.code())
    .bind(entity.code())
    .bind(entity_id)
    .bind(summary)
    .bind(actor.channel)
    .bind(actor.address.as_deref())
    .bind(actor.request_id.as_deref())
    .execute(conn)
    .await?;
    Ok(())
}

/// The names of the fields an update changed, for its audit summary. Names only, never values:
/// values can be personal data.
#[derive(Debug, Default)]
pub(crate) struct Changes(Vec<&'static str>);

impl Changes {
    /// Notes `name` when `before` and `after` differ.
    pub fn field<T: PartialEq + ?Sized>(&mut self, name: &'static str, before: &T, after: &T) -> &mut Self {
        if before != after {
            self.0.push(name);
        }
        self
    }

    /// Notes a change described in words, such as "deactivated".
    pub fn note(&mut self, what: &'static str) -> &mut Self {
        self.0.push(what);
        self
    }

    pub fn summary(&self) -> String {
        if self.0.is_empty() {
            "saved without changes".to_owned()
        } else {
            format!("changed {}", self.0.join(", "))
        }
    }
}

/// One entry of the audit log, with the acting user's username for display.
#[derive(Debug, Clone, Serialize)]
pub struct AuditEntry {
    pub id: i64,
    pub at: String,
    pub user_id: Option<i64>,
    pub username: Option<String>,
    pub action: String,
    pub entity: String,
    pub entity_id: Option<String>,
    pub summary: String,
    pub channel: String,
    pub address: Option<String>,
    pub request_id: Option<String>,
}

/// Filters of the audit browser; every one is optional.
#[derive(Debug, Clone, Default)]
pub struct AuditQuery {
    pub user_id: Option<i64>,
    pub action: Option<AuditAction>,
    pub entity: Option<Entity>,
    pub entity_id: Option<String>,
    /// Inclusive lower bound, compared as text: a date `2026-11-01` or a full timestamp.
    pub from: Option<String>,
    /// Exclusive upper bound, likewise.
    pub until: Option<String>,
}

impl Store {
    /// Audit entries shown to `actor`: the log names people and their addresses, so browsing
    /// it is itself recorded (after the query, so that the entry is not in its own page).
    pub async fn browse_audit(&self, actor: &Actor, query: &AuditQuery, page: Page) -> Result<(Vec<AuditEntry>, i64)> {
        let found = self.audit_entries(query, page).await?;
        let mut filters = Vec::new();
        for (name, given) in [
            ("user", query.user_id.is_some()),
            ("action", query.action.is_some()),
            ("entity", query.entity.is_some()),
            ("entity id", query.entity_id.is_some()),
            ("from", query.from.is_some()),
            ("until", query.until.is_some()),
        ] {
            if given {
                filters.push(name);
            }
        }
        let summary = if filters.is_empty() {
            format!("viewed the audit log ({} shown)", found.0.len())
        } else {
            format!(
                "viewed the audit log ({} shown), filtered by {}",
                found.0.len(),
                filters.join(", ")
            )
        };
        let mut conn = self.pool.acquire().await?;
        record(&mut conn, actor, AuditAction::Read, Entity::AuditLog, None, &summary).await?;
        Ok(found)
    }

    /// Audit entries matching `query`, newest first, with the total count for paging. For the
    /// system's own use (tests, exports that audit themselves): people browse [`Store::browse_audit`].
    pub async fn audit_entries(&self, query: &AuditQuery, page: Page) -> Result<(Vec<AuditEntry>, i64)> {
        let mut filter = Filter::default();
        if let Some(user) = query.user_id {
            filter.push("a.user_id = $", user);
        }
        if let Some(action) = query.action {
            filter.push("a.action = $", action.code());
        }
        if let Some(entity) = query.entity {
            filter.push("a.entity = $", entity.code());
        }
        if let Some(id) = &query.entity_id {
            filter.push("a.entity_id = $", id.clone());
        }
        if let Some(from) = &query.from {
            filter.push("a.at >= $", from.clone());
        }
        if let Some(until) = &query.until {
            filter.push("a.at < $", until.clone());
        }
        let clause = filter.where_clause();
        let total: i64 = sqlx::query_with(
            dynamic(format!("SELECT COUNT(*) AS n FROM audit_log a{clause}")),
            filter.args(),
        )
        .fetch_one(&self.pool)
        .await?
        .try_get("n")?;
        let list_sql = format!(
            "SELECT a.id, a.at, a.user_id, u.username, a.action, a.entity, a.entity_id, a.summary,
                    a.channel, a.address, a.request_id
             FROM audit_log a LEFT JOIN users u ON u.id = a.user_id{clause}
             ORDER BY a.id DESC{}",
            filter.limit(page)
        );
        let args = filter.into_args();
        let rows = sqlx::query_with(dynamic(list_sql), args).fetch_all(&self.pool).await?;
        let entries = rows
            .iter()
            .map(|row| {
                Ok(AuditEntry {
                    id: row.try_get("id")?,
                    at: row.try_get("at")?,
                    user_id: row.try_get("user_id")?,
                    username: row.try_get("username")?,
                    action: row.try_get("action")?,
                    entity: row.try_get("entity")?,
                    entity_id: row.try_get("entity_id")?,
                    summary: row.try_get("summary")?,
                    channel: row.try_get("channel")?,
                    address: row.try_get("address")?,
                    request_id: row.try_get("request_id")?,
                })
            })
            .collect::<Result<Vec<_>, sqlx::Error>>()?;
        Ok((entries, total))
    }
}
