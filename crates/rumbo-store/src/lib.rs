//! Rumbo's storage boundary. One [`Store`] speaks to SQLite (one office, one file) or to
//! PostgreSQL (many users on one server), chosen once from the database URL. SQL is written once
//! with `$1` placeholders, which both backends accept; the few places where the dialects differ
//! are marked and kept in [`dialect`].
//!
//! Every function that changes data, or reads personal data, writes its audit entry in the same
//! transaction (see [`audit::record`]), declared next to the query it audits.

/// The audit log: recording entries and browsing them.
mod assignments;
pub mod audit;
/// Privacy-preserving linkage: organisations' encodings, linkage runs, consents to release pairs.
pub mod clk;
/// Password hashing and random tokens.
pub mod credentials;
/// De-duplication: the review queue, decisions, resolved identities, the linkage engine's runs.
pub mod deduplication;
/// The few statements that differ between SQLite and PostgreSQL, in one place.
pub mod dialect;
mod error;
/// Flow monitoring points, counts with their daily rollups, dashboards, official figures.
pub mod flow;
/// Flow monitoring surveys, risk rules and the protection queue.
pub mod fms;
/// Countries and admin areas with their P-codes and boundaries.
pub mod geography;
/// Locations resolved to their admin areas.
pub mod locations;
/// The schema's history, embedded in the binary, one SQL file per version and backend.
mod migrations;
/// Organisations and the platforms they belong to.
pub mod organisations;
/// Dynamic WHERE clauses with numbered placeholders.
mod query;
/// R4V: sectors and indicators, 5W reports, exchange submissions, population figures,
/// targets, funding and people in need.
pub mod r4v;
/// Households and individuals, consent, history, sharing, scores, programmes: DTM registration.
pub mod registration;
/// Sessions, sign-in throttling and API tokens: how a request proves who it is.
pub mod sessions;
/// Fresh SQLite or PostgreSQL databases for tests, one per test.
pub mod testing;
/// User accounts and the roles they hold.
pub mod users;
/// Field-level encryption of personal data, and blind indexes to compare it without decrypting.
pub mod vault;

use std::path::Path;
use std::str::FromStr;
use std::sync::Arc;
use std::time::Duration;

use sqlx::any::{AnyConnectOptions, AnyPoolOptions};
use sqlx::{AnyPool, ConnectOptions, Connection};

pub use error::StoreError;
pub use query::Page;

pub type Result<T, E = StoreError> = std::result::Result<T, E>;

/// Which database a [`Store`] is on.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Backend {
    Sqlite,
    Postgres,
}

/// The database: cheap to clone, shared by every request.
#[derive(Clone, Debug)]
pub struct Store {
    pool: AnyPool,
    backend: Backend,
    /// The keys that seal personal data; `None` when the server was started without them,
    /// and then nothing personal can be written or read.
    vault: Option<Arc<vault::Vault>>,
}

impl Store {
    /// Opens the database at `url`: `sqlite://PATH` (created if missing; its folder must exist)
    /// or `postgres://USER:PASSWORD@HOST:PORT/DB`. Anything else is refused with a message that
    /// says what is accepted. Does not run migrations: call [`Store::migrate`].
    pub async fn connect(url: &str) -> Result<Store> {
        sqlx::any::install_default_drivers();
        let backend = backend_of(url)?;
        let shown = redact(url);
        let url = match backend {
            Backend::Sqlite => sqlite_url(url)?,
            Backend::Postgres => url.to_owned(),
        };
        let options = AnyConnectOptions::from_str(&url)
            .map_err(|e| StoreError::BadUrl(format!("{shown}: {e}")))?
            .disable_statement_logging();
        // One writer at a time is SQLite's nature; a small pool avoids lock contention.
        let max_connections = match backend {
            Backend::Sqlite => 8,
            Backend::Postgres => 16,
        };
        let pool_options = AnyPoolOptions::new()
            .max_connections(max_connections)
            .after_connect(move |conn, _| {
                Box::pin(async move {
                    use sqlx::Executor;
                    conn.execute(dialect::connection_setup(backend)).await?;
                    Ok(())
                })
            })
            .acquire_timeout(Duration::from_secs(10));
        let unreachable = |e: sqlx::Error| StoreError::Unreachable {
            target: shown.clone(),
            reason: e.to_string(),
        };
        // One direct connection first: a refused or misnamed server fails at once with its own
        // reason, where the pool would retry until its timeout.
        sqlx::AnyConnection::connect_with(&options)
            .await
            .map_err(unreachable)?
            .close()
            .await
            .map_err(unreachable)?;
        let pool = pool_options.connect_with(options).await.map_err(unreachable)?;
        Ok(Store {
            pool,
            backend,
            vault: None,
        })
    }

    /// This store, sealing and opening personal data with `keys`.
    pub fn with_data_keys(mut self, keys: vault::DataKeys) -> std::result::Result<Store, vault::KeyError> {
        self.vault = Some(Arc::new(vault::Vault::new(keys)?));
        Ok(self)
    }

    /// Whether personal data can be written and read (the server has its data keys).
    pub fn has_data_keys(&self) -> bool {
        self.vault.is_some()
    }

    /// The vault, or the error that says how to configure one.
    pub(crate) fn vault(&self) -> Result<&vault::Vault> {
        self.vault.as_deref().ok_or(StoreError::NoDataKey)
    }

    /// Brings the schema up to date. Safe to run at every start and from several processes.
    pub async fn migrate(&self) -> Result<()> {
        migrations::migrator(self.backend).run(&self.pool).await?;
        geography::ensure_known_countries(self).await?;
        self.ensure_default_rules().await?;
        r4v::ensure_registry(self).await?;
        Ok(())
    }

