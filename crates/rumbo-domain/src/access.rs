//! Need-to-know access, decided in one place. A user holds roles, each scoped to one country or
//! to the whole region; [`Subject::may`] answers whether they may take an action on a target.
//! Handlers ask this function and nothing else, so the table in the tests below is the whole
//! access policy.

use serde::Serialize;

use crate::DomainError;
use crate::country::Iso3;
use crate::vocabulary::Vocabulary;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Role {
    PlatformAdmin,
    ImOfficer,
    OrganisationManager,
    Enumerator,
    ProtectionOfficer,
    Viewer,
}

impl Vocabulary for Role {
    const NAME: &'static str = "role";
    const ALL: &'static [Self] = &[
        Self::PlatformAdmin,
        Self::ImOfficer,
        Self::OrganisationManager,
        Self::Enumerator,
        Self::ProtectionOfficer,
        Self::Viewer,
    ];

    fn code(self) -> &'static str {
        match self {
            Self::PlatformAdmin => "platform_admin",
            Self::ImOfficer => "im_officer",
            Self::OrganisationManager => "organisation_manager",
            Self::Enumerator => "enumerator",
            Self::ProtectionOfficer => "protection_officer",
            Self::Viewer => "viewer",
        }
    }
}

/// Where a role applies: one country, or every country of the response.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "snake_case", tag = "kind", content = "country")]
pub enum Scope {
    Region,
    Country(Iso3),
}

impl Scope {
    pub fn covers(self, country: Iso3) -> bool {
        match self {
            Scope::Region => true,
            Scope::Country(c) => c == country,
        }
    }

    /// Whether the scope covers one of the target's countries (a region-wide scope covers all).
    pub fn covers_any(self, target: &Target) -> bool {
        match self {
            Scope::Region => true,
            Scope::Country(c) => target.countries.contains(&c),
        }
    }

    /// `None` stands for the whole region, as it is stored.
    pub fn country(self) -> Option<Iso3> {
        match self {
            Scope::Region => None,
            Scope::Country(c) => Some(c),
        }
    }

    pub fn from_country(country: Option<Iso3>) -> Scope {
        country.map_or(Scope::Region, Scope::Country)
    }
}

/// One role held in one scope.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
pub struct Grant {
    pub role: Role,
    pub scope: Scope,
}

impl Grant {
    /// Parses `ROLE` (region-wide) or `ROLE:ISO3`, as the command line and scripts write a
    /// grant: `platform_admin`, `im_officer:COL`.
    pub fn parse(raw: &str) -> Result<Grant, DomainError> {
        let (role, country) = match raw.trim().split_once(':') {
            Some((role, country)) => (role, Some(country)),
            None => (raw, None),
        };
        Ok(Grant {
            role: Role::parse(role)?,
            scope: Scope::from_country(country.map(Iso3::parse).transpose()?),
        })
    }

    /// The form [`Grant::parse`] reads: `im_officer:COL`, or just the role when region-wide.
    pub fn code(&self) -> String {
        match self.scope {
            Scope::Region => self.role.code().to_owned(),
            Scope::Country(c) => format!("{}:{c}", self.role.code()),
        }
    }
}

