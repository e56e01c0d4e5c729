//! Flow monitoring survey pages: the indicator tables (aggregates, small counts suppressed,
//! with the methodological caveat), the interview form, the list and page of interviews for
//! those who may read them, and the risk rules. The protection queue is in [`super::protection`].

use askama::Template;
use axum::Router;
use axum::extract::{Path, Query, State};
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::get;
use rumbo_domain::Vocabulary;
use rumbo_domain::access::{Action, Target};
use rumbo_domain::country::Iso3;
use rumbo_domain::flow::counts::parse_date;
use rumbo_domain::flow::{Sex, Transport, parse_codes};
use rumbo_domain::fms::indicators::IndicatorTable;
use rumbo_domain::fms::rules::RuleSet;
use rumbo_domain::fms::{Document, Education, Incident, Interview, Need, Reason, Return};
use rumbo_store::Page;
use rumbo_store::fms::InterviewSummary;
use serde::Deserialize;

use super::flow_points::country_choices;
use super::parts::{Choice, Fields, PAGE_SIZE, Pager, unprocessable};
use super::{Chrome, render};
use crate::AppState;
use crate::api::fms::save_interview;
use crate::auth::Ctx;
use crate::error::{AppError, ProblemOut};
use crate::flow_data::{FlowQuery, fms_tables, reach};
use crate::i18n::Tr;

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/fms", get(indicators))
        .route("/fms/new", get(new_form).post(create))
        .route("/fms/interviews", get(list))
        .route("/fms/interviews/{id}", get(detail))
        .route("/fms/rules", get(rules).post(save_rules))
}

/// An indicator table with its rows labelled in the reader's language.
struct TableView {
    code: &'static str,
    title: String,
    base: String,
    multiple: bool,
    rows: Vec<(String, String, String)>,
}

/// The label of an indicator row: a vocabulary code, a country, or sex and age.
fn row_label(tr: &Tr, table: &IndicatorTable, code: &str) -> String {
    match table.labels {
        "country" => code.to_owned(),
        "age_group" => match rumbo_domain::fms::indicators::sex_of_row(code) {
            Some((sex, bracket)) => format!("{} {bracket}", tr.label(sex)),
            None => code.to_owned(),
        },
        prefix => {
            let key = format!("{}-{code}", prefix.replace(' ', "_"));
            let label = tr.t(&key);
            if label == key { code.to_owned() } else { label }
        }
    }
}

fn table_view(tr: &Tr, table: &IndicatorTable) -> TableView {
    let threshold = rumbo_domain::flow::SMALL_COUNT;
    TableView {
        code: table.code,
        title: tr.t(&format!("fms-table-{}", table.code.replace('_', "-"))),
        base: table.base.text(threshold),
        multiple: table.multiple,
        rows: table
            .rows
            .iter()
            .map(|r| {
                (
                    row_label(tr, table, &r.code),
                    r.count.text(threshold),
                    r.percent.map(|p| format!("{p:.1} %")).unwrap_or_default(),
                )
            })
            .collect(),
    }
}

#[derive(Template)]
#[template(path = "fms/indicators.html")]
struct IndicatorsPage {
    c: Chrome,
    query: FlowQuery,
    qs: String,
    countries: Vec<(String, String)>,
    tables: Vec<TableView>,
    can_record: bool,
    can_read: bool,
}

async fn indicators(
    State(state): State<AppState>,
    ctx: Ctx,
    Query(query): Query<FlowQuery>,
) -> Result<Response, AppError> {
    let user = ctx.require_somewhere(Action::ViewFlowData)?;
    let c = Chrome::new(&ctx, "/fms");
    let seen = reach(user, Action::ViewFlowData);
    let filter = query.interviews(seen.clone())?;
    let tables = fms_tables(&state.store, &filter).await?;
    render(&IndicatorsPage {
        tables: tables.iter().map(|t| table_view(&c.tr, t)).collect(),
        countries: country_choices(&state, &c, seen.as_deref()).await?,
        can_record: ctx.may_somewhere(Action::RecordFlowData { assigned: true }),
        can_read: ctx.may_somewhere(Action::ViewFmsInterviews),
        qs: query.query_string(),
        query,
        c,
    })
}

/// The checkboxes of one multiple-choice question.
fn options<V: Vocabulary>(tr: &Tr, chosen: &[&str]) -> Vec<Choice> {
    V::ALL
        .iter()
        .map(|v| Choice::new(v.code(), tr.label(*v), chosen.contains(&v.code())))
        .collect()
}

