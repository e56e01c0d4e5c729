//! The audit log browser, for platform administrators: who did what, to which record, when,
//! from which address and through which channel. Browsing it is itself recorded.

use askama::Template;
use axum::Router;
use axum::extract::State;
use axum::response::Response;
use axum::routing::get;
use rumbo_domain::Vocabulary;
use rumbo_domain::access::{Action, Target};
use rumbo_domain::audit::{AuditAction, Entity};
use rumbo_store::Page;
use rumbo_store::audit::AuditEntry;

use super::parts::{Choice, FieldErrors, PAGE_SIZE, Pager, unprocessable};
use super::{Chrome, render};
use crate::AppState;
use crate::api::Params;
use crate::api::audit::{AuditFilter, FilterProblem, text};
use crate::auth::Ctx;
use crate::error::AppError;
use crate::i18n::Tr;

pub fn router() -> Router<AppState> {
    Router::new().route("/audit", get(list))
}

/// One entry with its labels in the reader's language.
struct Row {
    at: String,
    username: String,
    action: String,
    entity: String,
    entity_id: String,
    summary: String,
    channel: String,
    address: String,
    request_id: String,
}

impl Row {
    fn new(tr: &Tr, e: AuditEntry) -> Row {
        // Entries are written with codes of these vocabularies; one that no longer parses (a
        // code from a later version) is shown as it is.
        let action = AuditAction::parse(&e.action).map_or_else(|_| e.action.clone(), |a| tr.label(a));
        let entity = Entity::parse(&e.entity).map_or_else(|_| e.entity.clone(), |x| tr.label(x));
        Row {
            at: e.at,
            username: e.username.unwrap_or_default(),
            action,
            entity,
            entity_id: e.entity_id.unwrap_or_default(),
            summary: e.summary,
            channel: e.channel,
            address: e.address.unwrap_or_default(),
            request_id: e.request_id.unwrap_or_default(),
        }
    }
}

#[derive(Template)]
#[template(path = "audit/list.html")]
struct ListPage {
    c: Chrome,
    rows: Vec<Row>,
    pager: Pager,
    user: String,
    actions: Vec<Choice>,
    entities: Vec<Choice>,
    entity_id: String,
    from: String,
    until: String,
    errors: FieldErrors,
}

async fn list(
    State(state): State<AppState>,
    ctx: Ctx,
    Params(filter): Params<AuditFilter>,
) -> Result<Response, AppError> {
    ctx.require(Action::ViewAudit, &Target::anywhere())?;
    let c = Chrome::new(&ctx, "/audit");
    let page = Page::new(Some(PAGE_SIZE), filter.offset);
    let (action, entity) = (text(&filter.action), text(&filter.entity));
    let mut list = ListPage {
        actions: AuditAction::ALL
            .iter()
            .map(|a| Choice::new(a.code(), c.tr.label(*a), a.code() == action))
            .collect(),
        entities: Entity::ALL
            .iter()
            .map(|x| Choice::new(x.code(), c.tr.label(*x), x.code() == entity))
            .collect(),
        user: text(&filter.user).to_owned(),
        entity_id: text(&filter.entity_id).to_owned(),
        from: text(&filter.from).to_owned(),
        until: text(&filter.until).to_owned(),
        rows: Vec::new(),
        pager: Pager::new("/audit", &[], page, 0),
        errors: FieldErrors::default(),
        c,
    };
    let query = match filter.query(&state).await {
        Ok(query) => query,
        Err(problems) => {
            for problem in problems {
                match problem {
                    FilterProblem::UnknownUser => list.errors.add("user", list.c.tr.t("audit-unknown-user")),
                    FilterProblem::UnknownCode(field) => list.errors.add(field, list.c.tr.t("field-choose")),
                    FilterProblem::BadDate(field) => list.errors.add(field, list.c.tr.t("field-date")),
                }
            }
            return unprocessable(&list);
        }
    };
    let (entries, total) = state.store.browse_audit(&ctx.actor(), &query, page).await?;
    list.rows = entries.into_iter().map(|e| Row::new(&list.c.tr, e)).collect();
    list.pager = Pager::new(
        "/audit",
        &[
            ("user", &list.user),
            ("action", action),
            ("entity", entity),
            ("entity_id", &list.entity_id),
            ("from", &list.from),
            ("until", &list.until),
        ],
        page,
        total,
    );
    render(&list)
}