/// Everything Rumbo's access policy is asked about.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Action {
    /// Countries, admin areas, locations, organisations and platforms: shared reference data.
    ViewReferenceData,
    /// Import boundaries and P-code lists, edit admin areas.
    ManageGeography,
    /// Create, edit and retire locations.
    ManageLocations,
    /// Create an organisation or edit its profile.
    ManageOrganisation,
    /// See user accounts: names, e-mail addresses and roles are personal data.
    ViewUsers,
    /// Create, edit and deactivate user accounts, and grant roles.
    ManageUsers,
    /// Browse the audit log.
    ViewAudit,
    /// Change one's own profile and password and hold personal API tokens. Every signed-in
    /// account may, even one whose roles were all revoked, so that it can still be looked after.
    ManageOwnAccount,
    /// Register households at a desk run by the target organisation, in the target country
    /// (enumerators: only at the desks they are assigned to).
    RegisterHouseholds,
    /// See registrations record by record under pseudonymous codes: composition, specific
    /// needs, scores, history. No names, documents, phones or positions.
    ViewRegistrations,
    /// See the names, document numbers, phones and positions of registered people.
    ViewPersonalData,
    /// Verify and correct registrations, record consent, split and merge households, move
    /// people between them.
    EditRegistrations,
    /// Erase a person's or a household's personal data on their request.
    EraseRegistrations,
    /// See registration figures: households and people by sex, age and specific need.
    ViewRegistrationStatistics,
    /// Set up a country's vulnerability models.
    ManageVulnerabilityModels,
    /// Set up assistance programmes and draw up their beneficiary lists.
    ManageProgrammes,
    /// Record who received a programme's assistance, and see its lists.
    RecordAssistance,
    /// Agree which organisations see which others' registrations, and why.
    ManageSharingAgreements,
    /// Assign enumerators to a registration desk (the target): the desk's organisation's
    /// managers and IM officers of the country.
    ManageDeskAssignments,
    /// Flow monitoring aggregates: counts, dashboards, point profiles, official movements,
    /// FMS indicator tables. Anyone with a role in the country (or the region).
    ViewFlowData,
    /// Record counts and FMS interviews at a flow monitoring point. `assigned`: the user is
    /// assigned to that point; enumerators record only where they are assigned.
    RecordFlowData { assigned: bool },
    /// Create and edit flow monitoring points, assign enumerators, import counts and official
    /// border movements, set the operation's age brackets.
    ManageFlowPoints,
    /// Read individual FMS interviews (personal data).
    ViewFmsInterviews,
    /// The protection queue: open flagged interviews and record their follow-up.
    ViewProtectionCases,
    /// Change the rule set that flags vulnerable cases (region-wide).
    ManageRiskRules,
    /// See an organisation's 5W activity reports and its error report: the organisation's own
    /// staff, and IM officers of the country.
    View5w,
    /// Enter, import and correct 5W reports: the organisation's managers and enumerators in the
    /// report's country, and IM officers of the country.
    Report5w,
    /// Validate a country's 5W reports (mark them checked): IM officers of the country.
    Validate5w,
    /// Population figures, RMRP targets, requirements and funding, needs, the indicator
    /// registry and information exchange datasets of a country: its IM officers.
    ManageR4v,
    /// Coordination views across partners (overlaps, every organisation's error report, the
    /// dashboards by partner): IM officers of the country.
    ViewCoordination,
    /// Upload (and replace) the organisation's cryptographic linkage keys for a country, and
    /// consent to releasing matched pairs with a partner: the organisation's managers and IM
    /// officers, for their own organisation.
    ManageLinkageKeys,
    /// Link every organisation's keys of a country and see the overlaps (counts only): IM
    /// officers of the country.
    RunLinkage,
    /// Download the matched pseudonymous pairs between two organisations: only when both
    /// consented (the target then names the partner in `shared_with`), and only the managers
    /// and IM officers of those two organisations.
    ViewLinkagePairs,
    /// De-duplication: run the record-linkage engine over a country's registrations, browse
    /// the review queue of possible duplicates, confirm, reject or undo merges: IM officers of
    /// the country. Pairs are shown under pseudonyms unless `CompareDuplicates` allows more.
    ReviewDuplicates,
    /// See the names and documents of one side of a possible duplicate while reviewing it:
    /// the reviewer's own organisation's records, and those another organisation shares with
    /// it (an agreement in force and the household's consent).
    CompareDuplicates,
}

/// What an action is about: the countries it touches and the organisation that owns it.
/// An empty `countries` means regional data, which only region-wide roles reach.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Target {
    pub countries: Vec<Iso3>,
    pub organisation: Option<i64>,
    /// Other organisations the owner shares this record with: a sharing agreement in force
    /// for the purpose at hand, and the household's consent to sharing.
    pub shared_with: Vec<i64>,
    /// The registration desk (a location id) a registration was made at, or a desk itself.
    pub desk: Option<i64>,
}

