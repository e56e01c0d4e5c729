//! Registration glue shared by the API and the pages: what a user may see of a household
//! (pseudonymous or personal, decided by the access policy), registration files in (every
//! problem by row and column, desks checked against what the user may register at) and out
//! (personal only with a stated purpose). No HTTP here beyond the error type.

use std::collections::HashMap;

use rumbo_domain::access::{Action, RegistrationReach, Role, Target};
use rumbo_domain::country::Iso3;
use rumbo_domain::registration::consent::{ExportPurpose, SharingPurpose};
use rumbo_domain::{Problem, Vocabulary};
use rumbo_io::registrations::{read_registrations, write_registrations_csv};
use rumbo_store::registration::{Desk, Disclosure, HouseholdKey, HouseholdQuery, ImportSummary, NewRegistration};
use rumbo_store::users::User;
use rumbo_store::{StoreError, now};

use crate::AppState;
use crate::auth::Ctx;
use crate::error::AppError;
use crate::files::Upload;
use crate::transfer::{TransferError, clean_file_name};

/// What the access policy allows the user to see of one household.
pub(crate) struct Access {
    pub key: HouseholdKey,
    pub target: Target,
    pub disclosure: Disclosure,
}

/// The household, if the user may see it at all (under pseudonyms at least), and whether they
/// may see names. Reached for case management: household pages and lists.
pub(crate) async fn household_access(state: &AppState, ctx: &Ctx, id: i64) -> Result<Access, AppError> {
    let key = state.store.household_key(id).await?;
    let target = state
        .store
        .household_target(&key, SharingPurpose::CaseManagement)
        .await?;
    let user = ctx.require(Action::ViewRegistrations, &target)?;
    let disclosure = if user.subject().may(Action::ViewPersonalData, &target) {
        Disclosure::Personal
    } else {
        Disclosure::Pseudonymous
    };
    Ok(Access {
        key,
        target,
        disclosure,
    })
}

/// The household, if the user may take `action` (edit, erase) on it.
pub(crate) async fn household_for(
    state: &AppState,
    ctx: &Ctx,
    id: i64,
    action: Action,
) -> Result<HouseholdKey, AppError> {
    let access = household_access(state, ctx, id).await?;
    ctx.require(action, &access.target)?;
    Ok(access.key)
}

/// The household a member belongs to, if the user may take `action` on it.
pub(crate) async fn member_for(
    state: &AppState,
    ctx: &Ctx,
    member_id: i64,
    action: Action,
) -> Result<HouseholdKey, AppError> {
    let household = state.store.member_household(member_id).await?;
    household_for(state, ctx, household, action).await
}

/// What registering at `desk` touches: the organisation that runs it, in its country.
pub(crate) fn desk_target(desk: &Desk) -> Target {
    Target::organisation(desk.organisation_id, Some(desk.country)).at_desk(desk.id)
}

/// True for an enumerator assigned to no desk: they reach no household (lists are empty, and
/// pages say why).
pub(crate) fn without_desk(user: &User) -> bool {
    user.desks.is_empty() && user.subject().has_role(Role::Enumerator)
}

/// The desks this user may register at.
pub(crate) async fn desks_for(state: &AppState, user: &User) -> Result<Vec<Desk>, AppError> {
    let subject = user.subject();
    Ok(state
        .store
        .registration_desks()
        .await?
        .into_iter()
        .filter(|d| subject.may(Action::RegisterHouseholds, &desk_target(d)))
        .collect())
}

/// The countries whose figures the user may see; `None` for all.
pub(crate) fn statistics_countries(user: &User) -> Option<Vec<Iso3>> {
    let subject = user.subject();
    if subject.may(Action::ViewRegistrationStatistics, &Target::anywhere()) {
        return None;
    }
    Some(
        user.countries()
            .into_iter()
            .filter(|c| subject.may(Action::ViewRegistrationStatistics, &Target::country(*c)))
            .collect(),
    )
}

/// The registrations a list may show the user, and whether it shows their heads' names: only
/// when the user may see the names of every household the list may hold.
pub(crate) fn list_reach(user: &User) -> (RegistrationReach, Disclosure) {
    let subject = user.subject();
    let pseudonymous = subject.registration_reach(Action::ViewRegistrations);
    let disclosure = if subject.registration_reach(Action::ViewPersonalData) == pseudonymous {
        Disclosure::Personal
    } else {
        Disclosure::Pseudonymous
    };
    (pseudonymous, disclosure)
}

