//! The review queue of possible duplicates for IM officers: filters (country, desk,
//! organisation, probability, status, kind), downloads of pairs and resolved identities, a
//! pair's page with both records side by side and the engine's per-field explanation, the
//! decisions confirm, reject and undo, and the latest runs of the engine (asked for and followed
//! in `deduplication_runs`). Opening a pair is an audited read; names of a side only
//! where the access policy allows (see `crate::deduplication::pair_access`).

use askama::Template;
use axum::Router;
use axum::extract::{Path, Query, State};
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::get;
use rumbo_domain::Vocabulary;
use rumbo_domain::access::Action;
use rumbo_domain::country::Iso3;
use rumbo_store::Page;
use rumbo_store::deduplication::{Decision, PairRow, PairSide, PairView};
use rumbo_store::organisations::OrganisationQuery;
use serde::Deserialize;

use super::parts::{Choice, Fields, PAGE_SIZE, Pager};
use super::{Chrome, render};
use crate::AppState;
use crate::api::deduplication::{ExportQuery, PairFilter, export_file};
use crate::auth::Ctx;
use crate::deduplication::{given, pair_view, review_countries};
use crate::error::AppError;
use crate::i18n::Tr;

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/registration/duplicates", get(queue))
        .route("/registration/duplicates/export", get(download))
        .route("/registration/duplicates/{id}", get(pair).post(decide))
}

/// The queue's filters as the form sends them (blank means any).
#[derive(Debug, Default, Deserialize)]
struct QueueForm {
    country: Option<String>,
    desk_id: Option<String>,
    organisation_id: Option<String>,
    min_probability: Option<String>,
    status: Option<String>,
    kind: Option<String>,
    // Text, not a number: `serde(flatten)` in the download form reads every field as text.
    offset: Option<String>,
}

fn number(v: &Option<String>, field: &str) -> Result<Option<i64>, AppError> {
    given(v)
        .map(|raw| {
            raw.parse::<i64>()
                .map_err(|_| AppError::Invalid(format!("{field}: '{raw}' is not a number")))
        })
        .transpose()
}

impl QueueForm {
    fn filter(&self) -> Result<PairFilter, AppError> {
        Ok(PairFilter {
            country: given(&self.country),
            desk_id: number(&self.desk_id, "desk_id")?,
            organisation_id: number(&self.organisation_id, "organisation_id")?,
            min_probability: number(&self.min_probability, "min_probability")?,
            status: given(&self.status),
            kind: given(&self.kind),
            limit: None,
            offset: None,
        })
    }

    fn pairs(&self) -> Vec<(&'static str, String)> {
        let v = |o: &Option<String>| given(o).unwrap_or_default();
        vec![
            ("country", v(&self.country)),
            ("desk_id", v(&self.desk_id)),
            ("organisation_id", v(&self.organisation_id)),
            ("min_probability", v(&self.min_probability)),
            ("status", v(&self.status)),
            ("kind", v(&self.kind)),
        ]
    }
}

/// A pair as the queue shows it, labelled.
struct PairLine {
    id: i64,
    kind: String,
    probability: String,
    status: String,
    person: String,
    person_place: String,
    other: String,
    other_place: String,
}

fn percent(p: Option<f64>) -> String {
    p.map_or_else(|| "100%".to_owned(), |p| format!("{:.0}%", p * 100.0))
}

fn pair_line(tr: &Tr, p: &PairRow) -> PairLine {
    PairLine {
        id: p.id,
        kind: tr.t(&format!("dedup-kind-{}", p.kind)),
        probability: percent(p.probability),
        status: tr.t(&format!("dedup-status-{}", p.status)),
        person: p
            .person
            .member_code
            .clone()
            .unwrap_or_else(|| p.person.household_code.clone()),
        person_place: format!("{} · {}", p.person.desk_name, p.person.organisation),
        other: p
            .other
            .member_code
            .clone()
            .unwrap_or_else(|| p.other.household_code.clone()),
        other_place: format!("{} · {}", p.other.desk_name, p.other.organisation),
    }
}

#[derive(Template)]
#[template(path = "deduplication/queue.html")]
struct QueuePage {
    c: Chrome,
    pairs: Vec<PairLine>,
    countries: Vec<Choice>,
    desks: Vec<Choice>,
    organisations: Vec<Choice>,
    statuses: Vec<Choice>,
    kinds: Vec<Choice>,
    min_probability: String,
    /// The countries the reader may run the engine over.
    run_countries: Vec<Choice>,
    /// The latest runs of the engine in the chosen country, or in every country reviewed.
    runs: Vec<super::deduplication_runs::RunLine>,
    /// The current filters as a query string, for the download links.
    filters: String,
    pager: Pager,
}

