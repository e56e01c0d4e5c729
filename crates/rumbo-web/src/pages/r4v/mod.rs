//! R4V pages: the public overview (consolidated figures and population figures, no sign-in),
//! 5W reports (lists, entry, correction with history, import, error report, validation), and
//! for IM officers the figures, exchange submissions, planning dashboards and overlaps.

/// 5W reports: list, new, detail with correction and history, import, error report.
mod activities;
/// Population figures, exchange submissions, planning, overlaps.
mod data;

use askama::Template;
use axum::Router;
use axum::extract::{Query, State};
use axum::response::Response;
use axum::routing::get;
use rumbo_domain::access::Action;
use rumbo_domain::r4v::consolidation::Level;
use rumbo_domain::r4v::{Method, Month};
use rumbo_io::r4v::Repair;
use serde::Deserialize;

use super::{Chrome, render};
use crate::AppState;
use crate::auth::Ctx;
use crate::error::{AppError, ProblemOut};
use crate::i18n::Tr;
use crate::r4v::intake::Intake;
use crate::r4v::outputs::{Consolidation, consolidated, figures_feed, output_out};

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/r4v", get(overview))
        .merge(activities::router())
        .merge(data::router())
}

/// A bar of a dashboard: its label, the figure shown, and its length in the SVG (0 to 100).
pub struct Bar {
    pub label: String,
    pub value: String,
    pub width: u32,
}

/// Bars scaled to the largest value.
pub fn bars(items: Vec<(String, Option<i64>)>, tr: &Tr) -> Vec<Bar> {
    let max = items.iter().filter_map(|(_, v)| *v).max().unwrap_or(0).max(1);
    items
        .into_iter()
        .map(|(label, value)| Bar {
            label,
            width: value.map_or(0, |v| ((v.max(0) * 100) / max) as u32),
            value: value.map_or_else(|| tr.t("r4v-suppressed"), format_count),
        })
        .collect()
}

/// 1234567 → "1 234 567": thin spaces read the same in the three languages.
pub fn format_count(n: i64) -> String {
    let digits = n.abs().to_string();
    let mut out = String::new();
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push('\u{202f}');
        }
        out.push(c);
    }
    if n < 0 { format!("-{out}") } else { out }
}

#[derive(Deserialize)]
struct OverviewFilter {
    year: Option<i64>,
    method: Option<String>,
}

#[derive(Template)]
#[template(path = "r4v/overview.html")]
struct OverviewPage {
    c: Chrome,
    year: i64,
    method: String,
    methods: Vec<(String, String)>,
    countries: Vec<Bar>,
    sectors: Vec<Bar>,
    region_total: String,
    regional: Vec<(String, String, String)>,
    current: Vec<(String, String, String, String, String, bool)>,
    signed_in: bool,
    can_report: bool,
    can_coordinate: bool,
}

