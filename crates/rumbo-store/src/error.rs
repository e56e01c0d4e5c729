use rumbo_domain::{DomainError, Problem};
use thiserror::Error;

/// What can go wrong in the store. Messages are safe to show the user who caused them: they
/// name records by id or code, never by personal data, and never echo a database password.
#[derive(Debug, Error)]
pub enum StoreError {
    #[error("{0}")]
    BadUrl(String),
    #[error("cannot reach the database at {target}: {reason}")]
    Unreachable { target: String, reason: String },
    #[error("the database schema could not be brought up to date: {0}")]
    Migrate(#[from] sqlx::migrate::MigrateError),
    #[error("{entity} {key} does not exist")]
    NotFound { entity: &'static str, key: String },
    /// A uniqueness rule was broken: a second user with the same username, a P-code twice...
    #[error("{0}")]
    Conflict(String),
    #[error(transparent)]
    Invalid(#[from] DomainError),
    /// An import with problems at one or more places; nothing of it was stored.
    #[error("{message}")]
    Rejected { message: String, problems: Vec<Problem> },
    #[error("stored {what} is not valid: {detail}")]
    Corrupt { what: &'static str, detail: String },
    #[error("the database is busy; try again in a moment")]
    Busy,
    /// Personal data cannot be written or read: the server has no data key.
    #[error(
        "personal data protection is not configured: start Rumbo with its data keys (RUMBO_DATA_KEY or \
         --data-key-file; `rumbo keys generate` makes a key file)"
    )]
    NoDataKey,
    #[error("database error: {0}")]
    Database(#[source] sqlx::Error),
}

impl StoreError {
    pub fn not_found(entity: &'static str, key: impl ToString) -> StoreError {
        StoreError::NotFound {
            entity,
            key: key.to_string(),
        }
    }
}

impl From<sqlx::Error> for StoreError {
    fn from(e: sqlx::Error) -> Self {
        match e {
            sqlx::Error::PoolTimedOut => StoreError::Busy,
            e => StoreError::Database(e),
        }
    }
}

/// Turns a unique-constraint violation into a [`StoreError::Conflict`] with `message`; any
/// other error passes through.
pub(crate) fn conflict_on_unique(message: impl FnOnce() -> String) -> impl FnOnce(sqlx::Error) -> StoreError {
    move |e| match &e {
        sqlx::Error::Database(db) if db.is_unique_violation() => StoreError::Conflict(message()),
        _ => StoreError::Database(e),
    }
}
