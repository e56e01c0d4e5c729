//! Registration over the API: households and their members, history, possible duplicates,
//! erasure; files in and out; figures; vulnerability models; programmes, beneficiary lists and
//! assistance; sharing agreements. Whoever may not see names gets pseudonymous codes
//! (`H-...`, `P-...`) and nothing personal; every view of a household is audited.

/// Enumerators' assignments to registration desks.
mod desks;
/// Registration files in and out, figures.
mod files;
/// Households: list, register, read, edit, verify, consent, erase, review flags.
mod households;
/// Members: edit, add, move, split off, merge, erase.
mod members;
/// Programmes, beneficiary lists, assistance, sharing agreements.
mod programmes;
/// Vulnerability models and registration desks.
mod setup;

use std::collections::BTreeMap;

use rumbo_domain::registration::conditions::QUESTIONS;
use rumbo_domain::registration::consent::Consent;
use rumbo_domain::registration::household::{DetailsInput, DocumentInput, HouseholdInput, MemberInput};
use rumbo_domain::registration::needs::WASHINGTON_DOMAINS;
use serde::Deserialize;
use utoipa::ToSchema;
use utoipa_axum::router::OpenApiRouter;

use crate::AppState;
use crate::error::AppError;

pub(crate) use programmes::agreement_countries;
pub(crate) use setup::save_uploaded_model;

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .merge(desks::router())
        .merge(households::router())
        .merge(members::router())
        .merge(files::router())
        .merge(setup::router())
        .merge(programmes::router())
}

/// A household's own fields.
#[derive(Debug, Clone, Default, Deserialize, ToSchema)]
pub struct DetailsIn {
    /// in_destination, in_transit, pendular, returnee, host_community
    #[schema(example = "in_destination")]
    pub population_group: String,
    #[schema(example = "2025-11-02")]
    pub arrival_date: Option<String>,
    /// ISO3 of the country of previous residence.
    pub previous_country: Option<String>,
    /// P-code of the area of previous residence (a Venezuelan state, such as VE13).
    pub previous_area: Option<String>,
    /// P-code of the admin area the household lives in now; the desk's when not given.
    pub residence_area: Option<String>,
    pub lat: Option<f64>,
    pub lon: Option<f64>,
    /// Staff confirm that the head is a child.
    #[serde(default)]
    pub child_headed: bool,
    /// Living conditions by question: meals, shelter, water, sanitation, electricity, work,
    /// coping, safety, internet, isolation.
    #[serde(default)]
    pub conditions: BTreeMap<String, String>,
}

#[derive(Debug, Clone, Copy, Default, Deserialize, ToSchema)]
pub struct ConsentIn {
    pub registration: bool,
    #[serde(default)]
    pub sharing: bool,
    #[serde(default)]
    pub referral: bool,
}

#[derive(Debug, Clone, Default, Deserialize, ToSchema)]
pub struct DocumentIn {
    /// venezuelan_cedula, passport, pep, ppt, host_permit, birth_certificate, other
    #[schema(example = "venezuelan_cedula")]
    pub doc_type: String,
    #[schema(example = "V-12.345.678")]
    pub number: String,
    pub expiry: Option<String>,
}

/// A person. Give `birth_date`, or `estimated_age` when the date is not known.
#[derive(Debug, Clone, Default, Deserialize, ToSchema)]
pub struct MemberIn {
    /// head, spouse, child, stepchild, parent, sibling, grandchild, grandparent, other_relative, non_relative
    pub relationship: String,
    pub given_names: String,
    pub first_surname: String,
    pub second_surname: Option<String>,
    /// female, male, other
    pub sex: String,
    pub birth_date: Option<String>,
    pub estimated_age: Option<u32>,
    /// ISO3 (XXA stateless, XXX unknown).
    #[schema(example = "VEN")]
    pub nationality: String,
    pub phone: Option<String>,
    /// Specific needs: our codes or UNHCR's (CR, UM, SC, WR, ER, DS, SM, SP, SV, TR, LP, FU, PL).
    #[serde(default)]
    pub needs: Vec<String>,
    /// Washington Group answers (1 to 4, or none, some, a_lot, cannot_do_at_all) by domain:
    /// seeing, hearing, walking, cognition, self_care, communication.
    #[serde(default)]
    pub washington: BTreeMap<String, String>,
    #[serde(default)]
    pub documents: Vec<DocumentIn>,
}

