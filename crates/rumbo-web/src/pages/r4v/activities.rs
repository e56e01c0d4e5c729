//! 5W pages. Partners see and correct their own organisation's reports; IM officers their
//! country's. Every correction runs the 19 rules again and is kept in the report's history.

use askama::Template;
use axum::Router;
use axum::extract::multipart::MultipartRejection;
use axum::extract::{Multipart, Path, Query, State};
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use rumbo_domain::access::{Action, Target};
use rumbo_domain::country::Iso3;
use rumbo_domain::r4v::Month;
use rumbo_domain::r4v::rules::Rule;
use rumbo_store::Page;
use rumbo_store::r4v::{ActivityChange, ActivityQuery, ActivityRecord};
use serde::Deserialize;

use super::{UploadResult, format_count};
use crate::AppState;
use crate::auth::Ctx;
use crate::error::AppError;
use crate::files::read_upload;
use crate::i18n::Tr;
use crate::pages::parts::{Fields, PAGE_SIZE, Pager, unprocessable};
use crate::pages::{Chrome, render};
use crate::r4v::form::{AGE_GENDER, POPULATION, fields_of, parse_activity};
use crate::r4v::intake::{import_five_w, import_mode};
use crate::r4v::scope::{countries_with, limit_to_reach, target_of};

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/r4v/activities", get(list))
        .route("/r4v/activities/new", get(new_form).post(create))
        .route("/r4v/activities/import", get(import_form).post(import))
        .route("/r4v/activities/{id}", get(detail).post(save))
        .route("/r4v/activities/{id}/delete", post(delete))
        .route("/r4v/errors", get(errors))
        .route("/r4v/validate", post(validate))
}

#[derive(Deserialize, Default)]
struct ListFilter {
    country: Option<String>,
    from: Option<String>,
    to: Option<String>,
    rule: Option<String>,
    errors: Option<String>,
    offset: Option<i64>,
}

impl ListFilter {
    fn text(v: &Option<String>) -> String {
        v.as_deref().map(str::trim).unwrap_or("").to_owned()
    }

    fn query(&self, ctx: &Ctx) -> Result<ActivityQuery, AppError> {
        let month = |v: &Option<String>| {
            let t = Self::text(v);
            if t.is_empty() {
                Ok(None)
            } else {
                Month::parse(&t).map(Some)
            }
        };
        let country = Self::text(&self.country);
        let rule = Self::text(&self.rule);
        let mut query = ActivityQuery {
            countries: if country.is_empty() {
                None
            } else {
                Some(vec![Iso3::parse(&country)?])
            },
            from: month(&self.from)?,
            to: month(&self.to)?,
            with_errors: self.errors.as_deref().is_some_and(|e| !e.is_empty()),
            rule: if rule.is_empty() {
                None
            } else {
                rule.parse().ok().and_then(Rule::from_id)
            },
            ..Default::default()
        };
        limit_to_reach(ctx.user()?, &mut query);
        Ok(query)
    }
}

/// A report as a list row.
struct Row {
    id: i64,
    organisation: String,
    country: String,
    admin1: String,
    month: String,
    sector: String,
    indicator: String,
    new_beneficiaries: String,
    rules: String,
    validated: bool,
}

fn row(r: &ActivityRecord) -> Row {
    let a = &r.activity;
    Row {
        id: r.id,
        organisation: r.organisation.clone(),
        country: r.country.to_string(),
        admin1: a.admin1.clone().unwrap_or_default(),
        month: a.month.map(|m| m.to_string()).unwrap_or_default(),
        sector: r.sector_code.clone().or_else(|| a.sector.clone()).unwrap_or_default(),
        indicator: r
            .indicator_code
            .clone()
            .or_else(|| a.indicator.clone())
            .unwrap_or_default(),
        new_beneficiaries: a.new_beneficiaries.map(format_count).unwrap_or_default(),
        rules: r.broken.ids(),
        validated: r.validated_at.is_some(),
    }
}

fn rule_choices(tr: &Tr) -> Vec<(String, String)> {
    Rule::ALL
        .iter()
        .map(|r| (r.id().to_string(), format!("{} · {}", r.id(), tr.t(&r.label_key()))))
        .collect()
}

#[derive(Template)]
#[template(path = "r4v/activities.html")]
struct ListPage {
    c: Chrome,
    rows: Vec<Row>,
    pager: Pager,
    country: String,
    from: String,
    to: String,
    rule: String,
    errors: bool,
    rules: Vec<(String, String)>,
    can_report: bool,
    validate_countries: Vec<String>,
    export_query: String,
}

