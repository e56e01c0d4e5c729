//! Pages of R4V's reference data and coordination: population figures (every signed-in user
//! reads them; IM officers import), exchange submissions, planning dashboards with the
//! imports that feed them, and overlaps for coordinators.

use askama::Template;
use axum::Router;
use axum::extract::multipart::MultipartRejection;
use axum::extract::{Multipart, Query, State};
use axum::response::Response;
use axum::routing::{get, post};
use rumbo_domain::Vocabulary;
use rumbo_domain::access::{Action, Target};
use rumbo_domain::r4v::figures::format_date;
use rumbo_domain::r4v::{DatasetType, Method};
use rumbo_store::Page;
use serde::Deserialize;

use super::{Bar, UploadResult, bars, format_count};
use crate::AppState;
use crate::auth::Ctx;
use crate::error::AppError;
use crate::files::read_upload;
use crate::pages::parts::unprocessable;
use crate::pages::{Chrome, render};
use crate::r4v::dashboard::{Line, OverlapOut, dashboard, overlap_list};
use crate::r4v::intake::{self, import_mode};
use crate::r4v::outputs::figures_feed;
use crate::r4v::planning_intake;
use crate::r4v::scope::countries_for;

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/r4v/figures", get(figures).post(import_figures))
        .route("/r4v/exchange", get(exchange).post(submit))
        .route("/r4v/planning", get(planning))
        .route("/r4v/planning/{what}", post(planning_upload))
        .route("/r4v/overlaps", get(overlaps))
        .route("/r4v/indicators", get(indicators).post(import_indicators))
}

struct FigureRow {
    country: String,
    kind: String,
    value: String,
    source: String,
    reference: String,
    published: String,
    notes: String,
    method_changed: bool,
    official: bool,
}

#[derive(Template)]
#[template(path = "r4v/figures.html")]
struct FiguresPage {
    c: Chrome,
    current: Vec<FigureRow>,
    regional: Vec<(String, String, String)>,
    history: Vec<FigureRow>,
    can_manage: bool,
}

async fn figures(State(state): State<AppState>, ctx: Ctx) -> Result<Response, AppError> {
    ctx.require(Action::ViewReferenceData, &Target::anywhere())?;
    let c = Chrome::new(&ctx, "/r4v/figures");
    let stored = state.store.population_figures(None, None).await?;
    let feed = figures_feed(&stored, true);
    let row = |f: &rumbo_domain::r4v::figures::PopulationFigure| FigureRow {
        country: f.country.to_string(),
        kind: c.tr.label(f.kind),
        value: format_count(f.value),
        source: f.source.clone(),
        reference: format_date(f.reference_date),
        published: format_date(f.publication_date),
        notes: f.method_notes.clone().unwrap_or_default(),
        method_changed: f.method_changed,
        official: f.official,
    };
    render(&FiguresPage {
        current: feed.current.iter().map(row).collect(),
        regional: feed
            .regional
            .iter()
            .map(|r| {
                (
                    c.tr.t(&format!("figure_type-{}", r.figure_type)),
                    format_count(r.total),
                    r.label.clone(),
                )
            })
            .collect(),
        history: feed.history.iter().rev().map(row).collect(),
        can_manage: ctx.may_somewhere(Action::ManageR4v),
        c,
    })
}

async fn import_figures(
    State(state): State<AppState>,
    ctx: Ctx,
    multipart: Result<Multipart, MultipartRejection>,
) -> Result<Response, AppError> {
    ctx.require_somewhere(Action::ManageR4v)?;
    let upload = read_upload(multipart).await?;
    let mode = import_mode(upload.field("mode"));
    let result = intake::import_figures(&state, &ctx, &upload.file, upload.file_name.as_deref(), mode, false).await;
    let c = Chrome::new(&ctx, "/r4v/figures");
    let title = c.tr.t("r4v-figures-import");
    let page = UploadResult::new(c, title, "/r4v/figures").outcome(result)?;
    if page.refusal.is_some() {
        unprocessable(&page)
    } else {
        render(&page)
    }
}

struct SubmissionRow {
    id: i64,
    dataset: String,
    organisation: String,
    at: String,
    file_name: String,
    sha256: String,
    rows: String,
    status: String,
    problems: usize,
}

#[derive(Template)]
#[template(path = "r4v/exchange.html")]
struct ExchangePage {
    c: Chrome,
    submissions: Vec<SubmissionRow>,
    datasets: Vec<(String, String, Vec<String>)>,
}

