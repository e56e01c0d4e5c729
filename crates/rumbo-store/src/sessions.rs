use rumbo_domain::audit::{Actor, AuditAction, Entity};
use rumbo_domain::error::required_text;
use serde::Serialize;
use sqlx::Row;
use time::{Duration, OffsetDateTime};

use crate::audit::record;
use crate::credentials::{dummy_hash, random_token, token_hash, verify_password};
use crate::query::dynamic;
use crate::{Result, Store, StoreError, now, timestamp};

/// How long a session lives without being used.
pub const SESSION_IDLE: Duration = Duration::hours(12);
/// Failures counted towards slowing sign-in down.
pub const THROTTLE_WINDOW: Duration = Duration::minutes(15);
/// Failures allowed per account in the window before each attempt must wait.
pub const FREE_FAILURES_PER_ACCOUNT: i64 = 5;
/// Failures allowed per address in the window: higher, since offices share one address.
pub const FREE_FAILURES_PER_ADDRESS: i64 = 30;

/// How long the next attempt must wait after `failures` failures, the last at `last`: nothing
/// for the first few, then 30 s doubling with each failure, at most the window itself.
pub fn throttle_wait(failures: i64, free: i64, last: OffsetDateTime, now: OffsetDateTime) -> Duration {
    if failures < free {
        return Duration::ZERO;
    }
    let doublings = (failures - free).min(5) as u32;
    let wait = (Duration::seconds(30) * 2i32.pow(doublings)).min(THROTTLE_WINDOW);
    (last + wait - now).max(Duration::ZERO)
}

/// The longest life a personal API token may be given, in days; without an expiry a token
/// lives until it is revoked.
pub const MAX_TOKEN_DAYS: i64 = 3650;

/// A session as the web layer needs it.
#[derive(Debug, Clone)]
pub struct Session {
    pub user_id: i64,
    pub csrf_token: String,
}

/// Why a sign-in was refused. Deliberately vague about which of username or password was
/// wrong, so that the form does not reveal which accounts exist.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SignInRefusal {
    WrongCredentials,
    /// Too many recent failures; the client may try again after this many seconds.
    Throttled {
        retry_after: i64,
    },
}

/// An API token as listed to its owner. The token itself is shown once, at creation.
#[derive(Debug, Clone, Serialize)]
pub struct ApiToken {
    pub id: i64,
    pub name: String,
    pub prefix: String,
    pub created_at: String,
    pub last_used_at: Option<String>,
    pub expires_at: Option<String>,
    pub revoked_at: Option<String>,
}

fn parse_time(text: &str) -> Option<OffsetDateTime> {
    OffsetDateTime::parse(text, &time::format_description::well_known::Rfc3339).ok()
}

impl Store {
    /// Checks a username and password. On success returns the user id and records the sign-in;
    /// on failure records it too, and slows down repeated failures per account and per address.
    pub async fn sign_in(&self, actor: &Actor, username: &str, password: &str) -> Result<Result<i64, SignInRefusal>> {
        let username = username.trim().to_lowercase();
        let address = actor.address.clone().unwrap_or_default();
        let current = OffsetDateTime::now_utc();
        let since = timestamp(current - THROTTLE_WINDOW);
        for (column, value, free) in [
            ("username", &username, FREE_FAILURES_PER_ACCOUNT),
            ("address", &address, FREE_FAILURES_PER_ADDRESS),
        ] {
            let row = sqlx::query(dynamic(format!(
                "SELECT COUNT(*) AS n, MAX(at) AS last FROM sign_in_failures WHERE {column} = $1 AND at >= $2"
            )))
            .bind(value)
            .bind(&since)
            .fetch_one(&self.pool)
            .await?;
            let failures: i64 = row.try_get("n")?;
            let last: Option<String> = row.try_get("last")?;
            if let Some(last) = last.as_deref().and_then(parse_time) {
                let wait = throttle_wait(failures, free, last, current);
                if wait > Duration::ZERO {
                    return Ok(Err(SignInRefusal::Throttled {
                        retry_after: wait.whole_seconds().max(1),
                    }));
                }
            }
        }

        let account = sqlx::query("SELECT id, password_hash, is_active FROM users WHERE username = $1")
            .bind(&username)
            .fetch_optional(&self.pool)
            .await?;
        let (user_id, hash, active) = match &account {
            Some(row) => (
                Some(row.try_get::<i64, _>("id")?),
                row.try_get::<String, _>("password_hash")?,
                row.try_get::<i64, _>("is_active")? != 0,
            ),
            None => (None, dummy_hash().to_owned(), false),
        };
        let verified = verify_password(password, &hash) && active;

        let mut tx = self.pool.begin().await?;
        let at = now();
        let outcome = match (verified, user_id) {
            (true, Some(id)) => {
                sqlx::query("DELETE FROM sign_in_failures WHERE username = $1")
                    .bind(&username)
                    .execute(&mut *tx)
                    .await?;
                sqlx::query("UPDATE users SET last_sign_in_at = $1 WHERE id = $2")
                    .bind(&at)
                    .bind(id)
                    .execute(&mut *tx)
                    .await?;
                let who = Actor {
                    user_id: Some(id),
                    ..actor.clone()
                };
                record(
                    &mut tx,
                    &who,
                    AuditAction::SignIn,
                    Entity::Session,
                    Some(&id.to_string()),
                    "signed in",
                )
                .await?;
                Ok(id)
            }
            _ => {
                sqlx::query("INSERT INTO sign_in_failures (username, address, at) VALUES ($1, $2, $3)")
                    .bind(&username)
                    .bind(&address)
                    .bind(&at)
                    .execute(&mut *tx)
                    .await?;
                // The attempted username is not recorded when no such account exists: it is
                // often a password typed into the wrong field.
                let who = Actor {
                    user_id,
                    ..actor.clone()
                };
                let summary = if user_id.is_some() {
                    "failed sign-in"
                } else {
                    "failed sign-in for an unknown username"
                };
                record(
                    &mut tx,
                    &who,
                    AuditAction::SignInFailed,
                    Entity::Session,
                    user_id.map(|id| id.to_string()).as_deref(),
                    summary,
                )
                .await?;
                Err(SignInRefusal::WrongCredentials)
            }
        };
        tx.commit().await?;
        Ok(outcome)
    }

