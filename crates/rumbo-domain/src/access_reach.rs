//! What a user reaches in lists: the registrations and the accounts [`Subject`] lets them see,
//! for the store to turn into a query and for single records to be checked against.

#[cfg(doc)]
use super::Subject;
use super::Target;
use crate::country::Iso3;

/// The registrations a user may see in lists (see [`Subject::registration_reach`]).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum RegistrationReach {
    All,
    /// Registrations of `organisation` in the `own` countries, its registrations made at
    /// `at_desks`, and registrations shared with it in the `shared` countries. `None` stands
    /// for every country.
    Limited {
        organisation: i64,
        own: Option<Vec<Iso3>>,
        at_desks: DeskReach,
        shared: Option<Vec<Iso3>>,
    },
}

/// Registrations made at some desks, in some countries (`None`: every country): what an
/// enumerator reaches. No desks: none.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct DeskReach {
    pub desks: Vec<i64>,
    pub countries: Option<Vec<Iso3>>,
}

impl DeskReach {
    pub fn is_empty(&self) -> bool {
        self.desks.is_empty() || self.countries.as_ref().is_some_and(Vec::is_empty)
    }
}

impl RegistrationReach {
    /// True when no registration at all is within reach.
    pub fn is_empty(&self) -> bool {
        matches!(self, RegistrationReach::Limited { own: Some(own), at_desks, shared: Some(shared), .. }
            if own.is_empty() && at_desks.is_empty() && shared.is_empty())
    }

    /// Whether a registration (`target` as `Target::registration` builds it) is within reach.
    pub fn covers(&self, target: &Target) -> bool {
        let RegistrationReach::Limited {
            organisation,
            own,
            at_desks,
            shared,
        } = self
        else {
            return true;
        };
        let within = |set: &Option<Vec<Iso3>>| match set {
            None => true,
            Some(list) => target.countries.iter().any(|c| list.contains(c)),
        };
        let at_desk = target.desk.is_some_and(|d| at_desks.desks.contains(&d)) && within(&at_desks.countries);
        (target.organisation == Some(*organisation) && (within(own) || at_desk))
            || (target.shared_with.contains(organisation) && within(shared))
    }
}

/// The accounts a user may see in lists (see [`Subject::user_reach`]).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum UserReach {
    All,
    /// Accounts holding a role in one of `countries`, or belonging to `organisation`. Both
    /// empty: none at all.
    Limited {
        countries: Vec<Iso3>,
        organisation: Option<i64>,
    },
}

impl UserReach {
    /// Whether an account of `organisation` with roles in `countries` is within reach.
    pub fn covers(&self, organisation: i64, countries: &[Iso3]) -> bool {
        match self {
            UserReach::All => true,
            UserReach::Limited {
                countries: reach,
                organisation: own,
            } => *own == Some(organisation) || countries.iter().any(|c| reach.contains(c)),
        }
    }

    /// True when no account at all is within reach.
    pub fn is_empty(&self) -> bool {
        matches!(self, UserReach::Limited { countries, organisation: None } if countries.is_empty())
    }
}
