//! The migrations, embedded at build time. Each version has one file per backend, listed
//! together here, so the two trees cannot drift apart in number or order. Landed migrations
//! are never edited (their checksums are checked at start): add a new version instead.

use std::borrow::Cow;

use sqlx::SqlSafeStr;
use sqlx::migrate::{Migration, MigrationType, Migrator};

use crate::Backend;

/// (version, description, SQLite, PostgreSQL)
const MIGRATIONS: &[(i64, &str, &str, &str)] = &[
    (
        1,
        "foundation",
        include_str!("../migrations/sqlite/0001_foundation.sql"),
        include_str!("../migrations/postgres/0001_foundation.sql"),
    ),
    (
        2,
        "flow_monitoring",
        include_str!("../migrations/sqlite/0002_flow_monitoring.sql"),
        include_str!("../migrations/postgres/0002_flow_monitoring.sql"),
    ),
    (
        3,
        "registration",
        include_str!("../migrations/sqlite/0003_registration.sql"),
        include_str!("../migrations/postgres/0003_registration.sql"),
    ),
    (
        4,
        "r4v",
        include_str!("../migrations/sqlite/0004_r4v.sql"),
        include_str!("../migrations/postgres/0004_r4v.sql"),
    ),
    (
        5,
        "deduplication",
        include_str!("../migrations/sqlite/0005_deduplication.sql"),
        include_str!("../migrations/postgres/0005_deduplication.sql"),
    ),
    (
        6,
        "clk",
        include_str!("../migrations/sqlite/0006_clk.sql"),
        include_str!("../migrations/postgres/0006_clk.sql"),
    ),
    (
        7,
        "registration_desks",
        include_str!("../migrations/sqlite/0007_registration_desks.sql"),
        include_str!("../migrations/postgres/0007_registration_desks.sql"),
    ),
    (
        8,
        "flow_counts_compact",
        include_str!("../migrations/sqlite/0008_flow_counts_compact.sql"),
        include_str!("../migrations/postgres/0008_flow_counts_compact.sql"),
    ),
    (
        9,
        "deduplication_runs",
        include_str!("../migrations/sqlite/0009_deduplication_runs.sql"),
        include_str!("../migrations/postgres/0009_deduplication_runs.sql"),
    ),
    (
        10,
        "flow_breakdown_compact",
        include_str!("../migrations/sqlite/0010_flow_breakdown_compact.sql"),
        include_str!("../migrations/postgres/0010_flow_breakdown_compact.sql"),
    ),
];

pub(crate) fn migrator(backend: Backend) -> Migrator {
    let migrations = MIGRATIONS
        .iter()
        .map(|&(version, description, sqlite, postgres)| {
            let sql = match backend {
                Backend::Sqlite => sqlite,
                Backend::Postgres => postgres,
            };
            Migration::new(
                version,
                Cow::Borrowed(description),
                MigrationType::Simple,
                sql.into_sql_str(),
                false,
            )
        })
        .collect::<Vec<_>>();
    Migrator {
        migrations: Cow::Owned(migrations),
        ..Migrator::DEFAULT
    }
}

/// The migrations up to `version` only: a test brings a database to an older schema, fills it as
/// that schema was filled, and checks what the later migrations make of it.
#[cfg(test)]
pub(crate) fn migrator_up_to(backend: Backend, version: i64) -> Migrator {
    let mut migrator = migrator(backend);
    migrator.migrations = Cow::Owned(
        migrator
            .migrations
            .iter()
            .filter(|m| m.version <= version)
            .cloned()
            .collect(),
    );
    migrator
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Every file in either migrations folder is listed above, under the same version and name.
    #[test]
    fn both_trees_stay_in_step() {
        let root = concat!(env!("CARGO_MANIFEST_DIR"), "/migrations");
        for backend in ["sqlite", "postgres"] {
            let mut files: Vec<String> = std::fs::read_dir(format!("{root}/{backend}"))
                .expect("migrations folder")
                .map(|e| e.expect("entry").file_name().to_string_lossy().into_owned())
                .collect();
            files.sort();
            let listed: Vec<String> = MIGRATIONS
                .iter()
                .map(|(version, description, _, _)| format!("{version:04}_{description}.sql"))
                .collect();
            assert_eq!(
                files, listed,
                "migrations/{backend} differs from the list in migrations.rs"
            );
        }
        for window in MIGRATIONS.windows(2) {
            assert!(window[0].0 < window[1].0, "versions must increase");
        }
    }
}