    pub fn backend(&self) -> Backend {
        self.backend
    }

    pub fn pool(&self) -> &AnyPool {
        &self.pool
    }

    /// Closes every connection; waits for those in use to be returned.
    pub async fn close(&self) {
        self.pool.close().await;
    }
}

fn backend_of(url: &str) -> Result<Backend> {
    let scheme = url.split_once(':').map(|(s, _)| s).unwrap_or("");
    match scheme {
        "sqlite" => Ok(Backend::Sqlite),
        "postgres" | "postgresql" => Ok(Backend::Postgres),
        _ => Err(StoreError::BadUrl(format!(
            "'{}' is not a database URL Rumbo can use: give sqlite://PATH/TO/rumbo.db for an \
             embedded database, or postgres://USER:PASSWORD@HOST:PORT/DATABASE for PostgreSQL",
            redact(url)
        ))),
    }
}

/// Checks the SQLite path before opening it, so that a typo'd folder is reported as such
/// rather than as SQLite's "unable to open database file", and asks SQLite to create the file.
fn sqlite_url(url: &str) -> Result<String> {
    let rest = url.trim_start_matches("sqlite:").trim_start_matches("//");
    let (path, query) = rest.split_once('?').unwrap_or((rest, ""));
    if path.is_empty() || path == ":memory:" {
        return Err(StoreError::BadUrl(
            "Rumbo keeps its data in a file: give sqlite://PATH/TO/rumbo.db".into(),
        ));
    }
    let parent = Path::new(path).parent().filter(|p| !p.as_os_str().is_empty());
    if let Some(parent) = parent
        && !parent.is_dir()
    {
        return Err(StoreError::BadUrl(format!(
            "cannot create the SQLite database {path}: the folder {} does not exist",
            parent.display()
        )));
    }
    if Path::new(path).is_dir() {
        return Err(StoreError::BadUrl(format!(
            "{path} is a folder; give the path of the database file inside it, such as {path}/rumbo.db"
        )));
    }
    let query = if query.contains("mode=") {
        query.to_owned()
    } else if query.is_empty() {
        "mode=rwc".to_owned()
    } else {
        format!("{query}&mode=rwc")
    };
    Ok(format!("sqlite://{path}?{query}"))
}

/// The URL with any password replaced, fit for messages and logs.
pub fn redact(url: &str) -> String {
    let Some((scheme, rest)) = url.split_once("://") else {
        return url.to_owned();
    };
    match rest.split_once('@') {
        Some((userinfo, host)) => {
            let user = userinfo.split(':').next().unwrap_or("");
            if userinfo.contains(':') {
                format!("{scheme}://{user}:***@{host}")
            } else {
                format!("{scheme}://{userinfo}@{host}")
            }
        }
        None => url.to_owned(),
    }
}

/// The current time as stored: RFC 3339, UTC, whole seconds.
pub fn now() -> String {
    timestamp(time::OffsetDateTime::now_utc())
}

/// A time as stored: RFC 3339, UTC, whole seconds.
pub fn timestamp(at: time::OffsetDateTime) -> String {
    let at = at.to_offset(time::UtcOffset::UTC);
    format!(
        "{:04}-{:02}-{:02}T{:02}:{:02}:{:02}Z",
        at.year(),
        u8::from(at.month()),
        at.day(),
        at.hour(),
        at.minute(),
        at.second()
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn urls_of_other_kinds_are_refused_with_the_accepted_forms() {
        let err = backend_of("mysql://root:secret@db/rumbo")
            .expect_err("refused")
            .to_string();
        assert!(err.contains("sqlite://") && err.contains("postgres://"), "{err}");
        assert!(!err.contains("secret"), "password leaked: {err}");
    }

    #[test]
    fn a_typo_in_the_sqlite_folder_is_named() {
        let err = sqlite_url("sqlite:///no/such/folder/rumbo.db")
            .expect_err("refused")
            .to_string();
        assert!(err.contains("/no/such/folder"), "{err}");
        assert_eq!(
            sqlite_url("sqlite://rumbo.db").expect("accepted"),
            "sqlite://rumbo.db?mode=rwc"
        );
    }

    /// Every pooled connection, not only the first, starts with the dialect's settings: on
    /// PostgreSQL the planner's random-read cost that keeps dashboards on their keys.
    #[tokio::test]
    async fn every_connection_of_the_pool_has_the_dialects_settings() {
        let (store, db) = testing::TestDatabase::store().await.expect("store");
        let mut held = Vec::new();
        for _ in 0..3 {
            let mut conn = store.pool.acquire().await.expect("connection");
            let setting: String = match db.backend() {
                Backend::Sqlite => sqlx::query_scalar("SELECT CAST(foreign_keys AS TEXT) FROM pragma_foreign_keys")
                    .fetch_one(&mut *conn)
                    .await
                    .expect("pragma"),
                Backend::Postgres => sqlx::query_scalar("SELECT current_setting('random_page_cost')")
                    .fetch_one(&mut *conn)
                    .await
                    .expect("setting"),
            };
            let expected = match db.backend() {
                Backend::Sqlite => "1",
                Backend::Postgres => "1.1",
            };
            assert_eq!(setting, expected);
            held.push(conn);
        }
    }

    #[test]
    fn passwords_are_redacted() {
        assert_eq!(
            redact("postgres://rumbo:hunter2@db:5432/rumbo"),
            "postgres://rumbo:***@db:5432/rumbo"
        );
        assert_eq!(redact("postgres://db/rumbo"), "postgres://db/rumbo");
    }
}