    /// Opens a session for a signed-in user. Returns the cookie token, shown to no one else.
    pub async fn create_session(&self, user_id: i64, address: Option<&str>) -> Result<(String, Session)> {
        let token = random_token()?;
        let csrf_token = random_token()?;
        let current = OffsetDateTime::now_utc();
        sqlx::query(
            "INSERT INTO sessions (token_hash, user_id, csrf_token, created_at, expires_at, last_seen_at, address)
             VALUES ($1, $2, $3, $4, $5, $4, $6)",
        )
        .bind(token_hash(&token))
        .bind(user_id)
        .bind(&csrf_token)
        .bind(timestamp(current))
        .bind(timestamp(current + SESSION_IDLE))
        .bind(address)
        .execute(&self.pool)
        .await?;
        Ok((token, Session { user_id, csrf_token }))
    }

    /// The live session for a cookie token, extending its life when it is used. Expired
    /// sessions and those of deactivated users are not returned.
    pub async fn session(&self, token: &str) -> Result<Option<Session>> {
        let hash = token_hash(token);
        let current = OffsetDateTime::now_utc();
        let row = sqlx::query(
            "SELECT s.user_id, s.csrf_token, s.last_seen_at FROM sessions s JOIN users u ON u.id = s.user_id
             WHERE s.token_hash = $1 AND s.expires_at > $2 AND u.is_active = 1",
        )
        .bind(&hash)
        .bind(timestamp(current))
        .fetch_optional(&self.pool)
        .await?;
        let Some(row) = row else { return Ok(None) };
        let last_seen: String = row.try_get("last_seen_at")?;
        // Extending the session is a write: do it at most once a minute per session.
        if parse_time(&last_seen).is_none_or(|seen| current - seen > Duration::minutes(1)) {
            sqlx::query("UPDATE sessions SET last_seen_at = $1, expires_at = $2 WHERE token_hash = $3")
                .bind(timestamp(current))
                .bind(timestamp(current + SESSION_IDLE))
                .bind(&hash)
                .execute(&self.pool)
                .await?;
        }
        Ok(Some(Session {
            user_id: row.try_get("user_id")?,
            csrf_token: row.try_get("csrf_token")?,
        }))
    }

    pub async fn end_session(&self, actor: &Actor, token: &str) -> Result<()> {
        let mut tx = self.pool.begin().await?;
        let done = sqlx::query("DELETE FROM sessions WHERE token_hash = $1")
            .bind(token_hash(token))
            .execute(&mut *tx)
            .await?;
        if done.rows_affected() > 0 {
            let id = actor.user_id.map(|id| id.to_string());
            record(
                &mut tx,
                actor,
                AuditAction::SignOut,
                Entity::Session,
                id.as_deref(),
                "signed out",
            )
            .await?;
        }
        tx.commit().await?;
        Ok(())
    }

    /// Removes expired sessions and old sign-in failures. Any instance may run it.
    pub async fn purge_expired(&self) -> Result<u64> {
        let current = OffsetDateTime::now_utc();
        let sessions = sqlx::query("DELETE FROM sessions WHERE expires_at <= $1")
            .bind(timestamp(current))
            .execute(&self.pool)
            .await?
            .rows_affected();
        sqlx::query("DELETE FROM sign_in_failures WHERE at < $1")
            .bind(timestamp(current - THROTTLE_WINDOW))
            .execute(&self.pool)
            .await?;
        Ok(sessions)
    }

