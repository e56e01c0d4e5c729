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