async fn list(State(state): State<AppState>, ctx: Ctx, Query(filter): Query<ListFilter>) -> Result<Response, AppError> {
    ctx.require_somewhere(Action::View5w)?;
    let c = Chrome::new(&ctx, "/r4v/activities");
    let query = filter.query(&ctx)?;
    let page = Page::new(Some(PAGE_SIZE), filter.offset);
    let (records, total) = state.store.activities(&query, page).await?;
    let (country, from, to, rule) = (
        ListFilter::text(&filter.country),
        ListFilter::text(&filter.from),
        ListFilter::text(&filter.to),
        ListFilter::text(&filter.rule),
    );
    let errors = query.with_errors;
    let errors_text = if errors { "1" } else { "" };
    let filters = [
        ("country", country.as_str()),
        ("from", &from),
        ("to", &to),
        ("rule", &rule),
        ("errors", errors_text),
    ];
    let export_query = serde_urlencoded::to_string(
        filters
            .iter()
            .filter(|(_, v)| !v.is_empty())
            .map(|(k, v)| (*k, *v))
            .chain(std::iter::once(("with_errors", if errors { "true" } else { "false" })))
            .filter(|(k, _)| *k != "errors")
            .collect::<Vec<_>>(),
    )
    .unwrap_or_default();
    let validate_countries = countries_with(ctx.user()?, rumbo_domain::access::Role::ImOfficer)
        .iter()
        .filter(|c| {
            ctx.user()
                .is_ok_and(|u| u.subject().may(Action::Validate5w, &Target::country(**c)))
        })
        .map(|c| c.to_string())
        .collect();
    render(&ListPage {
        rows: records.iter().map(row).collect(),
        pager: Pager::new("/r4v/activities", &filters, page, total),
        rules: rule_choices(&c.tr),
        can_report: ctx.may_somewhere(Action::Report5w),
        validate_countries,
        export_query,
        country,
        from,
        to,
        rule,
        errors,
        c,
    })
}

/// One field of the report form.
pub struct FormField {
    pub name: &'static str,
    pub label: String,
    pub value: String,
    /// text, number, yesno, month, textarea
    pub kind: &'static str,
    pub error: Option<String>,
}

fn kind_of(name: &str) -> &'static str {
    match name {
        "implementation" | "rmrp_activity" | "cva" => "yesno",
        "month" => "month",
        "activity_description" => "textarea",
        "value_usd" | "quantity_output" | "total_monthly" | "new_beneficiaries" => "number",
        n if POPULATION.contains(&n) || AGE_GENDER.contains(&n) => "number",
        _ => "text",
    }
}

/// The form's fields with their values and problems, in the reader's language.
fn form_fields(tr: &Tr, values: &[(&'static str, String)], problems: &[(&'static str, String)]) -> Vec<FormField> {
    values
        .iter()
        .map(|(name, value)| {
            let kind = kind_of(name);
            FormField {
                name,
                label: tr.t(&format!("r4v-field-{}", name.replace('_', "-"))),
                value: value.clone(),
                kind,
                error: problems
                    .iter()
                    .any(|(f, _)| f == name)
                    .then(|| tr.t(&format!("r4v-error-{kind}"))),
            }
        })
        .collect()
}

fn blank_fields() -> Vec<(&'static str, String)> {
    fields_of(&rumbo_domain::r4v::Activity::default())
}

#[derive(Template)]
#[template(path = "r4v/activity_new.html")]
struct NewPage {
    c: Chrome,
    fields: Vec<FormField>,
}

async fn new_form(ctx: Ctx) -> Result<Response, AppError> {
    let user = ctx.require_somewhere(Action::Report5w)?;
    let c = Chrome::new(&ctx, "/r4v/activities/new");
    let mut values = blank_fields();
    if let Some(country) = user.countries().first() {
        values[0].1 = country.to_string();
    }
    values[3].1 = user.organisation_acronym.clone();
    render(&NewPage {
        fields: form_fields(&c.tr, &values, &[]),
        c,
    })
}

fn values_from(fields: &Fields) -> Vec<(&'static str, String)> {
    blank_fields()
        .into_iter()
        .map(|(name, _)| (name, fields.get(name).to_owned()))
        .collect()
}

