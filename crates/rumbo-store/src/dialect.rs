//! Where SQLite and PostgreSQL disagree. Everything else is written once.

use sqlx::Database;
use sqlx::any::{Any, AnyTypeInfo};
use sqlx::encode::{Encode, IsNull};
use sqlx::error::BoxDynError;
use sqlx::types::Type;

use crate::Backend;

/// A number that may be missing, to bind. sqlx 0.9's Any driver sends a missing `f64` to
/// PostgreSQL as a `real` (float4) NULL: it swaps its float and double nulls (sqlx pull
/// request 4359). PostgreSQL caches the statement with that parameter type, and the next number
/// bound to it on the same connection is refused as "incorrect binary data format". Bound
/// through this, a missing value is a `double precision` NULL on PostgreSQL.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct OptionalF64(pub Option<f64>);

impl Type<Any> for OptionalF64 {
    fn type_info() -> AnyTypeInfo {
        <f64 as Type<Any>>::type_info()
    }
}

impl Encode<'_, Any> for OptionalF64 {
    fn encode_by_ref(&self, buf: &mut <Any as Database>::ArgumentBuffer) -> Result<IsNull, BoxDynError> {
        match self.0 {
            Some(v) => <f64 as Encode<Any>>::encode_by_ref(&v, buf),
            // The driver turns an `f32` null into an `f64` one: see above. When sqlx is fixed,
            // `a_missing_number_and_a_number_share_a_statement` fails and this becomes `f64`.
            None => <Option<f32> as Encode<Any>>::encode_by_ref(&None, buf),
        }
    }
}

/// Case-insensitive substring match: SQLite's LIKE is already case-insensitive for ASCII,
/// PostgreSQL needs ILIKE.
pub fn ilike(backend: Backend) -> &'static str {
    match backend {
        Backend::Sqlite => "LIKE",
        Backend::Postgres => "ILIKE",
    }
}

/// Escapes `%`, `_` and `\` in user text before it is wrapped in `%...%` for a LIKE pattern.
pub fn like_pattern(text: &str) -> String {
    let escaped = text.replace('\\', "\\\\").replace('%', "\\%").replace('_', "\\_");
    format!("%{escaped}%")
}

/// The `n`th placeholder of a statement (from 1), for conditions built in a loop: `?` for
/// SQLite, for the reason given at [`values_list`]; `$n` for PostgreSQL.
pub fn placeholder(backend: Backend, n: usize) -> String {
    match backend {
        Backend::Sqlite => "?".to_owned(),
        Backend::Postgres => format!("${n}"),
    }
}

/// The VALUES list of a multi-row INSERT: `(…),(…)` with `rows` rows of `width` placeholders.
/// SQLite gets anonymous `?` placeholders: it looks numbered ones (`$17`) up by name with a
/// linear scan per binding, which makes a statement of 20,000 parameters take seconds instead
/// of milliseconds. PostgreSQL needs `$1, $2...`.
pub fn values_list(backend: Backend, rows: usize, width: usize) -> String {
    let mut sql = String::with_capacity(rows * width * 4);
    let mut n = 0;
    for r in 0..rows {
        if r > 0 {
            sql.push(',');
        }
        sql.push('(');
        for c in 0..width {
            if c > 0 {
                sql.push(',');
            }
            n += 1;
            match backend {
                Backend::Sqlite => sql.push('?'),
                Backend::Postgres => {
                    sql.push('$');
                    sql.push_str(&n.to_string());
                }
            }
        }
        sql.push(')');
    }
    sql
}

/// Settings every connection of the pool starts with.
///
/// SQLite: foreign keys enforced, the write-ahead log (readers never wait for the writer),
/// a writer waits up to 10 s for the lock, and `NORMAL` sync, which under WAL loses no committed
/// transaction on a crash of the process.
///
/// PostgreSQL: `random_page_cost` 1.1 instead of the default 4, which models a spinning disk.
/// Rumbo's reads go by key into rollups that sit in memory or on SSD; with the default, the
/// planner chose to scan all of `flow_daily_values` (parallel, 36–46 ms) over reading one
/// country's quarter through its primary key (2 ms), and a dashboard's p95 was four times its
/// median. 1.1 is PostgreSQL's own advice for data cached in memory or on solid-state storage.
/// It is set for Rumbo's sessions only, and an operator can still raise it per database.
pub fn connection_setup(backend: Backend) -> &'static str {
    match backend {
        Backend::Sqlite => {
            "PRAGMA foreign_keys = ON; PRAGMA journal_mode = WAL; PRAGMA busy_timeout = 10000; PRAGMA synchronous = NORMAL;"
        }
        Backend::Postgres => "SET random_page_cost = 1.1",
    }
}

/// Settings for a connection about to write a large batch, and how to undo them. SQLite's
/// default page cache (2 MB) spills dirty pages to the log in the middle of a large transaction,
/// and its statement journals go to temporary files: a larger cache and journals in memory
/// roughly halve the time of a million-row import. PostgreSQL needs nothing.
pub fn bulk_write(backend: Backend) -> Option<(&'static str, &'static str)> {
    match backend {
        Backend::Sqlite => Some((
            "PRAGMA cache_size = -131072; PRAGMA temp_store = MEMORY",
            "PRAGMA cache_size = -2000; PRAGMA temp_store = DEFAULT",
        )),
        Backend::Postgres => None,
    }
}

/// After a large import: PostgreSQL plans from table statistics that autovacuum refreshes only
/// later, and until then may scan a whole rollup table for one country's quarter. SQLite's
/// planner needs no statistics for these indexed lookups.
pub fn refresh_rollup_statistics(backend: Backend) -> Option<&'static str> {
    match backend {
        Backend::Postgres => Some("ANALYZE flow_daily, flow_daily_values, flow_observations"),
        Backend::Sqlite => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn values_lists_number_placeholders_only_for_postgres() {
        assert_eq!(values_list(Backend::Sqlite, 2, 2), "(?,?),(?,?)");
        assert_eq!(values_list(Backend::Postgres, 2, 2), "($1,$2),($3,$4)");
    }
}
