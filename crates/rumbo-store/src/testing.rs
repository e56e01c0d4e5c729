//! Fresh databases for tests. By default each test gets its own SQLite file in a temporary
//! folder; when `RUMBO_TEST_POSTGRES_URL` names a PostgreSQL server (an admin URL such as
//! `postgres://postgres@127.0.0.1:5432/postgres`), each test gets its own freshly created
//! PostgreSQL database instead, dropped when the test ends. The same tests then prove both
//! backends.

use std::path::PathBuf;

use sqlx::{Connection, Executor};

use crate::credentials::random_token;
use crate::{Backend, Store, StoreError};

pub const POSTGRES_ENV: &str = "RUMBO_TEST_POSTGRES_URL";

/// A database that exists for one test. Keep it alive as long as the store is used.
pub struct TestDatabase {
    pub url: String,
    cleanup: Cleanup,
}

enum Cleanup {
    SqliteFolder(PathBuf),
    PostgresDatabase { admin_url: String, name: String },
}

impl TestDatabase {
    /// Creates an empty database (no schema): SQLite unless [`POSTGRES_ENV`] is set.
    pub async fn create() -> Result<TestDatabase, StoreError> {
        let suffix = &random_token()?[..16];
        match std::env::var(POSTGRES_ENV) {
            Ok(admin_url) if !admin_url.trim().is_empty() => {
                let name = format!("rumbo_test_{suffix}");
                let mut conn = sqlx::PgConnection::connect(&admin_url).await?;
                conn.execute(sqlx::AssertSqlSafe(format!("CREATE DATABASE {name}")))
                    .await?;
                conn.close().await?;
                let (base, _) = admin_url
                    .rsplit_once('/')
                    .ok_or_else(|| StoreError::BadUrl(format!("{POSTGRES_ENV} must end with /DATABASE")))?;
                Ok(TestDatabase {
                    url: format!("{base}/{name}"),
                    cleanup: Cleanup::PostgresDatabase { admin_url, name },
                })
            }
            _ => {
                let folder = std::env::temp_dir().join(format!("rumbo-test-{suffix}"));
                std::fs::create_dir_all(&folder)
                    .map_err(|e| StoreError::BadUrl(format!("{}: {e}", folder.display())))?;
                Ok(TestDatabase {
                    url: format!("sqlite://{}/rumbo.db", folder.display()),
                    cleanup: Cleanup::SqliteFolder(folder),
                })
            }
        }
    }

    /// Creates a database and opens a migrated store on it, with a fresh set of data keys.
    pub async fn store() -> Result<(Store, TestDatabase), StoreError> {
        let db = TestDatabase::create().await?;
        let store = Store::connect(&db.url).await?;
        store.migrate().await?;
        let keys = crate::vault::DataKeys::generate().map_err(|e| StoreError::BadUrl(e.to_string()))?;
        let store = store
            .with_data_keys(keys)
            .map_err(|e| StoreError::BadUrl(e.to_string()))?;
        Ok((store, db))
    }

    pub fn backend(&self) -> Backend {
        match self.cleanup {
            Cleanup::SqliteFolder(_) => Backend::Sqlite,
            Cleanup::PostgresDatabase { .. } => Backend::Postgres,
        }
    }
}

impl Drop for TestDatabase {
    fn drop(&mut self) {
        match &self.cleanup {
            Cleanup::SqliteFolder(folder) => {
                let _ = std::fs::remove_dir_all(folder);
            }
            Cleanup::PostgresDatabase { admin_url, name } => {
                let (admin_url, db_name) = (admin_url.clone(), name.clone());
                // Drop runs outside any async context we can rely on: use a thread of its own.
                let dropped = std::thread::spawn(move || {
                    let runtime = tokio::runtime::Builder::new_current_thread()
                        .enable_all()
                        .build()
                        .ok()?;
                    runtime.block_on(async {
                        let mut conn = sqlx::PgConnection::connect(&admin_url).await.ok()?;
                        conn.execute(sqlx::AssertSqlSafe(format!(
                            "DROP DATABASE IF EXISTS {db_name} WITH (FORCE)"
                        )))
                        .await
                        .ok()?;
                        conn.close().await.ok()
                    })
                })
                .join();
                if !matches!(dropped, Ok(Some(()))) {
                    eprintln!("warning: the test database {name} could not be dropped");
                }
            }
        }
    }
}