async fn create(State(state): State<AppState>, ctx: Ctx, fields: Fields) -> Result<Response, AppError> {
    let user = ctx.require_somewhere(Action::Report5w)?;
    let c = Chrome::new(&ctx, "/r4v/activities/new");
    let values = values_from(&fields);
    let activity = match parse_activity(&|name| Some(fields.get(name).to_owned())) {
        Ok(activity) => activity,
        Err(problems) => {
            return unprocessable(&NewPage {
                fields: form_fields(&c.tr, &values, &problems),
                c,
            });
        }
    };
    let refs = state.store.r4v_references().await?;
    let owner = activity
        .appealing_org
        .as_deref()
        .and_then(|o| refs.partner(o))
        .unwrap_or(user.organisation_id);
    ctx.require(Action::Report5w, &Target::organisation(owner, activity.country))?;
    let id = state
        .store
        .create_activity(&ctx.actor(), &refs, owner, &activity)
        .await?;
    Ok(Redirect::to(&format!("/r4v/activities/{id}?saved=1")).into_response())
}

/// A correction as the history shows it.
struct ChangeRow {
    version: i64,
    at: String,
    who: String,
    fields: String,
    before: String,
    after: String,
    rules_before: String,
    rules_after: String,
}

fn change_row(ch: &ActivityChange) -> ChangeRow {
    ChangeRow {
        version: ch.version,
        at: ch.changed_at.clone(),
        who: ch.username.clone().unwrap_or_else(|| ch.channel.clone()),
        fields: ch.fields.clone(),
        before: ch.before.to_string(),
        after: ch.after.to_string(),
        rules_before: ch.broken_before.ids(),
        rules_after: ch.broken_after.ids(),
    }
}

#[derive(Template)]
#[template(path = "r4v/activity.html")]
struct DetailPage {
    c: Chrome,
    id: i64,
    organisation: String,
    matched: Vec<(String, String)>,
    broken: Vec<(u8, String, String)>,
    validated: Option<String>,
    version: i64,
    fields: Vec<FormField>,
    history: Vec<ChangeRow>,
    can_edit: bool,
    saved: bool,
}

#[derive(Deserialize)]
struct Saved {
    saved: Option<String>,
}

