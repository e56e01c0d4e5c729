//! Registration pages: the overview with figures, household lists and pages, the registration
//! form, corrections, splits, merges, moves and erasure, imports and exports, vulnerability
//! models, programmes with their beneficiary lists, and sharing agreements.

/// Enumerators' assignments to registration desks.
pub(crate) mod desks;
/// The fields of the registration forms: member blocks, household fields, their problems.
mod fields;
/// The registration form, household corrections and member forms.
mod forms;
/// A household's page and the changes made from it.
mod household;
/// Household lists, imports and exports.
mod households;
/// Programmes, beneficiary lists and assistance.
mod programmes;
/// Vulnerability models and sharing agreements.
mod setup;

use std::collections::BTreeMap;

use askama::Template;
use axum::Router;
use axum::extract::{Query, State};
use axum::response::Response;
use axum::routing::{get, post};
use rumbo_domain::access::Action;
use rumbo_domain::country::Iso3;
use rumbo_domain::registration::statistics::{bracket_label, shown};
use rumbo_domain::{DomainError, Vocabulary};
use serde::Deserialize;

use super::parts::{Choice, domain_message};
use super::{Chrome, render};
use crate::AppState;
use crate::auth::Ctx;
use crate::error::AppError;
use crate::i18n::Tr;
use crate::registration::statistics_countries;

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/registration", get(overview))
        .route("/registration/households", get(households::list))
        .route(
            "/registration/households/new",
            get(forms::new_form).post(forms::register),
        )
        .route("/registration/households/{id}", get(household::page))
        .route(
            "/registration/households/{id}/edit",
            get(forms::edit_form).post(forms::edit),
        )
        .route(
            "/registration/households/{id}/members/new",
            get(forms::add_member_form).post(forms::add_member),
        )
        .route("/registration/households/{id}/action", post(household::act))
        .route(
            "/registration/members/{id}/edit",
            get(forms::member_form).post(forms::edit_member),
        )
        .route(
            "/registration/import",
            get(households::import_form).post(households::import),
        )
        .route("/registration/export", get(households::export_form))
        .route("/registration/models", get(setup::models).post(setup::import_model))
        .route("/registration/models/{id}", get(setup::model).post(setup::activate))
        .route(
            "/registration/sharing",
            get(setup::agreements).post(setup::create_agreement),
        )
        .route("/registration/sharing/{id}/revoke", post(setup::revoke))
        .route("/registration/desks", get(desks::page))
        .route("/registration/desks/{id}/assignments", post(desks::assign))
        .route(
            "/registration/programmes",
            get(programmes::list).post(programmes::create),
        )
        .route(
            "/registration/programmes/{id}",
            get(programmes::page).post(programmes::act),
        )
}

/// Choices of a closed vocabulary, labelled in the reader's language.
pub(crate) fn vocabulary_choices<V: Vocabulary>(tr: &Tr, selected: &str) -> Vec<Choice> {
    V::ALL
        .iter()
        .map(|v| Choice::new(v.code(), tr.label(*v), v.code() == selected))
        .collect()
}

/// Problems of a form, by field name (`m2_birth_date` for a member's), in the reader's language.
#[derive(Debug, Default)]
pub(crate) struct Problems(BTreeMap<String, String>);

impl Problems {
    pub fn add(&mut self, field: impl Into<String>, message: String) {
        self.0.entry(field.into()).or_insert(message);
    }

    pub fn get(&self, field: &str) -> Option<&String> {
        self.0.get(field)
    }

    /// The problem of member block `index`'s `field`.
    pub fn at(&self, index: &usize, field: &str) -> Option<&String> {
        self.0.get(&format!("m{index}_{field}"))
    }

    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    pub fn all(&self) -> Vec<(&String, &String)> {
        self.0.iter().collect()
    }
}