async fn exchange(State(state): State<AppState>, ctx: Ctx) -> Result<Response, AppError> {
    let user = ctx.require(Action::ViewReferenceData, &Target::anywhere())?;
    let c = Chrome::new(&ctx, "/r4v/exchange");
    let subject = user.subject();
    let all = subject.is_admin() || subject.may(Action::ViewCoordination, &Target::anywhere());
    let organisation = if all { None } else { Some(user.organisation_id) };
    let (list, _) = state
        .store
        .submissions(organisation, Page::new(Some(100), None))
        .await?;
    render(&ExchangePage {
        submissions: list
            .into_iter()
            .map(|s| SubmissionRow {
                id: s.id,
                dataset: c.tr.t(&format!("dataset_type-{}", s.dataset)),
                organisation: s.organisation,
                at: s.submitted_at,
                file_name: s.file_name,
                sha256: s.sha256,
                rows: format!("{} / {}", s.rows_accepted, s.rows_read),
                status: c.tr.t(&format!("r4v-status-{}", s.status)),
                problems: s.problems.len(),
            })
            .collect(),
        datasets: DatasetType::ALL
            .iter()
            .map(|d| {
                (
                    d.code().to_owned(),
                    c.tr.label(*d),
                    rumbo_domain::r4v::hxl::schema(*d)
                        .iter()
                        .map(|col| col.hashtag.to_owned())
                        .collect(),
                )
            })
            .collect(),
        c,
    })
}

async fn submit(
    State(state): State<AppState>,
    ctx: Ctx,
    multipart: Result<Multipart, MultipartRejection>,
) -> Result<Response, AppError> {
    ctx.user()?;
    let upload = read_upload(multipart).await?;
    let dataset = DatasetType::parse(upload.field("dataset").unwrap_or(""))?;
    let mode = import_mode(upload.field("mode"));
    let result = intake::submit_dataset(&state, &ctx, dataset, &upload.file, upload.file_name.as_deref(), mode).await;
    let c = Chrome::new(&ctx, "/r4v/exchange");
    let title = c.tr.t("r4v-exchange-submit");
    let page = UploadResult::new(c, title, "/r4v/exchange").outcome(result)?;
    if page.refusal.is_some() {
        unprocessable(&page)
    } else {
        render(&page)
    }
}

#[derive(Deserialize)]
struct PlanningFilter {
    year: Option<i64>,
    method: Option<String>,
}

/// A dashboard line as the page shows it.
struct ProgressRow {
    key: String,
    achieved: String,
    planned: String,
    percent: String,
    width: u32,
}

fn progress_rows(lines: &[Line], money: bool) -> Vec<ProgressRow> {
    let show = |v: f64| {
        if money {
            format!("US$ {}", format_count(v.round() as i64))
        } else {
            format_count(v.round() as i64)
        }
    };
    lines
        .iter()
        .map(|l| ProgressRow {
            key: l.key.clone(),
            achieved: show(l.achieved),
            planned: show(l.planned),
            percent: l.percent.map(|p| format!("{p}%")).unwrap_or_else(|| "–".into()),
            width: l.percent.map_or(0, |p| p.clamp(0.0, 100.0) as u32),
        })
        .collect()
}

#[derive(Template)]
#[template(path = "r4v/planning.html")]
struct PlanningPage {
    c: Chrome,
    year: i64,
    method: String,
    methods: Vec<(String, String)>,
    sections: Vec<(String, Vec<ProgressRow>)>,
    need_bars: Vec<Bar>,
    can_manage: bool,
}

async fn planning(
    State(state): State<AppState>,
    ctx: Ctx,
    Query(filter): Query<PlanningFilter>,
) -> Result<Response, AppError> {
    ctx.require(Action::ViewReferenceData, &Target::anywhere())?;
    let c = Chrome::new(&ctx, "/r4v/planning");
    let year = match filter.year {
        Some(year) => year,
        None => crate::r4v::dashboard::default_year(&state.store).await?,
    };
    let method = match filter.method.as_deref().filter(|m| !m.is_empty()) {
        Some(m) => Method::parse(m)?,
        None => Method::MaxSector,
    };
    let d = dashboard(&state.store, year, method, None).await?;
    let sections = vec![
        (
            c.tr.t("r4v-reached-by-sector"),
            progress_rows(&d.reached_by_sector, false),
        ),
        (
            c.tr.t("r4v-reached-by-country"),
            progress_rows(&d.reached_by_country, false),
        ),
        (
            c.tr.t("r4v-reached-by-partner"),
            progress_rows(&d.reached_by_partner, false),
        ),
        (
            c.tr.t("r4v-reached-against-need"),
            progress_rows(&d.reached_against_need, false),
        ),
        (c.tr.t("r4v-funded-by-sector"), progress_rows(&d.funded_by_sector, true)),
        (
            c.tr.t("r4v-funded-by-country"),
            progress_rows(&d.funded_by_country, true),
        ),
        (
            c.tr.t("r4v-funded-by-partner"),
            progress_rows(&d.funded_by_partner, true),
        ),
    ];
    let need_bars = bars(
        d.reached_against_need
            .iter()
            .map(|l| (l.key.clone(), Some(l.planned.round() as i64)))
            .collect(),
        &c.tr,
    );
    render(&PlanningPage {
        year,
        method: method.code().to_owned(),
        methods: Method::ALL
            .iter()
            .map(|m| (m.code().to_owned(), c.tr.label(*m)))
            .collect(),
        sections,
        need_bars,
        can_manage: ctx.may_somewhere(Action::ManageR4v),
        c,
    })
}