async fn queue(State(state): State<AppState>, ctx: Ctx, Query(form): Query<QueueForm>) -> Result<Response, AppError> {
    let user = ctx.require_somewhere(Action::ReviewDuplicates)?;
    let c = Chrome::new(&ctx, "/registration");
    let query = form.filter()?.query(&ctx)?;
    let page = Page::new(Some(PAGE_SIZE), number(&form.offset, "offset")?);
    let (pairs, total) = state.store.duplicate_pairs(&query, page).await?;
    let reach = review_countries(user);
    let within = |c: &Iso3| reach.as_ref().is_none_or(|r| r.contains(c));
    let chosen = |v: &Option<String>| given(v).unwrap_or_default();
    let any = |tr: &Tr, selected: bool| Choice::new("", tr.t("form-all"), selected);
    let mut countries = vec![any(&c.tr, given(&form.country).is_none())];
    let mut listed: Vec<(String, String)> = state
        .store
        .countries()
        .await?
        .into_iter()
        .filter(|k| within(&k.iso3))
        .map(|k| (k.iso3.to_string(), c.tr.name(&k.names).to_owned()))
        .collect();
    listed.sort_by(|a, b| a.1.cmp(&b.1));
    countries.extend(
        listed
            .into_iter()
            .map(|(iso3, name)| Choice::new(iso3.clone(), name, chosen(&form.country) == iso3)),
    );
    let mut desks = vec![any(&c.tr, given(&form.desk_id).is_none())];
    desks.extend(
        state
            .store
            .registration_desks()
            .await?
            .into_iter()
            .filter(|d| within(&d.country))
            .map(|d| {
                Choice::new(
                    d.id.to_string(),
                    format!("{} {}", d.code, d.name),
                    chosen(&form.desk_id) == d.id.to_string(),
                )
            }),
    );
    let mut organisations = vec![any(&c.tr, given(&form.organisation_id).is_none())];
    let (orgs, _) = state
        .store
        .organisations(&OrganisationQuery::default(), Page::new(Some(Page::MAX_LIMIT), None))
        .await?;
    organisations.extend(orgs.into_iter().map(|o| {
        Choice::new(
            o.id.to_string(),
            o.acronym,
            chosen(&form.organisation_id) == o.id.to_string(),
        )
    }));
    let status = given(&form.status).unwrap_or_else(|| "open".to_owned());
    let statuses = ["open", "duplicate", "not_duplicate", "all"]
        .iter()
        .map(|s| Choice::new(*s, c.tr.t(&format!("dedup-status-{s}")), status == *s))
        .collect();
    let kind = chosen(&form.kind);
    let mut kinds = vec![any(&c.tr, kind.is_empty())];
    kinds.extend(
        ["probable_match", "duplicate_document"]
            .iter()
            .map(|k| Choice::new(*k, c.tr.t(&format!("dedup-kind-{k}")), kind == *k)),
    );
    let run_countries = countries.iter().filter(|o| !o.value.is_empty()).cloned().collect();
    let run_reach = query.countries.clone();
    let runs = super::deduplication_runs::run_lines(&state, &c.tr, run_reach).await?;
    let filters = form.pairs();
    let borrowed: Vec<(&str, &str)> = filters.iter().map(|(k, v)| (*k, v.as_str())).collect();
    let kept: Vec<(&str, &str)> = borrowed.iter().copied().filter(|(_, v)| !v.is_empty()).collect();
    render(&QueuePage {
        pairs: pairs.iter().map(|p| pair_line(&c.tr, p)).collect(),
        countries,
        desks,
        organisations,
        statuses,
        kinds,
        min_probability: chosen(&form.min_probability),
        run_countries,
        runs,
        filters: serde_urlencoded::to_string(&kept).unwrap_or_default(),
        pager: Pager::new("/registration/duplicates", &borrowed, page, total),
        c,
    })
}

#[derive(Debug, Deserialize)]
struct DownloadForm {
    what: Option<String>,
    format: Option<String>,
    #[serde(flatten)]
    filters: QueueForm,
}

async fn download(
    State(state): State<AppState>,
    ctx: Ctx,
    Query(form): Query<DownloadForm>,
) -> Result<Response, AppError> {
    let filter = form.filters.filter()?;
    let query = ExportQuery {
        what: form.what,
        format: form.format,
        country: filter.country,
        desk_id: filter.desk_id,
        organisation_id: filter.organisation_id,
        min_probability: filter.min_probability,
        status: filter.status,
        kind: filter.kind,
    };
    export_file(&state, &ctx, &query).await
}

/// One side of a pair, labelled.
struct SideLines {
    household_id: i64,
    household: String,
    person: String,
    place: String,
    /// "May already be registered by organisation Y at desk X": what is said when names are not shown.
    withheld: Option<String>,
    /// (label, value) rows: sex, age, nationality, identity; names, birth date, documents when shown.
    rows: Vec<(String, String)>,
}