/// A registration rule broken by a field, said in the reader's language: the rules people meet
/// most have their own message; others a general one.
pub(crate) fn field_message(tr: &Tr, field: &str, error: &DomainError) -> String {
    let key = match field {
        "birth_date" | "estimated_age" => "reg-error-birth",
        "document_number" => "reg-error-document-number",
        "document_type" => "reg-error-document-type",
        "child_headed" => "reg-error-child-headed",
        "consent_registration" => "reg-error-consent",
        "relationship" => "reg-error-relationship",
        "phone" => "reg-error-phone",
        "nationality" | "previous_country" => "reg-error-nationality",
        "needs" => "reg-error-needs",
        "arrival_date" => "reg-error-arrival",
        "residence_area" | "previous_area" => "reg-error-area",
        "members" => "reg-error-members",
        "reason" => "reg-error-reason",
        _ => return domain_message(tr, error),
    };
    tr.t(key)
}

#[derive(Template)]
#[template(path = "registration/index.html")]
struct OverviewPage {
    c: Chrome,
    country: String,
    countries: Vec<(String, String)>,
    households: i64,
    people: i64,
    person_records: i64,
    verified: i64,
    eligible: i64,
    scored: i64,
    flags: i64,
    erased: i64,
    /// (ages, female, male, other)
    by_age: Vec<(String, String, String, String)>,
    needs: Vec<(String, String)>,
    desks: Vec<(String, String, i64, i64)>,
    exact: bool,
    can_register: bool,
    can_list: bool,
    can_import: bool,
    can_share: bool,
    can_assign: bool,
    /// Why an enumerator without a desk sees no households; or their desks.
    desk_note: Option<String>,
    my_desks: Vec<String>,
    can_review: bool,
}

#[derive(Deserialize)]
struct OverviewFilter {
    country: Option<String>,
}

async fn overview(
    State(state): State<AppState>,
    ctx: Ctx,
    Query(filter): Query<OverviewFilter>,
) -> Result<Response, AppError> {
    let user = ctx.user()?;
    let allowed = statistics_countries(user);
    if allowed.as_ref().is_some_and(Vec::is_empty) {
        return Err(AppError::Forbidden);
    }
    let c = Chrome::new(&ctx, "/registration");
    let mut countries: Vec<(String, String)> = state
        .store
        .countries()
        .await?
        .into_iter()
        .filter(|k| allowed.as_ref().is_none_or(|a| a.contains(&k.iso3)))
        .map(|k| (k.iso3.to_string(), c.tr.name(&k.names).to_owned()))
        .collect();
    countries.sort_by(|a, b| a.1.cmp(&b.1));
    let country = filter.country.unwrap_or_default().trim().to_uppercase();
    let scope = match Iso3::parse(&country) {
        Ok(iso3) if allowed.as_ref().is_none_or(|a| a.contains(&iso3)) => Some(vec![iso3]),
        _ => allowed,
    };
    let f = state.store.registration_figures(scope.as_deref()).await?;
    let exact = user.subject().is_admin();
    let cell = |n: i64| shown(n, exact).to_string();
    let (reach, _) = crate::registration::list_reach(user);
    render(&OverviewPage {
        by_age: (0..5)
            .map(|b| {
                (
                    bracket_label(b),
                    cell(f.by_sex_and_age[0][b]),
                    cell(f.by_sex_and_age[1][b]),
                    cell(f.by_sex_and_age[2][b]),
                )
            })
            .collect(),
        needs: f
            .needs
            .iter()
            .map(|(n, count)| (c.tr.label(*n), cell(*count)))
            .collect(),
        desks: f
            .desks
            .iter()
            .map(|d| (d.code.clone(), d.name.clone(), d.households, d.people))
            .collect(),
        households: f.households,
        people: f.people,
        person_records: f.person_records,
        verified: f.verified,
        eligible: f.eligible,
        scored: f.scored,
        flags: f.open_flags,
        erased: f.erased_households,
        exact,
        can_register: ctx.may_somewhere(Action::RegisterHouseholds),
        can_list: !reach.is_empty(),
        can_import: ctx.may_somewhere(Action::RegisterHouseholds),
        can_share: ctx.may_somewhere(Action::ManageSharingAgreements),
        can_assign: ctx.may_somewhere(Action::ManageDeskAssignments),
        desk_note: desks::desk_note(&c.tr, user),
        my_desks: state
            .store
            .registration_desks()
            .await?
            .into_iter()
            .filter(|d| user.desks.contains(&d.id))
            .map(|d| format!("{} — {}", d.code, d.name))
            .collect(),
        can_review: ctx.may_somewhere(Action::ReviewDuplicates),
        country,
        countries,
        c,
    })
}