impl Target {
    pub fn anywhere() -> Target {
        Target::default()
    }

    pub fn country(country: Iso3) -> Target {
        Target {
            countries: vec![country],
            ..Target::default()
        }
    }

    /// Something owned by `organisation`, based in `country` when it has one.
    pub fn organisation(organisation: i64, country: Option<Iso3>) -> Target {
        Target {
            countries: country.into_iter().collect(),
            organisation: Some(organisation),
            shared_with: Vec::new(),
            desk: None,
        }
    }

    /// A registration of `organisation` in `country`, which the owner shares with `shared_with`.
    pub fn registration(organisation: i64, country: Iso3, shared_with: Vec<i64>) -> Target {
        Target {
            countries: vec![country],
            organisation: Some(organisation),
            shared_with,
            desk: None,
        }
    }

    /// The same target, made or held at registration desk `desk`.
    pub fn at_desk(self, desk: i64) -> Target {
        Target {
            desk: Some(desk),
            ..self
        }
    }
}

/// A signed-in user as the access policy sees them.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Subject {
    pub user_id: i64,
    pub organisation_id: i64,
    pub grants: Vec<Grant>,
    /// The registration desks (location ids) the user is assigned to. Enumerators register,
    /// browse and correct households only at these; other roles are not bound to desks.
    pub desks: Vec<i64>,
}

impl Subject {
    pub fn has_role(&self, role: Role) -> bool {
        self.grants.iter().any(|g| g.role == role)
    }

    pub fn is_admin(&self) -> bool {
        self.has_role(Role::PlatformAdmin)
    }

    /// The countries in which the user holds `role`; `None` when they hold it region-wide.
    pub fn countries_for(&self, role: Role) -> Option<Vec<Iso3>> {
        let mut countries = Vec::new();
        for grant in self.grants.iter().filter(|g| g.role == role) {
            match grant.scope {
                Scope::Region => return None,
                Scope::Country(c) => countries.push(c),
            }
        }
        Some(countries)
    }

    /// True when the user holds `role` in a scope that covers the target.
    fn holds_over(&self, role: Role, target: &Target) -> bool {
        self.grants.iter().any(|g| {
            g.role == role
                && match g.scope {
                    Scope::Region => true,
                    Scope::Country(c) => target.countries.contains(&c),
                }
        })
    }

    fn owns(&self, target: &Target) -> bool {
        target.organisation == Some(self.organisation_id)
    }

    fn shared(&self, target: &Target) -> bool {
        target.shared_with.contains(&self.organisation_id)
    }

    /// True when the user holds one of `roles` in a scope that covers the target.
    fn holds_any(&self, roles: &[Role], target: &Target) -> bool {
        roles.iter().any(|r| self.holds_over(*r, target))
    }

    /// True when the user works as an enumerator on the target: holds the role over it and is
    /// assigned to the desk it was registered at.
    fn enumerates_at(&self, target: &Target) -> bool {
        self.holds_over(Role::Enumerator, target) && target.desk.is_some_and(|d| self.desks.contains(&d))
    }

    /// `holds_any` for registration work, where the enumerator role counts only at the
    /// user's own desks.
    fn works_on(&self, roles: &[Role], target: &Target) -> bool {
        roles.iter().any(|r| {
            if *r == Role::Enumerator {
                self.enumerates_at(target)
            } else {
                self.holds_over(*r, target)
            }
        })
    }