    /// Creates a personal API token for `user_id`. The returned token is shown once and only
    /// its hash is kept.
    pub async fn create_api_token(
        &self,
        actor: &Actor,
        user_id: i64,
        name: &str,
        expires_at: Option<OffsetDateTime>,
    ) -> Result<(String, ApiToken)> {
        let name = required_text("token name", name, 100)?;
        let token = format!("rumbo_{}", random_token()?);
        let prefix: String = token.chars().take(12).collect();
        let mut tx = self.pool.begin().await?;
        let id: i64 = sqlx::query(
            "INSERT INTO api_tokens (user_id, name, token_hash, prefix, created_at, expires_at) VALUES ($1, $2, $3, $4, $5, $6) RETURNING id",
        )
        .bind(user_id)
        .bind(&name)
        .bind(token_hash(&token))
        .bind(&prefix)
        .bind(now())
        .bind(expires_at.map(timestamp))
        .fetch_one(&mut *tx)
        .await?
        .try_get("id")?;
        record(
            &mut tx,
            actor,
            AuditAction::Create,
            Entity::ApiToken,
            Some(&id.to_string()),
            &format!("created API token {prefix}…"),
        )
        .await?;
        tx.commit().await?;
        let listed = self
            .api_tokens(user_id)
            .await?
            .into_iter()
            .find(|t| t.id == id)
            .ok_or_else(|| StoreError::not_found("API token", id))?;
        Ok((token, listed))
    }

    pub async fn api_tokens(&self, user_id: i64) -> Result<Vec<ApiToken>> {
        let rows = sqlx::query(
            "SELECT id, name, prefix, created_at, last_used_at, expires_at, revoked_at FROM api_tokens WHERE user_id = $1 ORDER BY id DESC",
        )
        .bind(user_id)
        .fetch_all(&self.pool)
        .await?;
        rows.iter()
            .map(|row| {
                Ok(ApiToken {
                    id: row.try_get("id")?,
                    name: row.try_get("name")?,
                    prefix: row.try_get("prefix")?,
                    created_at: row.try_get("created_at")?,
                    last_used_at: row.try_get("last_used_at")?,
                    expires_at: row.try_get("expires_at")?,
                    revoked_at: row.try_get("revoked_at")?,
                })
            })
            .collect()
    }

    /// Revokes one of `user_id`'s tokens. Revoking someone else's token is "not found".
    pub async fn revoke_api_token(&self, actor: &Actor, user_id: i64, token_id: i64) -> Result<()> {
        let mut tx = self.pool.begin().await?;
        let done =
            sqlx::query("UPDATE api_tokens SET revoked_at = $1 WHERE id = $2 AND user_id = $3 AND revoked_at IS NULL")
                .bind(now())
                .bind(token_id)
                .bind(user_id)
                .execute(&mut *tx)
                .await?;
        if done.rows_affected() == 0 {
            return Err(StoreError::not_found("API token", token_id));
        }
        record(
            &mut tx,
            actor,
            AuditAction::Delete,
            Entity::ApiToken,
            Some(&token_id.to_string()),
            "revoked API token",
        )
        .await?;
        tx.commit().await?;
        Ok(())
    }

    /// The user a bearer token belongs to, if it is live: not revoked, not expired, and its
    /// user still active.
    pub async fn api_token_user(&self, token: &str) -> Result<Option<i64>> {
        let current = OffsetDateTime::now_utc();
        let row = sqlx::query(
            "SELECT t.id, t.user_id, t.last_used_at FROM api_tokens t JOIN users u ON u.id = t.user_id
             WHERE t.token_hash = $1 AND t.revoked_at IS NULL AND (t.expires_at IS NULL OR t.expires_at > $2) AND u.is_active = 1",
        )
        .bind(token_hash(token))
        .bind(timestamp(current))
        .fetch_optional(&self.pool)
        .await?;
        let Some(row) = row else { return Ok(None) };
        let last_used: Option<String> = row.try_get("last_used_at")?;
        if last_used
            .as_deref()
            .and_then(parse_time)
            .is_none_or(|used| current - used > Duration::minutes(1))
        {
            sqlx::query("UPDATE api_tokens SET last_used_at = $1 WHERE id = $2")
                .bind(timestamp(current))
                .bind(row.try_get::<i64, _>("id")?)
                .execute(&self.pool)
                .await?;
        }
        Ok(Some(row.try_get("user_id")?))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sign_in_waits_grow_after_the_free_failures() {
        let t0 = OffsetDateTime::UNIX_EPOCH;
        let free = FREE_FAILURES_PER_ACCOUNT;
        assert_eq!(throttle_wait(free - 1, free, t0, t0), Duration::ZERO);
        assert_eq!(throttle_wait(free, free, t0, t0), Duration::seconds(30));
        assert_eq!(throttle_wait(free + 1, free, t0, t0), Duration::seconds(60));
        assert_eq!(
            throttle_wait(free + 1, free, t0, t0 + Duration::seconds(45)),
            Duration::seconds(15)
        );
        assert_eq!(throttle_wait(free + 40, free, t0, t0), THROTTLE_WINDOW);
        assert_eq!(throttle_wait(free, free, t0, t0 + Duration::hours(1)), Duration::ZERO);
    }
}