#[cfg(test)]
mod tests {
    use rumbo_domain::language::Language;
    use rumbo_domain::registration::conditions::QUESTIONS;
    use rumbo_domain::registration::consent::{ConsentPurpose, ExportPurpose, SharingPurpose};
    use rumbo_domain::registration::documents::DocumentType;
    use rumbo_domain::registration::household::WASHINGTON_FIELDS;
    use rumbo_domain::registration::needs::{Difficulty, SpecificNeed};
    use rumbo_domain::registration::people::{PopulationGroup, Relationship, Sex};
    use rumbo_domain::registration::ranking::{QuotaAttribute, TieBreak};

    use super::*;

    fn labels<V: Vocabulary>() -> Vec<String> {
        V::ALL.iter().map(|v| v.label_key()).collect()
    }

    /// The keys built at run time (labels of codes, answers, history entries, statuses) exist
    /// in every language: a missing one would show the key itself.
    #[test]
    fn every_key_built_at_run_time_is_translated() {
        let mut keys: Vec<String> = Vec::new();
        keys.extend(labels::<Sex>());
        keys.extend(labels::<Relationship>());
        keys.extend(labels::<PopulationGroup>());
        keys.extend(labels::<SpecificNeed>());
        keys.extend(labels::<DocumentType>());
        keys.extend(labels::<ConsentPurpose>());
        keys.extend(labels::<SharingPurpose>());
        keys.extend(labels::<ExportPurpose>());
        keys.extend(labels::<Difficulty>());
        keys.extend(labels::<QuotaAttribute>());
        keys.extend(labels::<TieBreak>());
        for q in QUESTIONS {
            keys.push(format!("reg-question-{}", q.code));
            keys.extend(
                q.answers
                    .iter()
                    .map(|a| format!("reg-answer-{}-{}", q.code, a.replace('_', "-"))),
            );
        }
        keys.extend(WASHINGTON_FIELDS.iter().map(|f| format!("reg-{}", f.replace('_', "-"))));
        keys.extend(["active", "merged", "erased"].iter().map(|s| format!("reg-status-{s}")));
        keys.extend(
            ["conflict", "invalid", "not-found"]
                .iter()
                .map(|s| format!("reg-problem-{s}")),
        );
        for kind in [
            "registered",
            "verified",
            "edited",
            "member_edited",
            "member_added",
            "consent_given",
            "consent_withdrawn",
            "member_moved_out",
            "member_moved_in",
            "split_off",
            "split_from",
            "merged_in",
            "merged_into",
            "member_erased",
            "erased",
        ] {
            keys.push(format!("reg-event-{}", kind.replace('_', "-")));
        }
        for field in [
            "birth_date",
            "document_number",
            "document_type",
            "child_headed",
            "consent_registration",
            "relationship",
            "phone",
            "nationality",
            "needs",
            "arrival_date",
            "residence_area",
            "members",
            "reason",
        ] {
            let tr = Tr::new(Language::En);
            let message = field_message(&tr, field, &DomainError::Invalid(String::new()));
            assert!(!message.starts_with("reg-error"), "{field}: {message}");
        }
        for language in Language::ALL {
            let tr = Tr::new(language);
            let missing: Vec<&String> = keys.iter().filter(|k| tr.t(k) == **k).collect();
            assert!(missing.is_empty(), "{language:?}: {missing:?}");
        }
    }
}
