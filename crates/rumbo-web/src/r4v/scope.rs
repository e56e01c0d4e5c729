use rumbo_domain::access::{Action, Role, Target};
use rumbo_domain::country::{Iso3, known_countries};
use rumbo_store::r4v::{ActivityQuery, ActivityRecord};
use rumbo_store::users::User;

use crate::auth::Ctx;
use crate::error::AppError;

fn all_countries() -> Vec<Iso3> {
    known_countries().into_iter().map(|c| c.iso3).collect()
}

/// The countries in which the user holds `role` (every country for a region-wide grant).
pub fn countries_with(user: &User, role: Role) -> Vec<Iso3> {
    user.subject().countries_for(role).unwrap_or_else(all_countries)
}

/// Restricts `query` to the reports the user may see (the listing side of
/// `may(View5w, ..)`): those of their own organisation in the countries they work in, and
/// every report of the countries where they are IM officer. Admins see everything.
pub fn limit_to_reach(user: &User, query: &mut ActivityQuery) {
    let subject = user.subject();
    if subject.is_admin() {
        return;
    }
    let own_countries = if subject.grants.iter().any(|g| g.scope.country().is_none()) {
        all_countries()
    } else {
        user.countries()
    };
    let own = (!subject.grants.is_empty()).then_some(user.organisation_id);
    query.reach = Some((own, own_countries, countries_with(user, Role::ImOfficer)));
}

/// The access target of a report: its organisation, in its country.
pub fn target_of(record: &ActivityRecord) -> Target {
    Target::organisation(record.organisation_id, Some(record.country))
}

/// The countries in which the user may take `action` on country-wide data.
pub fn countries_for(ctx: &Ctx, action: Action) -> Result<Vec<Iso3>, AppError> {
    let user = ctx.user()?;
    let subject = user.subject();
    Ok(all_countries()
        .into_iter()
        .filter(|c| subject.may(action, &Target::country(*c)))
        .collect())
}