/// The yes/no questions of the form besides consent, in the order it asks them.
const FLAGS: [&str; 16] = [
    "pregnant",
    "serious_medical_condition",
    "unaccompanied_child",
    "separated_child",
    "paid_guide_or_smuggler",
    "made_to_wait_by_guide",
    "feels_unsafe",
    "held_against_will",
    "deceived_and_forced",
    "worked_without_pay",
    "paid_less_than_agreed",
    "forced_overtime",
    "working_to_pay_debt",
    "forced_begging",
    "employer_inappropriate_request",
    "consent_follow_up",
];

#[derive(Template)]
#[template(path = "fms/new.html")]
struct NewPage {
    c: Chrome,
    points: Vec<Choice>,
    values: std::collections::HashMap<String, String>,
    sexes: Vec<Choice>,
    educations: Vec<Choice>,
    returns: Vec<Choice>,
    documents: Vec<Choice>,
    reasons: Vec<Choice>,
    needs: Vec<Choice>,
    incidents: Vec<Choice>,
    means: Vec<Choice>,
    /// (field, label, ticked) of every yes/no question but consent.
    flags: Vec<(String, String, bool)>,
    consent: bool,
    problems: Vec<ProblemOut>,
    saved: bool,
}

impl NewPage {
    fn value(&self, name: &str) -> &str {
        self.values.get(name).map_or("", String::as_str)
    }
}

#[derive(Deserialize)]
struct NewQuery {
    point: Option<String>,
    saved: Option<String>,
}

async fn new_page(
    state: &AppState,
    ctx: &Ctx,
    fields: Option<&Fields>,
    point: &str,
    problems: Vec<ProblemOut>,
    saved: bool,
) -> Result<NewPage, AppError> {
    let c = Chrome::new(ctx, "/fms/new");
    let tr = c.tr;
    let all = |name: &str| fields.map(|f| f.all(name)).unwrap_or_default();
    let get = |name: &str| fields.map(|f| f.get(name).to_owned()).unwrap_or_default();
    let one = |name: &str| vec![fields.map_or("", |f| f.get(name))];
    let mut values = std::collections::HashMap::new();
    for name in [
        "date",
        "age",
        "nationality",
        "residence_country",
        "residence_area",
        "departure_date",
        "transit_countries",
        "route",
        "cost_usd",
        "destination_country",
        "destination_city",
        "contact",
    ] {
        values.insert(name.to_owned(), get(name));
    }
    if values.get("date").is_none_or(String::is_empty) {
        values.insert("date".into(), time::OffsetDateTime::now_utc().date().to_string());
    }
    let points = super::flow_entry::recordable_points(state, ctx, point).await?;
    Ok(NewPage {
        points,
        values,
        sexes: options::<Sex>(&tr, &one("sex")),
        educations: options::<Education>(&tr, &one("education")),
        returns: options::<Return>(&tr, &one("intends_to_return")),
        documents: options::<Document>(&tr, &all("documents")),
        reasons: options::<Reason>(&tr, &all("reasons")),
        needs: options::<Need>(&tr, &all("needs")),
        incidents: options::<Incident>(&tr, &all("incidents")),
        means: options::<Transport>(&tr, &all("means")),
        flags: FLAGS
            .iter()
            .map(|f| {
                (
                    (*f).to_owned(),
                    tr.t(&format!("fms-q-{}", f.replace('_', "-"))),
                    fields.is_some_and(|x| x.checked(f)),
                )
            })
            .collect(),
        consent: fields.is_some_and(|x| x.checked("consent")),
        problems,
        saved,
        c,
    })
}

async fn new_form(
    State(state): State<AppState>,
    ctx: Ctx,
    Query(query): Query<NewQuery>,
) -> Result<Response, AppError> {
    ctx.require_somewhere(Action::ViewFlowData)?;
    let point = query.point.unwrap_or_default();
    render(&new_page(&state, &ctx, None, &point, Vec::new(), query.saved.is_some()).await?)
}

