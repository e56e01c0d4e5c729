use thiserror::Error;

/// Why a raw value could not become a domain value. Messages name the value and the rule it
/// broke, and never contain personal data: callers add *where* (row, field) around them.
#[derive(Debug, Clone, PartialEq, Error)]
pub enum DomainError {
    #[error("'{0}' is not an ISO 3166-1 alpha-3 country code (three letters, such as COL)")]
    InvalidIso3(String),
    #[error("'{0}' is not a P-code (2 to 20 letters and digits starting with two letters, such as CO54)")]
    InvalidPcode(String),
    #[error("admin level {0} is not supported (levels 1 to 3)")]
    InvalidAdminLevel(i64),
    #[error("'{value}' is not a known {what}; expected one of: {expected}")]
    UnknownCode {
        what: &'static str,
        value: String,
        expected: String,
    },
    #[error("latitude {lat} / longitude {lon} is not a position on Earth")]
    InvalidCoordinates { lat: f64, lon: f64 },
    #[error("{field} must not be empty")]
    Empty { field: &'static str },
    #[error("{field} is too long ({len} characters, at most {max})")]
    TooLong {
        field: &'static str,
        len: usize,
        max: usize,
    },
    #[error("{0}")]
    Invalid(String),
}

/// Trim `raw` and check it is neither empty nor longer than `max` characters.
pub fn required_text(field: &'static str, raw: &str, max: usize) -> Result<String, DomainError> {
    let text = raw.trim();
    if text.is_empty() {
        return Err(DomainError::Empty { field });
    }
    let len = text.chars().count();
    if len > max {
        return Err(DomainError::TooLong { field, len, max });
    }
    Ok(text.to_owned())
}

/// Like [`required_text`], but an empty value is `None`.
pub fn optional_text(field: &'static str, raw: Option<&str>, max: usize) -> Result<Option<String>, DomainError> {
    match raw.map(str::trim) {
        None | Some("") => Ok(None),
        Some(text) => required_text(field, text, max).map(Some),
    }
}

/// Lists the codes of a closed vocabulary for an [`DomainError::UnknownCode`] message.
pub(crate) fn expected_codes<'a>(codes: impl IntoIterator<Item = &'a str>) -> String {
    codes.into_iter().collect::<Vec<_>>().join(", ")
}

/// One problem found in an input, with where it is: `row 12, column adm1_pcode`,
/// `feature 3 (properties.ADM1_PCODE)`, `field name`. Imports collect every problem they find
/// and reject the whole input, so nothing is half-imported.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct Problem {
    #[serde(rename = "where")]
    pub location: String,
    pub problem: String,
}

impl Problem {
    pub fn new(location: impl Into<String>, problem: impl ToString) -> Problem {
        Problem {
            location: location.into(),
            problem: problem.to_string(),
        }
    }
}

impl std::fmt::Display for Problem {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}: {}", self.location, self.problem)
    }
}