    /// The access policy. Platform admins may do everything; every other rule is listed here.
    pub fn may(&self, action: Action, target: &Target) -> bool {
        use Action::*;
        use Role::*;
        if self.is_admin() {
            return true;
        }
        match action {
            ViewReferenceData => !self.grants.is_empty(),
            ManageGeography | ManageLocations => self.holds_over(ImOfficer, target),
            ManageOrganisation => {
                self.holds_over(ImOfficer, target) || (self.has_role(OrganisationManager) && self.owns(target))
            }
            ViewUsers => {
                self.holds_over(ImOfficer, target) || (self.has_role(OrganisationManager) && self.owns(target))
            }
            ManageUsers => self.has_role(OrganisationManager) && self.owns(target),
            ViewAudit => false,
            ManageOwnAccount => true,
            RegisterHouseholds => {
                self.works_on(&[Enumerator, ProtectionOfficer, ImOfficer], target) && self.owns(target)
            }
            ViewRegistrations | ViewPersonalData => {
                let (own, shared) = registration_roles(action);
                (self.works_on(own, target) && self.owns(target))
                    || (self.holds_any(shared, target) && self.shared(target))
            }
            EditRegistrations => self.works_on(&[Enumerator, ProtectionOfficer], target) && self.owns(target),
            EraseRegistrations => self.holds_over(ProtectionOfficer, target) && self.owns(target),
            ViewRegistrationStatistics => self.holds_any(Role::ALL, target),
            ManageVulnerabilityModels | ManageSharingAgreements => self.holds_over(ImOfficer, target),
            ManageDeskAssignments => {
                self.holds_over(ImOfficer, target)
                    || (self.holds_over(OrganisationManager, target) && self.owns(target))
            }
            ManageProgrammes => {
                self.holds_over(ImOfficer, target)
                    || (self.holds_over(OrganisationManager, target) && self.owns(target))
            }
            RecordAssistance => {
                self.holds_any(&[ImOfficer, OrganisationManager, Enumerator, ProtectionOfficer], target)
                    && self.owns(target)
            }
            ViewFlowData => {
                self.grants.iter().any(|g| g.scope == Scope::Region)
                    || target
                        .countries
                        .iter()
                        .any(|c| self.grants.iter().any(|g| g.scope.covers(*c)))
            }
            RecordFlowData { assigned } => {
                self.holds_over(ImOfficer, target) || (assigned && self.holds_over(Enumerator, target))
            }
            ManageFlowPoints => self.holds_over(ImOfficer, target),
            ViewFmsInterviews => self.holds_over(ImOfficer, target) || self.holds_over(ProtectionOfficer, target),
            ViewProtectionCases => self.holds_over(ProtectionOfficer, target),
            // The rule set is one for the whole response: only a region-wide IM officer changes it.
            ManageRiskRules => self.holds_over(ImOfficer, &Target::anywhere()),
            View5w => {
                self.holds_over(ImOfficer, target)
                    || (self.owns(target) && self.grants.iter().any(|g| g.scope.covers_any(target)))
            }
            Report5w => {
                self.holds_over(ImOfficer, target)
                    || (self.owns(target)
                        && (self.holds_over(OrganisationManager, target) || self.holds_over(Enumerator, target)))
            }
            Validate5w | ManageR4v | ViewCoordination | ReviewDuplicates => self.holds_over(ImOfficer, target),
            ManageLinkageKeys => self.holds_any(&[OrganisationManager, ImOfficer], target) && self.owns(target),
            RunLinkage => self.holds_over(ImOfficer, target),
            ViewLinkagePairs => {
                !target.shared_with.is_empty()
                    && self.holds_any(&[OrganisationManager, ImOfficer], target)
                    && (self.owns(target) || self.shared(target))
            }
            CompareDuplicates => {
                self.holds_any(&[ImOfficer, ProtectionOfficer], target) && (self.owns(target) || self.shared(target))
            }
        }
    }