/// The answers of a posted form; problems of reading them (a code that is not one, an age that
/// is not a number) are collected with their field.
fn answers_of(fields: &Fields, problems: &mut Vec<ProblemOut>) -> Interview {
    let mut bad = |field: &str, problem: String| {
        problems.push(ProblemOut {
            location: field.to_owned(),
            problem,
        })
    };
    let text = |name: &str| Some(fields.get(name).to_owned()).filter(|v| !v.is_empty());
    let country = |name: &str, bad: &mut dyn FnMut(&str, String)| {
        text(name).and_then(|v| Iso3::parse(&v).map_err(|e| bad(name, e.to_string())).ok())
    };
    let mut i = Interview {
        consent: fields.checked("consent"),
        sex: text("sex").and_then(|v| Sex::parse(&v).map_err(|e| bad("sex", e.to_string())).ok()),
        age: text("age").and_then(|v| {
            v.parse::<u8>()
                .map_err(|_| bad("age", format!("'{v}' is not an age")))
                .ok()
        }),
        education: text("education").and_then(|v| Education::parse(&v).ok()),
        intends_to_return: text("intends_to_return").and_then(|v| Return::parse(&v).ok()),
        residence_area: text("residence_area"),
        route: text("route"),
        destination_city: text("destination_city"),
        contact: text("contact"),
        ..Default::default()
    };
    i.nationality = country("nationality", &mut bad);
    i.residence_country = country("residence_country", &mut bad);
    i.destination_country = country("destination_country", &mut bad);
    i.departure_date = text("departure_date").and_then(|v| parse_date(&v).map_err(|e| bad("departure_date", e)).ok());
    i.cost_usd = text("cost_usd").and_then(|v| {
        v.parse::<u32>()
            .map_err(|_| bad("cost_usd", format!("'{v}' is not an amount")))
            .ok()
    });
    i.transit_countries = text("transit_countries")
        .map(|v| {
            v.split([',', ' ', ';'])
                .filter(|p| !p.is_empty())
                .filter_map(|p| Iso3::parse(p).map_err(|e| bad("transit_countries", e.to_string())).ok())
                .collect()
        })
        .unwrap_or_default();
    let codes = |name: &str| fields.all(name).join(",");
    i.documents = parse_codes(&codes("documents")).unwrap_or_default();
    i.reasons = parse_codes(&codes("reasons")).unwrap_or_default();
    i.needs = parse_codes(&codes("needs")).unwrap_or_default();
    i.incidents = parse_codes(&codes("incidents")).unwrap_or_default();
    i.means = parse_codes(&codes("means")).unwrap_or_default();
    let flag = |name: &str| fields.checked(name);
    i.pregnant = flag("pregnant");
    i.serious_medical_condition = flag("serious_medical_condition");
    i.unaccompanied_child = flag("unaccompanied_child");
    i.separated_child = flag("separated_child");
    i.paid_guide_or_smuggler = flag("paid_guide_or_smuggler");
    i.made_to_wait_by_guide = flag("made_to_wait_by_guide");
    i.feels_unsafe = flag("feels_unsafe");
    i.held_against_will = flag("held_against_will");
    i.deceived_and_forced = flag("deceived_and_forced");
    i.worked_without_pay = flag("worked_without_pay");
    i.paid_less_than_agreed = flag("paid_less_than_agreed");
    i.forced_overtime = flag("forced_overtime");
    i.working_to_pay_debt = flag("working_to_pay_debt");
    i.forced_begging = flag("forced_begging");
    i.employer_inappropriate_request = flag("employer_inappropriate_request");
    i.consent_follow_up = flag("consent_follow_up");
    i
}

async fn create(State(state): State<AppState>, ctx: Ctx, fields: Fields) -> Result<Response, AppError> {
    ctx.require_somewhere(Action::ViewFlowData)?;
    let mut problems = Vec::new();
    let answers = answers_of(&fields, &mut problems);
    let point_raw = fields.get("point").to_owned();
    let point = point_raw.parse::<i64>().map_err(|_| {
        problems.push(ProblemOut {
            location: "point".into(),
            problem: "choose a flow monitoring point".into(),
        })
    });
    let date = parse_date(fields.get("date")).map_err(|e| {
        problems.push(ProblemOut {
            location: "date".into(),
            problem: e,
        })
    });
    if let (true, Ok(point), Ok(date)) = (problems.is_empty(), point, date) {
        match save_interview(&state, &ctx, point, date, answers).await {
            // The recorder is not told the flags: following them up is for protection officers.
            Ok(_) => return Ok(Redirect::to(&format!("/fms/new?point={point}&saved=1")).into_response()),
            Err(AppError::Rejected { problems: list, .. }) => problems = list,
            Err(other) => return Err(other),
        }
    }
    unprocessable(&new_page(&state, &ctx, Some(&fields), &point_raw, problems, false).await?)
}

#[derive(Template)]
#[template(path = "fms/list.html")]
struct ListPage {
    c: Chrome,
    interviews: Vec<InterviewSummary>,
    pager: Pager,
}