fn side_lines(tr: &Tr, side: &PairSide) -> SideLines {
    let end = &side.end;
    let mut rows = Vec::new();
    if let Some(sex) = side.sex {
        rows.push((tr.t("dedup-sex"), tr.label(sex)));
    }
    if let Some(age) = side.age {
        rows.push((tr.t("dedup-age"), age.to_string()));
    }
    if let Some(n) = &side.nationality {
        rows.push((tr.t("dedup-nationality"), n.clone()));
    }
    if let Some(identity) = &side.identity {
        rows.push((tr.t("dedup-identity"), identity.clone()));
    }
    let withheld = match &side.details {
        Some(d) => {
            rows.push((tr.t("dedup-given-names"), d.given_names.clone()));
            let surnames = match &d.second_surname {
                Some(second) => format!("{} {second}", d.first_surname),
                None => d.first_surname.clone(),
            };
            rows.push((tr.t("dedup-surnames"), surnames));
            rows.push((tr.t("dedup-birth-date"), d.birth_date.clone()));
            for (kind, number) in &d.documents {
                rows.push((tr.t("dedup-document"), format!("{kind} {number}")));
            }
            None
        }
        None => Some(tr.with(
            "dedup-withheld",
            &[
                ("organisation", end.organisation.clone()),
                ("desk", end.desk_name.clone()),
            ],
        )),
    };
    SideLines {
        household_id: end.household_id,
        household: end.household_code.clone(),
        person: end.member_code.clone().unwrap_or_default(),
        place: format!("{} ({}) · {}", end.desk_name, end.desk_code, end.organisation),
        withheld,
        rows,
    }
}

#[derive(Template)]
#[template(path = "deduplication/pair.html")]
struct PairPage {
    c: Chrome,
    pair: PairLine,
    open: bool,
    confirmed: bool,
    /// (heading, side): the later registration, then the earlier.
    sides: Vec<(String, SideLines)>,
    /// (field, level, weight)
    explanation: Vec<(String, String, String)>,
    /// (when, who, decision)
    decisions: Vec<(String, String, String)>,
}

fn pair_page(c: Chrome, view: &PairView) -> PairPage {
    let tr = &c.tr;
    PairPage {
        pair: pair_line(tr, &view.pair),
        open: view.pair.status == "open",
        confirmed: view.pair.status == "duplicate",
        sides: vec![
            (tr.t("dedup-person"), side_lines(tr, &view.person)),
            (tr.t("dedup-other"), side_lines(tr, &view.other)),
        ],
        explanation: view
            .explanation
            .iter()
            .map(|f| {
                (
                    label_or_code(tr, "dedup-field-", &f.field),
                    label_or_code(tr, "dedup-level-", &f.level),
                    format!("{:+.1}", f.weight),
                )
            })
            .collect(),
        decisions: view
            .decisions
            .iter()
            .map(|d| {
                (
                    d.at.clone(),
                    d.user.clone().unwrap_or_else(|| "Rumbo".to_owned()),
                    tr.t(&format!("dedup-decision-{}", d.decision)),
                )
            })
            .collect(),
        c,
    }
}

/// The catalogue's label for an engine code, or the code itself when the engine names a level
/// the catalogue does not know yet.
fn label_or_code(tr: &Tr, prefix: &str, code: &str) -> String {
    let key = format!("{prefix}{code}");
    let label = tr.t(&key);
    if label == key { code.to_owned() } else { label }
}

fn pair_id(raw: &str) -> Result<i64, AppError> {
    raw.parse()
        .map_err(|_| AppError::NotFound(format!("possible duplicate {raw} does not exist")))
}

async fn pair(State(state): State<AppState>, ctx: Ctx, Path(id): Path<String>) -> Result<Response, AppError> {
    let id = pair_id(&id)?;
    let view = pair_view(&state, &ctx, id).await?;
    render(&pair_page(Chrome::new(&ctx, "/registration"), &view))
}

async fn decide(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(id): Path<String>,
    fields: Fields,
) -> Result<Response, AppError> {
    let id = pair_id(&id)?;
    // Refused unless the reader reviews the pair's country.
    crate::deduplication::pair_access(&state, &ctx, id).await?;
    let decision = Decision::parse(fields.get("decision"))?;
    state.store.decide_duplicate(&ctx.actor(), id, decision).await?;
    Ok(Redirect::to(&format!("/registration/duplicates/{id}")).into_response())
}

#[cfg(test)]
mod tests {
    /// Every field and level the engine can explain a pair with has a label, so the review
    /// queue never shows an engine code (the catalogue has the same keys in every language).
    #[test]
    fn every_field_and_level_of_the_engine_has_a_label() {
        use rumbo_domain::linkage::{FIELDS, HOUSEHOLD, HOUSEHOLD_LEVELS, LEVELS};
        let tr = crate::i18n::Tr::new(rumbo_domain::language::Language::En);
        let household: &[&str] = &HOUSEHOLD_LEVELS;
        let keys = FIELDS
            .iter()
            .chain([&HOUSEHOLD])
            .map(|f| format!("dedup-field-{f}"))
            .chain(
                LEVELS
                    .iter()
                    .chain([&household])
                    .flat_map(|levels| levels.iter().map(|l| format!("dedup-level-{l}"))),
            );
        for key in keys {
            assert_ne!(tr.t(&key), key, "no label for {key}");
        }
    }
}