/// Reads an uploaded registration file, checks the user may register at every desk it names
/// and that its areas exist, and writes it whole or not at all.
pub(crate) async fn import_upload(state: &AppState, ctx: &Ctx, upload: &Upload) -> Result<ImportSummary, AppError> {
    let user = ctx.user()?;
    let records = read_registrations(&upload.file, rumbo_store::registration::today())
        .map_err(|r| AppError::from(TransferError::from(r)))?;
    let subject = user.subject();
    let mut desks: HashMap<String, Result<Desk, String>> = HashMap::new();
    let mut problems = Vec::new();
    let mut registrations = Vec::with_capacity(records.len());
    for record in records {
        let code = record.desk.trim().to_uppercase();
        if !desks.contains_key(&code) {
            let found = match state.store.location_by_code(&code).await {
                Ok(location) => match state.store.registration_desk(location.id).await {
                    Ok(desk) if subject.may(Action::RegisterHouseholds, &desk_target(&desk)) => Ok(desk),
                    Ok(_) => Err("your roles do not allow registering at this desk".to_owned()),
                    Err(e) => Err(e.to_string()),
                },
                Err(StoreError::NotFound { .. }) => Err(format!("no location has the code {code}")),
                Err(e) => return Err(e.into()),
            };
            desks.insert(code.clone(), found);
        }
        match desks.get(&code) {
            Some(Ok(desk)) => registrations.push(NewRegistration {
                place: record.place,
                desk: desk.clone(),
                household: record.household,
                registered_at: record.registered_at.unwrap_or_else(now),
            }),
            Some(Err(why)) => problems.push(Problem::new(format!("{}, column desk", record.place), why)),
            None => {}
        }
    }
    problems.extend(state.store.check_registration_areas(&registrations).await?);
    if !problems.is_empty() {
        return Err(AppError::Rejected {
            message: format!("{} problem(s) in the file; nothing was imported", problems.len()),
            problems: problems.into_iter().map(Into::into).collect(),
        });
    }
    let source = clean_file_name(upload.file_name.as_deref());
    let (summary, _) = state
        .store
        .write_registrations(&ctx.actor(), &registrations, Some(&source))
        .await?;
    Ok(summary)
}

/// The registrations of `country` (or every country) the user may see, as CSV: with names
/// only when `purpose` is stated and the user may see names of everything they may list.
pub(crate) async fn export_csv(
    state: &AppState,
    ctx: &Ctx,
    country: Option<Iso3>,
    purpose: Option<ExportPurpose>,
) -> Result<Vec<u8>, AppError> {
    let subject = ctx.user()?.subject();
    let query = HouseholdQuery {
        country,
        ..Default::default()
    };
    // A personal export holds only the households whose names the user may see.
    let (reach, disclosure) = match purpose {
        Some(_) => (
            subject.registration_reach(Action::ViewPersonalData),
            Disclosure::Personal,
        ),
        None => (
            subject.registration_reach(Action::ViewRegistrations),
            Disclosure::Pseudonymous,
        ),
    };
    if reach.is_empty() {
        return Err(AppError::Forbidden);
    }
    let people = state
        .store
        .export_people(
            &ctx.actor(),
            &query,
            &reach,
            SharingPurpose::CaseManagement,
            disclosure,
            purpose,
        )
        .await?;
    let mut out = Vec::new();
    write_registrations_csv(&people, disclosure == Disclosure::Personal, &mut out)
        .map_err(|e| AppError::Internal(e.to_string()))?;
    Ok(out)
}

/// An export purpose from a form or a query: `None` when blank.
pub(crate) fn export_purpose(raw: Option<&str>) -> Result<Option<ExportPurpose>, AppError> {
    raw.map(str::trim)
        .filter(|p| !p.is_empty())
        .map(ExportPurpose::parse)
        .transpose()
        .map_err(AppError::from)
}

/// The codes of a purpose list, for messages.
pub(crate) fn purposes() -> String {
    ExportPurpose::ALL
        .iter()
        .map(|p| p.code())
        .collect::<Vec<_>>()
        .join(", ")
}