#[derive(Deserialize)]
struct ListQuery {
    offset: Option<i64>,
}

async fn list(State(state): State<AppState>, ctx: Ctx, Query(q): Query<ListQuery>) -> Result<Response, AppError> {
    let user = ctx.require_somewhere(Action::ViewFmsInterviews)?;
    let c = Chrome::new(&ctx, "/fms/interviews");
    let page = Page::new(Some(PAGE_SIZE), q.offset);
    let filter = FlowQuery::default().interviews(reach(user, Action::ViewFmsInterviews))?;
    let (interviews, total) = state.store.browse_interviews(&ctx.actor(), &filter, page).await?;
    render(&ListPage {
        interviews,
        pager: Pager::new("/fms/interviews", &[], page, total),
        c,
    })
}

#[derive(Template)]
#[template(path = "fms/interview.html")]
struct InterviewPage {
    c: Chrome,
    summary: InterviewSummary,
    /// (question, answer) of every answer given.
    answers: Vec<(String, String)>,
}

/// Every answer given, as (question, answer), in the reader's language where it is a code.
pub(super) fn answer_lines(tr: &Tr, answers: &Interview) -> Vec<(String, String)> {
    let value = serde_json::to_value(answers).unwrap_or(serde_json::Value::Null);
    let mut lines = Vec::new();
    if let serde_json::Value::Object(map) = value {
        for (field, v) in map {
            let shown = match &v {
                serde_json::Value::Null => continue,
                serde_json::Value::Bool(false) => continue,
                serde_json::Value::Bool(true) => tr.t("form-yes"),
                serde_json::Value::Array(items) if items.is_empty() => continue,
                serde_json::Value::Array(items) => items
                    .iter()
                    .map(|i| i.as_str().map_or_else(|| i.to_string(), str::to_owned))
                    .collect::<Vec<_>>()
                    .join(", "),
                serde_json::Value::String(s) => s.clone(),
                other => other.to_string(),
            };
            lines.push((tr.t(&format!("fms-q-{}", field.replace('_', "-"))), shown));
        }
    }
    lines
}

async fn detail(State(state): State<AppState>, ctx: Ctx, Path(id): Path<String>) -> Result<Response, AppError> {
    let id: i64 = id
        .parse()
        .map_err(|_| AppError::NotFound(format!("interview {id} does not exist")))?;
    let found = state.store.interview(id).await?;
    ctx.require(Action::ViewFmsInterviews, &Target::country(found.summary.country))?;
    let record = state.store.view_interview(&ctx.actor(), id).await?;
    let c = Chrome::new(&ctx, "/fms/interviews");
    render(&InterviewPage {
        answers: answer_lines(&c.tr, &record.answers),
        summary: record.summary,
        c,
    })
}

#[derive(Template)]
#[template(path = "fms/rules.html")]
struct RulesPage {
    c: Chrome,
    version: i64,
    rules: String,
    versions: Vec<(i64, String, Option<String>)>,
    can_edit: bool,
    problems: Vec<ProblemOut>,
}

async fn rules_page(
    state: &AppState,
    ctx: &Ctx,
    text: Option<String>,
    problems: Vec<ProblemOut>,
) -> Result<RulesPage, AppError> {
    ctx.require_somewhere(Action::ViewFlowData)?;
    let (version, set) = state.store.rule_set().await?;
    Ok(RulesPage {
        c: Chrome::new(ctx, "/fms/rules"),
        version,
        rules: text.unwrap_or_else(|| set.to_json()),
        versions: state.store.rule_set_versions().await?,
        can_edit: ctx.user()?.subject().may(Action::ManageRiskRules, &Target::anywhere()),
        problems,
    })
}

async fn rules(State(state): State<AppState>, ctx: Ctx) -> Result<Response, AppError> {
    render(&rules_page(&state, &ctx, None, Vec::new()).await?)
}

async fn save_rules(State(state): State<AppState>, ctx: Ctx, fields: Fields) -> Result<Response, AppError> {
    ctx.require(Action::ManageRiskRules, &Target::anywhere())?;
    let text = fields.raw("rules").to_owned();
    match RuleSet::parse(&text) {
        Ok(set) => {
            state.store.save_rule_set(&ctx.actor(), &set).await?;
            Ok(Redirect::to("/fms/rules").into_response())
        }
        Err(e) => {
            let problems = vec![ProblemOut {
                location: "rules".into(),
                problem: e.to_string(),
            }];
            unprocessable(&rules_page(&state, &ctx, Some(text), problems).await?)
        }
    }
}