async fn detail_page(
    state: &AppState,
    ctx: &Ctx,
    record: ActivityRecord,
    values: Vec<(&'static str, String)>,
    problems: &[(&'static str, String)],
    saved: bool,
) -> Result<DetailPage, AppError> {
    let c = Chrome::new(ctx, &format!("/r4v/activities/{}", record.id));
    let history = state.store.activity_history(record.id).await?;
    let can_edit = ctx.user()?.subject().may(Action::Report5w, &target_of(&record));
    let none = || c.tr.t("r4v-unmatched");
    let matched = vec![
        (
            c.tr.t("r4v-field-admin1"),
            record.adm1_pcode.clone().unwrap_or_else(none),
        ),
        (
            c.tr.t("r4v-field-admin2"),
            record.adm2_pcode.clone().unwrap_or_else(none),
        ),
        (
            c.tr.t("r4v-field-sector"),
            record.sector_code.clone().unwrap_or_else(none),
        ),
        (
            c.tr.t("r4v-field-indicator"),
            record.indicator_code.clone().unwrap_or_else(none),
        ),
        (
            c.tr.t("r4v-indicator-type"),
            record
                .indicator_kind
                .as_deref()
                .map_or_else(none, |k| c.tr.t(&format!("indicator_type-{k}"))),
        ),
    ];
    Ok(DetailPage {
        id: record.id,
        organisation: record.organisation.clone(),
        matched,
        broken: record
            .broken
            .rules()
            .map(|r| (r.id(), r.name().to_owned(), c.tr.t(&r.label_key())))
            .collect(),
        validated: record.validated_at.clone(),
        version: record.version,
        fields: form_fields(&c.tr, &values, problems),
        history: history.iter().map(change_row).collect(),
        can_edit,
        saved,
        c,
    })
}

async fn detail(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(id): Path<String>,
    Query(saved): Query<Saved>,
) -> Result<Response, AppError> {
    ctx.require_somewhere(Action::View5w)?;
    let id = id
        .parse()
        .map_err(|_| AppError::NotFound(format!("5W report {id} does not exist")))?;
    let record = state.store.activity(id).await?;
    ctx.require(Action::View5w, &target_of(&record))?;
    let values = fields_of(&record.activity);
    let page = detail_page(&state, &ctx, record, values, &[], saved.saved.is_some()).await?;
    render(&page)
}

async fn save(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(id): Path<String>,
    fields: Fields,
) -> Result<Response, AppError> {
    ctx.require_somewhere(Action::Report5w)?;
    let id = id
        .parse()
        .map_err(|_| AppError::NotFound(format!("5W report {id} does not exist")))?;
    let record = state.store.activity(id).await?;
    ctx.require(Action::Report5w, &target_of(&record))?;
    let values = values_from(&fields);
    let activity = match parse_activity(&|name| Some(fields.get(name).to_owned())) {
        Ok(activity) => activity,
        Err(problems) => return unprocessable(&detail_page(&state, &ctx, record, values, &problems, false).await?),
    };
    ctx.require(
        Action::Report5w,
        &Target::organisation(record.organisation_id, activity.country),
    )?;
    let refs = state.store.r4v_references().await?;
    state.store.update_activity(&ctx.actor(), &refs, id, &activity).await?;
    Ok(Redirect::to(&format!("/r4v/activities/{id}?saved=1")).into_response())
}

async fn delete(State(state): State<AppState>, ctx: Ctx, Path(id): Path<String>) -> Result<Response, AppError> {
    ctx.require_somewhere(Action::Report5w)?;
    let id = id
        .parse()
        .map_err(|_| AppError::NotFound(format!("5W report {id} does not exist")))?;
    let record = state.store.activity(id).await?;
    ctx.require(Action::Report5w, &target_of(&record))?;
    state.store.delete_activity(&ctx.actor(), id).await?;
    Ok(Redirect::to("/r4v/activities").into_response())
}

#[derive(Template)]
#[template(path = "r4v/import.html")]
struct ImportPage {
    c: Chrome,
}

async fn import_form(ctx: Ctx) -> Result<Response, AppError> {
    ctx.require_somewhere(Action::Report5w)?;
    render(&ImportPage {
        c: Chrome::new(&ctx, "/r4v/activities/import"),
    })
}

async fn import(
    State(state): State<AppState>,
    ctx: Ctx,
    multipart: Result<Multipart, MultipartRejection>,
) -> Result<Response, AppError> {
    ctx.require_somewhere(Action::Report5w)?;
    let upload = read_upload(multipart).await?;
    let mode = import_mode(upload.field("mode"));
    let result = import_five_w(&state, &ctx, &upload.file, upload.file_name.as_deref(), mode).await;
    let c = Chrome::new(&ctx, "/r4v/activities/import");
    let title = c.tr.t("r4v-import-title");
    let page = UploadResult::new(c, title, "/r4v/activities").outcome(result)?;
    if page.refusal.is_some() {
        unprocessable(&page)
    } else {
        render(&page)
    }
}

struct ErrorRow {
    organisation: String,
    reports: i64,
    with_errors: i64,
    cells: Vec<i64>,
}

#[derive(Template)]
#[template(path = "r4v/errors.html")]
struct ErrorsPage {
    c: Chrome,
    rules: Vec<(u8, String, String)>,
    rows: Vec<ErrorRow>,
}

/// The error report per organisation, for the reports the reader may see.
async fn errors(
    State(state): State<AppState>,
    ctx: Ctx,
    Query(filter): Query<ListFilter>,
) -> Result<Response, AppError> {
    ctx.require_somewhere(Action::View5w)?;
    let c = Chrome::new(&ctx, "/r4v/errors");
    let query = filter.query(&ctx)?;
    let report = state.store.error_report(&query).await?;
    render(&ErrorsPage {
        rules: Rule::ALL
            .iter()
            .map(|r| (r.id(), r.name().to_owned(), c.tr.t(&r.label_key())))
            .collect(),
        rows: report
            .into_iter()
            .map(|o| ErrorRow {
                organisation: o.organisation,
                reports: o.reports,
                with_errors: o.with_errors,
                cells: o.per_rule.into_iter().skip(1).collect(),
            })
            .collect(),
        c,
    })
}

async fn validate(State(state): State<AppState>, ctx: Ctx, fields: Fields) -> Result<Response, AppError> {
    ctx.require_somewhere(Action::Validate5w)?;
    let country = Iso3::parse(fields.get("country"))?;
    let month = Month::parse(fields.get("month"))?;
    ctx.require(Action::Validate5w, &Target::country(country))?;
    let (validated, left) = state
        .store
        .validate_activities(&ctx.actor(), country, &month.to_string())
        .await?;
    let c = Chrome::new(&ctx, "/r4v/activities");
    let title = c.tr.t("r4v-validate");
    let message = c.tr.with(
        "r4v-validated",
        &[("validated", validated.to_string()), ("left", left.to_string())],
    );
    render(&UploadResult::new(c, title, "/r4v/activities").done(message))
}