/// Unknown keys of a map whose keys must be among `known`, as problems.
fn unknown_keys(map: &BTreeMap<String, String>, known: &[&str], field: &str) -> Result<(), AppError> {
    let unknown: Vec<&String> = map.keys().filter(|k| !known.contains(&k.as_str())).collect();
    if unknown.is_empty() {
        return Ok(());
    }
    Err(AppError::Rejected {
        message: format!("unknown keys in {field}"),
        problems: unknown
            .into_iter()
            .map(|k| crate::error::ProblemOut {
                location: format!("{field}.{k}"),
                problem: format!("expected one of: {}", known.join(", ")),
            })
            .collect(),
    })
}

impl DetailsIn {
    pub fn input(&self) -> Result<DetailsInput, AppError> {
        let questions: Vec<&str> = QUESTIONS.iter().map(|q| q.code).collect();
        unknown_keys(&self.conditions, &questions, "conditions")?;
        let text = |v: &Option<String>| v.clone().unwrap_or_default();
        let number = |v: Option<f64>| v.map(|n| n.to_string()).unwrap_or_default();
        Ok(DetailsInput {
            population_group: self.population_group.clone(),
            arrival_date: text(&self.arrival_date),
            previous_country: text(&self.previous_country),
            previous_area: text(&self.previous_area),
            residence_area: text(&self.residence_area),
            lat: number(self.lat),
            lon: number(self.lon),
            child_headed: self.child_headed,
            conditions: QUESTIONS
                .iter()
                .map(|q| self.conditions.get(q.code).cloned().unwrap_or_default())
                .collect(),
        })
    }
}

impl MemberIn {
    pub fn input(&self) -> Result<MemberInput, AppError> {
        unknown_keys(&self.washington, &WASHINGTON_DOMAINS, "washington")?;
        Ok(MemberInput {
            relationship: self.relationship.clone(),
            given_names: self.given_names.clone(),
            first_surname: self.first_surname.clone(),
            second_surname: self.second_surname.clone().unwrap_or_default(),
            sex: self.sex.clone(),
            birth_date: self.birth_date.clone().unwrap_or_default(),
            estimated_age: self.estimated_age.map(|a| a.to_string()).unwrap_or_default(),
            nationality: self.nationality.clone(),
            phone: self.phone.clone().unwrap_or_default(),
            needs: self.needs.clone(),
            washington: std::array::from_fn(|i| {
                self.washington.get(WASHINGTON_DOMAINS[i]).cloned().unwrap_or_default()
            }),
            documents: self
                .documents
                .iter()
                .map(|d| DocumentInput {
                    doc_type: d.doc_type.clone(),
                    number: d.number.clone(),
                    expiry: d.expiry.clone().unwrap_or_default(),
                })
                .collect(),
        })
    }
}

/// A household to register.
#[derive(Debug, Clone, Deserialize, ToSchema)]
pub struct HouseholdIn {
    /// The registration desk (a location of kind registration_desk).
    pub desk_id: i64,
    #[serde(flatten)]
    pub details: DetailsIn,
    pub consent: ConsentIn,
    pub members: Vec<MemberIn>,
}

impl HouseholdIn {
    pub fn input(&self) -> Result<HouseholdInput, AppError> {
        Ok(HouseholdInput {
            details: self.details.input()?,
            consent: Consent {
                registration: self.consent.registration,
                sharing: self.consent.sharing,
                referral: self.consent.referral,
            },
            members: self.members.iter().map(MemberIn::input).collect::<Result<_, _>>()?,
        })
    }
}