    /// Which registrations a list may show for `action` (`ViewRegistrations` or
    /// `ViewPersonalData`): the listing counterpart of `may`, kept equal to it by a test.
    pub fn registration_reach(&self, action: Action) -> RegistrationReach {
        if self.is_admin() {
            return RegistrationReach::All;
        }
        let (own, shared) = registration_roles(action);
        let countries = |roles: &[Role]| {
            let mut set = Some(Vec::new());
            for grant in self.grants.iter().filter(|g| roles.contains(&g.role)) {
                match (grant.scope, set.as_mut()) {
                    (Scope::Region, _) => set = None,
                    (Scope::Country(c), Some(list)) => list.push(c),
                    (Scope::Country(_), None) => {}
                }
            }
            set
        };
        // Enumerators reach their own desks only; the other roles every desk of their countries.
        let at_desks = if own.contains(&Role::Enumerator) && !self.desks.is_empty() {
            DeskReach {
                desks: self.desks.clone(),
                countries: countries(&[Role::Enumerator]),
            }
        } else {
            DeskReach::default()
        };
        let every_desk: Vec<Role> = own.iter().copied().filter(|r| *r != Role::Enumerator).collect();
        RegistrationReach::Limited {
            organisation: self.organisation_id,
            own: countries(&every_desk),
            at_desks,
            shared: countries(shared),
        }
    }

    /// Which accounts a user list may show: the listing counterpart of `may(ViewUsers, ..)`,
    /// so that a list never holds a user whose page would be refused.
    pub fn user_reach(&self) -> UserReach {
        if self.is_admin() {
            return UserReach::All;
        }
        let countries = match self.countries_for(Role::ImOfficer) {
            None => return UserReach::All,
            Some(countries) => countries,
        };
        UserReach::Limited {
            countries,
            organisation: self.has_role(Role::OrganisationManager).then_some(self.organisation_id),
        }
    }

    /// Whether the user may give `grant` to a member of `organisation`. Organisation managers
    /// staff their own organisation with enumerators and viewers in the countries they manage;
    /// every other role, and any region-wide role, is granted by a platform admin.
    pub fn may_grant(&self, grant: Grant, organisation: i64) -> bool {
        if self.is_admin() {
            return true;
        }
        let Scope::Country(country) = grant.scope else {
            return false;
        };
        matches!(grant.role, Role::Enumerator | Role::Viewer)
            && organisation == self.organisation_id
            && self.holds_over(Role::OrganisationManager, &Target::country(country))
    }

    /// Whether the user may give `grant` to, or take it from, the account `user_id` of
    /// `organisation`. Nobody changes their own roles, administrators included: a second
    /// person is always involved.
    pub fn may_grant_to(&self, grant: Grant, user_id: i64, organisation: i64) -> bool {
        user_id != self.user_id && self.may_grant(grant, organisation)
    }

    /// Whether the user may edit, deactivate or reset the password of the account `user_id` of
    /// `organisation`, which holds `grants`. Managing users of the organisation is not enough:
    /// every role the account holds must be one the user could have granted, or an organisation
    /// manager could take over a more powerful colleague's account by resetting its password.
    /// One's own account is looked after under [`Action::ManageOwnAccount`].
    pub fn may_manage_user(&self, user_id: i64, organisation: i64, grants: &[Grant]) -> bool {
        user_id != self.user_id
            && self.may(Action::ManageUsers, &Target::organisation(organisation, None))
            && grants.iter().all(|g| self.may_grant(*g, organisation))
    }
}

/// The roles that see registrations for `action`: of their own organisation, and shared with it.
/// Enumerators are registration staff: they see their own organisation's desks only, never
/// what partners share; caseworkers (protection officers) see names, their own and shared.
fn registration_roles(action: Action) -> (&'static [Role], &'static [Role]) {
    use Role::*;
    match action {
        Action::ViewPersonalData => (&[Enumerator, ProtectionOfficer], &[ProtectionOfficer]),
        _ => (
            &[ImOfficer, OrganisationManager, Enumerator, ProtectionOfficer, Viewer],
            &[ImOfficer, OrganisationManager, ProtectionOfficer, Viewer],
        ),
    }
}

#[path = "access_reach.rs"]
mod reach;
pub use reach::{DeskReach, RegistrationReach, UserReach};

#[cfg(test)]
#[path = "access_tests.rs"]
mod tests;