async fn planning_upload(
    State(state): State<AppState>,
    ctx: Ctx,
    axum::extract::Path(what): axum::extract::Path<String>,
    multipart: Result<Multipart, MultipartRejection>,
) -> Result<Response, AppError> {
    ctx.require_somewhere(Action::ManageR4v)?;
    let upload = read_upload(multipart).await?;
    let name = upload.file_name.as_deref();
    let c = Chrome::new(&ctx, "/r4v/planning");
    let title = c.tr.t(&format!("r4v-planning-{what}"));
    let page = UploadResult::new(c, title, "/r4v/planning");
    let counted = |n: usize, page: UploadResult| {
        let message = page.c.tr.t1("r4v-imported-n", "count", n);
        page.done(message)
    };
    let page = match what.as_str() {
        "targets" => match planning_intake::import_targets(&state, &ctx, &upload.file, name).await {
            Ok(n) => counted(n, page),
            Err(e) => page.outcome(Err(e))?,
        },
        "funding" => match planning_intake::import_funding(&state, &ctx, &upload.file, name).await {
            Ok(n) => counted(n, page),
            Err(e) => page.outcome(Err(e))?,
        },
        "needs" => page
            .outcome(intake::import_needs(&state, &ctx, &upload.file, name, import_mode(upload.field("mode"))).await)?,
        "survey" => {
            let year = match upload.field("year") {
                Some(y) => y
                    .parse()
                    .map_err(|_| AppError::Invalid(format!("'{y}' is not a year")))?,
                None => i64::from(time::OffsetDateTime::now_utc().year()),
            };
            match planning_intake::compute_needs(&state, &ctx, &upload.file, name, year).await {
                Ok(n) => counted(n, page),
                Err(e) => page.outcome(Err(e))?,
            }
        }
        _ => return Err(AppError::NotFound(format!("there is no planning import '{what}'"))),
    };
    if page.refusal.is_some() {
        unprocessable(&page)
    } else {
        render(&page)
    }
}

#[derive(Template)]
#[template(path = "r4v/overlaps.html")]
struct OverlapsPage {
    c: Chrome,
    overlaps: Vec<OverlapOut>,
}

async fn overlaps(State(state): State<AppState>, ctx: Ctx) -> Result<Response, AppError> {
    let countries = countries_for(&ctx, Action::ViewCoordination)?;
    if countries.is_empty() {
        return Err(AppError::Forbidden);
    }
    let c = Chrome::new(&ctx, "/r4v/overlaps");
    let list = overlap_list(&state.store, countries, None, None).await?;
    render(&OverlapsPage { overlaps: list, c })
}

#[derive(Template)]
#[template(path = "r4v/indicators.html")]
struct IndicatorsPage {
    c: Chrome,
    /// (sector, code, name, type)
    rows: Vec<(String, String, String, String)>,
    can_import: bool,
}

/// The indicator registry: sectors, indicators and their types.
async fn indicators(State(state): State<AppState>, ctx: Ctx) -> Result<Response, AppError> {
    let user = ctx.require(Action::ViewReferenceData, &Target::anywhere())?;
    let c = Chrome::new(&ctx, "/r4v/indicators");
    let registry = state.store.r4v_registry().await?;
    let rows = registry
        .indicators()
        .iter()
        .map(|i| {
            let sector = registry
                .sector_by_code(&i.sector)
                .map_or_else(|| i.sector.clone(), |s| super::sector_label(&c.tr, s));
            let name = match (c.tr.language, &i.name_es) {
                (rumbo_domain::language::Language::Es, Some(es)) => es.clone(),
                _ => i.name_en.clone(),
            };
            (sector, i.code.clone(), name, c.tr.label(i.kind))
        })
        .collect();
    render(&IndicatorsPage {
        rows,
        can_import: user.subject().may(Action::ManageR4v, &Target::anywhere()),
        c,
    })
}

async fn import_indicators(
    State(state): State<AppState>,
    ctx: Ctx,
    multipart: Result<Multipart, MultipartRejection>,
) -> Result<Response, AppError> {
    ctx.require(Action::ManageR4v, &Target::anywhere())?;
    let upload = read_upload(multipart).await?;
    let c = Chrome::new(&ctx, "/r4v/indicators");
    let title = c.tr.t("r4v-indicators-import");
    let page = UploadResult::new(c, title, "/r4v/indicators");
    let page = match planning_intake::import_indicators(&state, &ctx, &upload.file, upload.file_name.as_deref()).await {
        Ok(n) => {
            let message = page.c.tr.t1("r4v-imported-n", "count", n);
            page.done(message)
        }
        Err(e) => page.outcome(Err(e))?,
    };
    if page.refusal.is_some() {
        unprocessable(&page)
    } else {
        render(&page)
    }
}
