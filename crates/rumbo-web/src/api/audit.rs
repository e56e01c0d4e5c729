//! The audit log over the API, for platform administrators, with the same filters as the page.
//! Browsing it is itself recorded.

use axum::extract::State;
use rumbo_domain::Vocabulary;
use rumbo_domain::access::{Action, Target};
use rumbo_domain::audit::{AuditAction, Entity};
use rumbo_store::Page;
use rumbo_store::audit::{AuditEntry, AuditQuery};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use super::{Listing, Params};
use crate::AppState;
use crate::auth::Ctx;
use crate::error::{AppError, ErrorBody};

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new().routes(routes!(list_audit))
}

/// The filters as typed, shared with the API: every one optional.
#[derive(Debug, Default, Deserialize, utoipa::IntoParams)]
pub struct AuditFilter {
    /// Username of the person who acted.
    pub user: Option<String>,
    /// create, update, delete, read, import, export, sign_in, sign_in_failed, sign_out
    pub action: Option<String>,
    /// organisation, platform, user, role_grant, api_token, session, admin_area, location, audit_log
    pub entity: Option<String>,
    /// The id or code of the record.
    pub entity_id: Option<String>,
    /// First day, YYYY-MM-DD (UTC), included.
    pub from: Option<String>,
    /// Last day, YYYY-MM-DD (UTC), included.
    pub until: Option<String>,
    pub limit: Option<i64>,
    pub offset: Option<i64>,
}

/// Why a filter could not be applied, by filter name (`user`, `action`, `from`...), in English
/// for the API; pages translate the field names they show.
pub enum FilterProblem {
    UnknownUser,
    UnknownCode(&'static str),
    BadDate(&'static str),
}

pub(crate) fn text(value: &Option<String>) -> &str {
    value.as_deref().map(str::trim).unwrap_or_default()
}

fn date(raw: &str) -> Option<time::Date> {
    time::Date::parse(raw, time::macros::format_description!("[year]-[month]-[day]")).ok()
}

impl AuditFilter {
    /// Turns the filters into a store query: the username becomes an id, dates become
    /// timestamps (the last day is included, so the bound is the start of the next one).
    pub async fn query(&self, state: &AppState) -> Result<AuditQuery, Vec<FilterProblem>> {
        let mut problems = Vec::new();
        let mut query = AuditQuery::default();
        let user = text(&self.user);
        if !user.is_empty() {
            match state.store.user_id_by_username(user).await {
                Ok(Some(id)) => query.user_id = Some(id),
                _ => problems.push(FilterProblem::UnknownUser),
            }
        }
        let action = text(&self.action);
        if !action.is_empty() {
            match AuditAction::parse(action) {
                Ok(action) => query.action = Some(action),
                Err(_) => problems.push(FilterProblem::UnknownCode("action")),
            }
        }
        let entity = text(&self.entity);
        if !entity.is_empty() {
            match Entity::parse(entity) {
                Ok(entity) => query.entity = Some(entity),
                Err(_) => problems.push(FilterProblem::UnknownCode("entity")),
            }
        }
        query.entity_id = Some(text(&self.entity_id).to_owned()).filter(|id| !id.is_empty());
        let from = text(&self.from);
        if !from.is_empty() {
            match date(from) {
                Some(day) => query.from = Some(day.to_string()),
                None => problems.push(FilterProblem::BadDate("from")),
            }
        }
        let until = text(&self.until);
        if !until.is_empty() {
            match date(until).and_then(|day| day.next_day()) {
                Some(next) => query.until = Some(next.to_string()),
                None => problems.push(FilterProblem::BadDate("until")),
            }
        }
        if problems.is_empty() { Ok(query) } else { Err(problems) }
    }
}

impl FilterProblem {
    fn describe(&self) -> String {
        match self {
            FilterProblem::UnknownUser => "user: no account has this username".to_owned(),
            FilterProblem::UnknownCode("action") => {
                format!(
                    "action: expected one of {}",
                    codes(AuditAction::ALL.iter().map(|a| a.code()))
                )
            }
            FilterProblem::UnknownCode(field) => {
                format!(
                    "{field}: expected one of {}",
                    codes(Entity::ALL.iter().map(|e| e.code()))
                )
            }
            FilterProblem::BadDate(field) => format!("{field}: expected a date such as 2026-11-28"),
        }
    }
}

fn codes<'a>(codes: impl Iterator<Item = &'a str>) -> String {
    codes.collect::<Vec<_>>().join(", ")
}

/// One entry of the audit log.
#[derive(Debug, Serialize, ToSchema)]
pub struct AuditEntryOut {
    pub id: i64,
    /// RFC 3339, UTC.
    pub at: String,
    pub user_id: Option<i64>,
    /// The username of who acted; null for the system and for failed sign-ins.
    pub username: Option<String>,
    #[schema(example = "update")]
    pub action: String,
    #[schema(example = "organisation")]
    pub entity: String,
    pub entity_id: Option<String>,
    /// What happened, naming changed fields but never personal values.
    pub summary: String,
    /// web, api or cli.
    pub channel: String,
    pub address: Option<String>,
    pub request_id: Option<String>,
}

impl From<AuditEntry> for AuditEntryOut {
    fn from(e: AuditEntry) -> Self {
        AuditEntryOut {
            id: e.id,
            at: e.at,
            user_id: e.user_id,
            username: e.username,
            action: e.action,
            entity: e.entity,
            entity_id: e.entity_id,
            summary: e.summary,
            channel: e.channel,
            address: e.address,
            request_id: e.request_id,
        }
    }
}

/// The audit log, newest first (platform administrators).
#[utoipa::path(get, path = "/audit", tag = "audit", params(AuditFilter),
    responses((status = 200, body = Listing<AuditEntryOut>), (status = 403, body = ErrorBody),
              (status = 422, body = ErrorBody)))]
async fn list_audit(
    State(state): State<AppState>,
    ctx: Ctx,
    Params(filter): Params<AuditFilter>,
) -> Result<Listing<AuditEntryOut>, AppError> {
    ctx.require(Action::ViewAudit, &Target::anywhere())?;
    let query = filter.query(&state).await.map_err(|problems| {
        AppError::Invalid(
            problems
                .iter()
                .map(FilterProblem::describe)
                .collect::<Vec<_>>()
                .join("; "),
        )
    })?;
    let page = Page::new(filter.limit, filter.offset);
    let (entries, total) = state.store.browse_audit(&ctx.actor(), &query, page).await?;
    Ok(Listing {
        items: entries.into_iter().map(Into::into).collect(),
        total,
        limit: page.limit,
        offset: page.offset,
    })
}
