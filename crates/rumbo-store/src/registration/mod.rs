//! DTM registration: households and the people in them, their documents, specific needs and
//! consent; the history of every change; possible duplicates; sharing agreements between
//! organisations; vulnerability models and scores; assistance programmes, beneficiary lists
//! and the assistance recorded.
//!
//! Personal fields are sealed by the [`Vault`](crate::vault::Vault) before they are written and
//! opened only when a caller asks for [`Disclosure::Personal`] — after the access policy said
//! yes — and every such read writes an audit entry in its own transaction. Audit summaries
//! name households by their pseudonymous code and fields by name, never a value.

/// Multi-row inserts and id reservation for many records at once.
pub(crate) mod batch;
/// Enumerators' assignments to registration desks.
mod desks;
/// Verifying and editing households and members, consent, adding members.
mod edit;
/// Erasure of personal data on request.
mod erase;
/// Household records: access keys, views (pseudonymous or personal), lists, history.
mod households;
/// Registering households: one from a form, thousands from a file or the demo.
mod intake;
/// Re-encrypting personal data under a new key.
mod keys;
/// Lists of households within a user's reach, and exports of them.
mod list;
/// Beneficiary lists: drawing them up and reading them back.
mod lists;
/// Correcting and adding members.
mod members;
/// Vulnerability models: versions, activation, scores.
mod models;
/// Assistance programmes, beneficiary lists, assistance records.
mod programmes;
/// Splitting and merging households, moving people between them.
mod restructure;
/// Sharing agreements between organisations.
mod sharing;
/// Figures: households and people by sex, age and specific need.
mod statistics;
/// Household and member rows in batches, sealed; duplicates flagged.
mod writers;

use rumbo_domain::DomainError;
use rumbo_domain::country::Iso3;
use rumbo_domain::geography::Pcode;
use rumbo_domain::registration::household::FieldProblem;
use sqlx::Row;
use time::Date;

pub use desks::DeskAssignee;
pub(crate) use households::open_name;
pub use households::{DocumentView, EventView, FlagView, HouseholdKey, HouseholdView, MemberView, ScoreView};
pub use intake::{Desk, ImportSummary, NewRegistration, RegistrationOutcome};
pub use keys::KeyUsage;
pub use list::{HouseholdQuery, HouseholdRow};
pub use models::{ModelRecord, ModelSummary};
pub use programmes::{AssistanceView, BeneficiaryEntry, BeneficiaryListView, ProgrammeInput, ProgrammeRecord};
pub use rumbo_domain::registration::export::ExportedPerson;
pub use sharing::{AgreementInput, AgreementRecord};
pub use statistics::RegistrationFigures;

use rumbo_domain::Problem;

use crate::{Result, Store, StoreError};

/// How much of a registration a read may show.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Disclosure {
    /// Pseudonymous codes, composition, needs, scores: no names, documents, phones or positions.
    Pseudonymous,
    /// Everything, opened from the vault. Only after the access policy allowed it; audited.
    Personal,
}

/// The encrypted columns, as the vault authenticates them (`table.column`).
pub(crate) mod columns {
    pub const GIVEN_NAMES: &str = "household_members.given_names";
    pub const FIRST_SURNAME: &str = "household_members.first_surname";
    pub const SECOND_SURNAME: &str = "household_members.second_surname";
    pub const PHONE: &str = "household_members.phone";
    pub const POSITION: &str = "households.position";
    pub const DOCUMENT_NUMBER: &str = "member_documents.number";
    pub const REASON: &str = "registration_events.reason";
    pub const BEFORE: &str = "registration_events.before";
}

/// Today's date, as registration rules see it.
pub fn today() -> Date {
    time::OffsetDateTime::now_utc().date()
}

pub(crate) fn parse_stored_date(what: &'static str, raw: &str) -> Result<Date> {
    rumbo_domain::registration::people::parse_date(what, raw).map_err(|e| StoreError::Corrupt {
        what,
        detail: e.to_string(),
    })
}

pub(crate) fn parse_stored_pcode(raw: Option<String>) -> Result<Option<Pcode>> {
    Ok(raw.as_deref().map(Pcode::parse).transpose()?)
}

/// Field problems of a household as a rejection, each at its member and field.
pub(crate) fn rejected(what: &str, problems: Vec<FieldProblem>) -> StoreError {
    let problems: Vec<Problem> = problems
        .into_iter()
        .map(|p| {
            let place = match p.member {
                Some(m) => format!("member {}, {}", m + 1, p.field),
                None => p.field.to_owned(),
            };
            Problem::new(place, p.error)
        })
        .collect();
    StoreError::Rejected {
        message: format!("{} problem(s) in the {what}; nothing was saved", problems.len()),
        problems,
    }
}

/// A reason for a change: required (who changed what and why), at most 500 characters. It may
/// name people, so it is stored sealed.
pub(crate) fn reason(raw: &str) -> Result<String> {
    Ok(rumbo_domain::error::required_text("reason", raw, 500)?)
}

/// The country of a stored ISO3 code.
pub(crate) fn stored_country(raw: &str) -> Result<Iso3> {
    Iso3::parse(raw).map_err(|e: DomainError| StoreError::Corrupt {
        what: "country",
        detail: e.to_string(),
    })
}

impl Store {
    /// The organisations that `owner` shares its registrations in `country` with, today, for
    /// `purpose`: agreements in force. A household is shared only if it also consented.
    pub async fn sharing_partners(
        &self,
        owner: i64,
        country: Iso3,
        purpose: rumbo_domain::registration::consent::SharingPurpose,
    ) -> Result<Vec<i64>> {
        use rumbo_domain::Vocabulary;
        let today = rumbo_domain::registration::people::format_date(today());
        let rows = sqlx::query(
            "SELECT DISTINCT a.to_org FROM sharing_agreements a
             JOIN sharing_agreement_purposes p ON p.agreement_id = a.id
             WHERE a.from_org = $1 AND a.country_iso3 = $2 AND p.purpose = $3 AND a.revoked_at IS NULL
               AND a.valid_from <= $4 AND (a.valid_until IS NULL OR a.valid_until >= $4)
             ORDER BY a.to_org",
        )
        .bind(owner)
        .bind(country.to_string())
        .bind(purpose.code())
        .bind(&today)
        .fetch_all(&self.pool)
        .await?;
        rows.iter().map(|r| Ok(r.try_get::<i64, _>("to_org")?)).collect()
    }
}
