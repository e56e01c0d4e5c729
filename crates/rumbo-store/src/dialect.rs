//! Where SQLite and PostgreSQL disagree. Everything else is written once.

use crate::Backend;

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

/// Appends the placeholder of the `n`th (1-based) value of a long multi-row statement on the
/// connection's backend. Everywhere else SQL is written with `$n`, which both accept; but sqlx
/// binds a SQLite statement's `$n` placeholders by asking SQLite each one's name, which SQLite
/// finds by walking its list of names, so binding many values costs their square. Anonymous
/// `?` placeholders have no names to walk. Appended in place: a bulk write writes millions.
pub(crate) fn push_bulk_placeholder(sql: &mut String, sqlite: bool, n: usize) {
    if sqlite {
        sql.push('?');
    } else {
        use std::fmt::Write as _;
        let _ = write!(sql, "${n}");
    }
}

/// Before a bulk write on SQLite: a page cache large enough (up to 128 MB, used only as it
/// fills) that the indexes of a large import stay in memory instead of being read back from
/// disk for every batch. Nothing to do on PostgreSQL.
pub(crate) async fn prepare_bulk_write(conn: &mut sqlx::AnyConnection) -> crate::Result<()> {
    if conn.backend_name().eq_ignore_ascii_case("sqlite") {
        sqlx::query("PRAGMA cache_size = -131072").execute(&mut *conn).await?;
    }
    Ok(())
}
