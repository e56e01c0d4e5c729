use axum::Json;
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use rumbo_domain::{DomainError, Problem};
use rumbo_store::StoreError;
use serde::Serialize;
use utoipa::ToSchema;

/// Where in an input a problem was found, and what it is: a row and column of a file, a
/// feature of a GeoJSON upload, a field of a form.
#[derive(Debug, Clone, PartialEq, Serialize, ToSchema)]
pub struct ProblemOut {
    /// Such as `row 12, column adm1_pcode` or `feature 3 (properties.ADM1_PCODE)`.
    #[serde(rename = "where")]
    pub location: String,
    pub problem: String,
}

impl From<Problem> for ProblemOut {
    fn from(p: Problem) -> Self {
        ProblemOut {
            location: p.location,
            problem: p.problem,
        }
    }
}

/// Every failure a request can meet, each with its HTTP status and a stable code.
#[derive(Debug)]
pub enum AppError {
    Unauthenticated,
    InvalidToken,
    Forbidden,
    Csrf,
    NotFound(String),
    BadRequest(String),
    Invalid(String),
    /// An input with problems at several places; nothing of it was stored.
    Rejected {
        message: String,
        problems: Vec<ProblemOut>,
    },
    Conflict(String),
    Throttled {
        retry_after: i64,
    },
    TooLarge(String),
    Unavailable(String),
    /// A bug or an outage: logged in full, shown as a generic message.
    Internal(String),
}

/// The JSON body of every API error.
#[derive(Debug, Serialize, ToSchema)]
pub struct ErrorBody {
    pub error: ErrorDetail,
}

#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct ErrorDetail {
    /// Stable and machine-readable, such as `not_found` or `invalid`; it never changes with
    /// the interface language.
    pub code: &'static str,
    /// For people: what went wrong and, where possible, what to do.
    pub message: String,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub problems: Vec<ProblemOut>,
}

impl AppError {
    pub fn status(&self) -> StatusCode {
        match self {
            AppError::Unauthenticated | AppError::InvalidToken => StatusCode::UNAUTHORIZED,
            AppError::Forbidden | AppError::Csrf => StatusCode::FORBIDDEN,
            AppError::NotFound(_) => StatusCode::NOT_FOUND,
            AppError::BadRequest(_) => StatusCode::BAD_REQUEST,
            AppError::Invalid(_) | AppError::Rejected { .. } => StatusCode::UNPROCESSABLE_ENTITY,
            AppError::Conflict(_) => StatusCode::CONFLICT,
            AppError::Throttled { .. } => StatusCode::TOO_MANY_REQUESTS,
            AppError::TooLarge(_) => StatusCode::PAYLOAD_TOO_LARGE,
            AppError::Unavailable(_) => StatusCode::SERVICE_UNAVAILABLE,
            AppError::Internal(_) => StatusCode::INTERNAL_SERVER_ERROR,
        }
    }

    pub fn detail(&self) -> ErrorDetail {
        let (code, message, problems) = match self {
            AppError::Unauthenticated => ("unauthenticated", "Sign in first.".to_owned(), vec![]),
            AppError::InvalidToken => (
                "invalid_token",
                "The API token is not valid: it is unknown, revoked or expired.".to_owned(),
                vec![],
            ),
            AppError::Forbidden => ("forbidden", "Your roles do not allow this.".to_owned(), vec![]),
            AppError::Csrf => (
                "csrf",
                "The form had expired or came from another site. Reload the page and try again.".to_owned(),
                vec![],
            ),
            AppError::NotFound(m) => ("not_found", m.clone(), vec![]),
            AppError::BadRequest(m) => ("bad_request", m.clone(), vec![]),
            AppError::Invalid(m) => ("invalid", m.clone(), vec![]),
            AppError::Rejected { message, problems } => ("rejected", message.clone(), problems.clone()),
            AppError::Conflict(m) => ("conflict", m.clone(), vec![]),
            AppError::Throttled { retry_after } => (
                "throttled",
                format!("Too many failed attempts. Try again in {retry_after} seconds."),
                vec![],
            ),
            AppError::TooLarge(m) => ("too_large", m.clone(), vec![]),
            AppError::Unavailable(m) => ("unavailable", m.clone(), vec![]),
            AppError::Internal(_) => (
                "internal",
                "Something went wrong on the server. It has been logged.".to_owned(),
                vec![],
            ),
        };
        ErrorDetail {
            code,
            message,
            problems,
        }
    }
}

impl From<StoreError> for AppError {
    fn from(e: StoreError) -> Self {
        match e {
            StoreError::NotFound { .. } => AppError::NotFound(e.to_string()),
            StoreError::Conflict(m) => AppError::Conflict(m),
            StoreError::Invalid(d) => AppError::Invalid(d.to_string()),
            StoreError::Rejected { message, problems } => AppError::Rejected {
                message,
                problems: problems.into_iter().map(Into::into).collect(),
            },
            StoreError::Unreachable { .. } => AppError::Unavailable(e.to_string()),
            StoreError::Busy => AppError::Unavailable(e.to_string()),
            StoreError::NoDataKey => AppError::Unavailable(e.to_string()),
            other => AppError::Internal(other.to_string()),
        }
    }
}

impl From<DomainError> for AppError {
    fn from(e: DomainError) -> Self {
        AppError::Invalid(e.to_string())
    }
}

impl From<askama::Error> for AppError {
    fn from(e: askama::Error) -> Self {
        AppError::Internal(format!("template: {e}"))
    }
}

impl IntoResponse for AppError {
    fn into_response(self) -> Response {
        let status = self.status();
        if let AppError::Internal(detail) = &self {
            tracing::error!("internal error: {detail}");
        }
        let detail = self.detail();
        let mut response = (status, Json(ErrorBody { error: detail.clone() })).into_response();
        if let AppError::Throttled { retry_after } = self
            && let Ok(value) = HeaderValue::from_str(&retry_after.to_string())
        {
            response.headers_mut().insert(header::RETRY_AFTER, value);
        }
        // Pages turn this into a page in the reader's language (see pages::error_page).
        response.extensions_mut().insert(detail);
        response
    }
}

/// Request bodies the JSON and form extractors refuse become our errors, with our codes.
pub fn rejection(status: StatusCode, text: String) -> AppError {
    match status {
        StatusCode::PAYLOAD_TOO_LARGE => AppError::TooLarge(text),
        StatusCode::UNPROCESSABLE_ENTITY => AppError::Invalid(text),
        _ => AppError::BadRequest(text),
    }
}
