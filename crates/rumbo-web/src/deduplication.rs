//! De-duplication between the edge and the store, shared by `api::deduplication`,
//! `pages::deduplication` and the CLI: which countries' queues a user reviews, which side of a
//! pair they may see names of (their organisation's records, and those another organisation
//! shares with it under an agreement in force with the household's consent), decisions, and
//! the pairs and identities as tables for export (pseudonymous codes only).

use rumbo_domain::access::{Action, Target};
use rumbo_domain::country::Iso3;
use rumbo_domain::registration::consent::SharingPurpose;
use rumbo_io::tables::{Cell, DataTable};
use rumbo_store::deduplication::{Cluster, PairRow, PairView};
use rumbo_store::users::User;

use crate::AppState;
use crate::auth::Ctx;
use crate::error::AppError;

/// The countries whose queue the user reviews; `None` for every country.
pub(crate) fn review_countries(user: &User) -> Option<Vec<Iso3>> {
    crate::flow_data::reach(user, Action::ReviewDuplicates)
}

/// The countries a list of pairs or runs covers: `country` if given and the user reviews its
/// duplicates (refused otherwise), else every country they review (`None`: all of them).
pub(crate) fn listed_countries(ctx: &Ctx, country: &Option<String>) -> Result<Option<Vec<Iso3>>, AppError> {
    let user = ctx.require_somewhere(Action::ReviewDuplicates)?;
    match given(country) {
        Some(raw) => {
            let country = Iso3::parse(&raw)?;
            ctx.require(Action::ReviewDuplicates, &Target::country(country))?;
            Ok(Some(vec![country]))
        }
        None => Ok(review_countries(user)),
    }
}

/// A filter's text: trimmed, and absent when blank.
pub(crate) fn given(v: &Option<String>) -> Option<String> {
    v.as_deref().map(str::trim).filter(|v| !v.is_empty()).map(str::to_owned)
}

/// The pair, if the user may review it, and for (person, other) whether they may see its names.
pub(crate) async fn pair_access(state: &AppState, ctx: &Ctx, id: i64) -> Result<(PairRow, (bool, bool)), AppError> {
    let pair = state.store.duplicate_pair_row(id).await?;
    let user = ctx.require(Action::ReviewDuplicates, &Target::country(pair.country))?;
    let subject = user.subject();
    let mut disclose = [false, false];
    for (i, household) in [pair.person.household_id, pair.other.household_id]
        .into_iter()
        .enumerate()
    {
        let key = state.store.household_key(household).await?;
        let target = state
            .store
            .household_target(&key, SharingPurpose::CaseManagement)
            .await?;
        disclose[i] = subject.may(Action::CompareDuplicates, &target);
    }
    Ok((pair, (disclose[0], disclose[1])))
}

/// One pair side by side, as much of it as the user may see; an audited read.
pub(crate) async fn pair_view(state: &AppState, ctx: &Ctx, id: i64) -> Result<PairView, AppError> {
    let (_, disclose) = pair_access(state, ctx, id).await?;
    Ok(state.store.duplicate_pair(&ctx.actor(), id, disclose).await?)
}

/// Pairs as a table: codes, desks, organisations, probability, status.
pub(crate) fn pairs_table(pairs: &[PairRow]) -> DataTable {
    let mut table = DataTable::new(
        "possible-duplicates",
        &[
            ("pair", "#meta+id"),
            ("kind", "#meta+kind"),
            ("status", "#status"),
            ("probability", "#indicator+probability"),
            ("country", "#country+code"),
            ("person", "#beneficiary+code"),
            ("household", "#household+code"),
            ("desk", "#loc+code"),
            ("organisation", "#org+acronym"),
            ("other_person", "#beneficiary+code+other"),
            ("other_household", "#household+code+other"),
            ("other_desk", "#loc+code+other"),
            ("other_organisation", "#org+acronym+other"),
        ],
    );
    for p in pairs {
        table.push(vec![
            p.id.into(),
            p.kind.as_str().into(),
            p.status.as_str().into(),
            p.probability.into(),
            p.country.to_string().into(),
            p.person.member_code.clone().unwrap_or_default().into(),
            p.person.household_code.as_str().into(),
            p.person.desk_code.as_str().into(),
            p.person.organisation.as_str().into(),
            p.other.member_code.clone().unwrap_or_default().into(),
            p.other.household_code.as_str().into(),
            p.other.desk_code.as_str().into(),
            p.other.organisation.as_str().into(),
        ]);
    }
    table
}

/// Resolved identities as a table: one row per registration of a person confirmed to be
/// registered more than once, with the identity it belongs to.
pub(crate) fn clusters_table(clusters: &[Cluster]) -> DataTable {
    let mut table = DataTable::new(
        "resolved-identities",
        &[
            ("person", "#beneficiary+code"),
            ("identity", "#beneficiary+code+identity"),
            ("country", "#country+code"),
            ("household", "#household+code"),
            ("desk", "#loc+code"),
            ("organisation", "#org+acronym"),
        ],
    );
    for cluster in clusters {
        for (person, household, desk, organisation) in &cluster.people {
            table.push(vec![
                person.as_str().into(),
                cluster.identity.as_str().into(),
                cluster.country.to_string().into(),
                household.as_str().into(),
                desk.as_str().into(),
                Cell::from(organisation.as_str()),
            ]);
        }
    }
    table
}
