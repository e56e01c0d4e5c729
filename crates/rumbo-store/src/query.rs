//! A small builder for the WHERE clauses of list screens, where filters come and go. sqlx's
//! `QueryBuilder` writes `?` placeholders for the Any driver, which PostgreSQL rejects; this
//! one numbers them `$1, $2...`, which both backends accept.

use serde::{Deserialize, Serialize};
use sqlx::Arguments;
use sqlx::any::AnyArguments;

/// A value bound to a placeholder.
#[derive(Debug, Clone)]
pub(crate) enum Value {
    Int(i64),
    Text(String),
}

impl From<i64> for Value {
    fn from(v: i64) -> Self {
        Value::Int(v)
    }
}

impl From<String> for Value {
    fn from(v: String) -> Self {
        Value::Text(v)
    }
}

impl From<&str> for Value {
    fn from(v: &str) -> Self {
        Value::Text(v.to_owned())
    }
}

/// Conditions joined with AND, and their bound values.
#[derive(Default)]
pub(crate) struct Filter {
    conditions: Vec<String>,
    values: Vec<Value>,
}

impl Filter {
    /// Binds `value` and returns its placeholder, such as `$3`.
    pub fn bind(&mut self, value: impl Into<Value>) -> String {
        self.values.push(value.into());
        format!("${}", self.values.len())
    }

    /// Adds a condition in which `$` stands for the bound value, such as `user_id = $`.
    pub fn push(&mut self, condition: &str, value: impl Into<Value>) -> &mut Self {
        let placeholder = self.bind(value);
        self.conditions.push(condition.replace('$', &placeholder));
        self
    }

    /// Adds a condition with no bound value, such as `is_active = 1`.
    pub fn push_fixed(&mut self, condition: &str) -> &mut Self {
        self.conditions.push(condition.to_owned());
        self
    }

    pub fn where_clause(&self) -> String {
        if self.conditions.is_empty() {
            String::new()
        } else {
            format!(" WHERE {}", self.conditions.join(" AND "))
        }
    }

    /// The values bound so far, for a count over the same conditions.
    pub fn args(&self) -> AnyArguments {
        let mut args = AnyArguments::default();
        for value in &self.values {
            // Adding i64 or String to AnyArguments cannot fail: both are Any-native types.
            let _ = match value {
                Value::Int(v) => args.add(*v),
                Value::Text(v) => args.add(v.clone()),
            };
        }
        args
    }

    /// Binds the page and returns ` LIMIT $n OFFSET $m`; call after the conditions.
    pub fn limit(&mut self, page: Page) -> String {
        let limit = self.bind(page.limit);
        let offset = self.bind(page.offset);
        format!(" LIMIT {limit} OFFSET {offset}")
    }

    pub fn into_args(self) -> AnyArguments {
        self.args()
    }
}

/// Which slice of a long list to return.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct Page {
    pub limit: i64,
    pub offset: i64,
}

impl Page {
    pub const MAX_LIMIT: i64 = 1000;

    pub fn new(limit: Option<i64>, offset: Option<i64>) -> Page {
        Page {
            limit: limit.unwrap_or(100).clamp(1, Self::MAX_LIMIT),
            offset: offset.unwrap_or(0).max(0),
        }
    }
}

impl Default for Page {
    fn default() -> Self {
        Page::new(None, None)
    }
}

/// Marks SQL assembled at run time as safe. Call it only on SQL built from constant fragments
/// and numbered placeholders: every value a user typed is bound, never spliced in.
pub(crate) fn dynamic(sql: String) -> sqlx::AssertSqlSafe<String> {
    sqlx::AssertSqlSafe(sql)
}