/// The public face of R4V's figures: no sign-in needed, small counts suppressed.
async fn overview(
    State(state): State<AppState>,
    ctx: Ctx,
    Query(filter): Query<OverviewFilter>,
) -> Result<Response, AppError> {
    let c = Chrome::new(&ctx, "/r4v");
    let year = match filter.year {
        Some(year) => year,
        None => crate::r4v::dashboard::default_year(&state.store).await?,
    };
    let method = match filter.method.as_deref().filter(|m| !m.is_empty()) {
        Some(m) => <Method as rumbo_domain::Vocabulary>::parse(m)?,
        None => Method::MaxSector,
    };
    let outputs = consolidated(
        &state.store,
        &Consolidation {
            method,
            countries: None,
            from: Some(Month::new(year, 1)?),
            to: Some(Month::new(year, 12)?),
            whole_span: true,
        },
    )
    .await?;
    let names = state.store.countries().await?;
    let name_of = |iso3: &str| {
        names
            .iter()
            .find(|n| n.iso3.as_str() == iso3)
            .map_or_else(|| iso3.to_owned(), |n| c.tr.name(&n.names).to_owned())
    };
    let registry = state.store.r4v_registry().await?;
    let sector_name = |code: &str| {
        registry
            .sector_by_code(code)
            .map_or_else(|| code.to_owned(), |s| sector_label(&c.tr, s))
    };
    let mut countries = Vec::new();
    let mut sectors = Vec::new();
    let mut region_total = None;
    for o in &outputs {
        let shown = output_out(o, true);
        match (&o.level, &o.sector) {
            (Level::Country { country }, None) => countries.push((name_of(country.as_str()), shown.people)),
            (Level::Region, Some(sector)) => sectors.push((sector_name(sector), shown.people)),
            (Level::Region, None) => region_total = shown.people,
            _ => {}
        }
    }
    countries.sort_by_key(|c| std::cmp::Reverse(c.1));
    sectors.sort_by_key(|c| std::cmp::Reverse(c.1));
    let stored = state.store.population_figures(None, None).await?;
    let feed = figures_feed(&stored, false);
    let regional = feed
        .regional
        .iter()
        .map(|r| {
            (
                c.tr.t(&format!("figure_type-{}", r.figure_type)),
                format_count(r.total),
                r.label.clone(),
            )
        })
        .collect();
    let current = feed
        .current
        .iter()
        .map(|f| {
            (
                name_of(f.country.as_str()),
                c.tr.label(f.kind),
                format_count(f.value),
                f.source.clone(),
                rumbo_domain::r4v::figures::format_date(f.reference_date),
                f.method_changed,
            )
        })
        .collect();
    render(&OverviewPage {
        year,
        method: rumbo_domain::Vocabulary::code(method).to_owned(),
        methods: <Method as rumbo_domain::Vocabulary>::ALL
            .iter()
            .map(|m| (rumbo_domain::Vocabulary::code(*m).to_owned(), c.tr.label(*m)))
            .collect(),
        countries: bars(countries, &c.tr),
        sectors: bars(sectors, &c.tr),
        region_total: region_total.map_or_else(|| c.tr.t("r4v-suppressed"), format_count),
        regional,
        current,
        signed_in: ctx.auth.is_some(),
        can_report: ctx.may_somewhere(Action::Report5w),
        can_coordinate: ctx.may_somewhere(Action::ViewCoordination),
        c,
    })
}

/// A sector's name in the reader's language.
pub fn sector_label(tr: &Tr, s: &rumbo_domain::r4v::registry::Sector) -> String {
    match tr.language {
        rumbo_domain::language::Language::Es => s.name_es.clone(),
        rumbo_domain::language::Language::Pt => s.name_pt.clone(),
        rumbo_domain::language::Language::En => s.name_en.clone(),
    }
}

/// The page after an upload: what was accepted, what was left out, what was repaired.
#[derive(Template)]
#[template(path = "r4v/upload_result.html")]
pub struct UploadResult {
    pub c: Chrome,
    pub title: String,
    pub back: String,
    pub summary: Option<String>,
    pub refusal: Option<String>,
    pub problems: Vec<ProblemOut>,
    pub repairs: Vec<Repair>,
    pub rules: Vec<(u8, String, usize)>,
    pub submission_id: Option<i64>,
}

impl UploadResult {
    pub fn new(c: Chrome, title: String, back: &str) -> UploadResult {
        UploadResult {
            c,
            title,
            back: back.to_owned(),
            summary: None,
            refusal: None,
            problems: vec![],
            repairs: vec![],
            rules: vec![],
            submission_id: None,
        }
    }

    /// Fills the page from an upload's outcome.
    pub fn outcome(mut self, result: Result<Intake, AppError>) -> Result<UploadResult, AppError> {
        match result {
            Ok(intake) => {
                self.summary = Some(self.c.tr.with(
                    "r4v-upload-done",
                    &[
                        ("accepted", intake.accepted.to_string()),
                        ("read", intake.rows_read.to_string()),
                        ("errors", intake.with_errors.to_string()),
                        ("unchanged", intake.unchanged.to_string()),
                    ],
                ));
                self.problems = intake.rejected;
                self.repairs = intake
                    .repairs
                    .into_iter()
                    .map(|r| Repair {
                        location: r.location,
                        before: r.before,
                        after: r.after,
                    })
                    .collect();
                self.rules = intake
                    .per_rule
                    .iter()
                    .map(|r| (r.rule, self.c.tr.t(&format!("r4v-rule-{}", r.rule)), r.reports))
                    .collect();
                self.submission_id = Some(intake.submission_id).filter(|id| *id > 0);
                Ok(self)
            }
            Err(AppError::Rejected { message, problems }) => {
                self.refusal = Some(message);
                self.problems = problems;
                Ok(self)
            }
            Err(AppError::Invalid(message)) => {
                self.refusal = Some(message);
                Ok(self)
            }
            Err(e) => Err(e),
        }
    }

    pub fn done(mut self, message: String) -> UploadResult {
        self.summary = Some(message);
        self
    }
}
