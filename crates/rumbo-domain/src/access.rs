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
    /// Register households at a desk run by the target organisation, in the target country.
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
        }
    }

    /// A registration of `organisation` in `country`, which the owner shares with `shared_with`.
    pub fn registration(organisation: i64, country: Iso3, shared_with: Vec<i64>) -> Target {
        Target {
            countries: vec![country],
            organisation: Some(organisation),
            shared_with,
        }
    }
}

/// A signed-in user as the access policy sees them.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Subject {
    pub user_id: i64,
    pub organisation_id: i64,
    pub grants: Vec<Grant>,
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
                self.holds_any(&[Enumerator, ProtectionOfficer, ImOfficer], target) && self.owns(target)
            }
            ViewRegistrations | ViewPersonalData => {
                let (own, shared) = registration_roles(action);
                (self.holds_any(own, target) && self.owns(target))
                    || (self.holds_any(shared, target) && self.shared(target))
            }
            EditRegistrations => self.holds_any(&[Enumerator, ProtectionOfficer], target) && self.owns(target),
            EraseRegistrations => self.holds_over(ProtectionOfficer, target) && self.owns(target),
            ViewRegistrationStatistics => self.holds_any(Role::ALL, target),
            ManageVulnerabilityModels | ManageSharingAgreements => self.holds_over(ImOfficer, target),
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
            Validate5w | ManageR4v | ViewCoordination => self.holds_over(ImOfficer, target),
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
        RegistrationReach::Limited {
            organisation: self.organisation_id,
            own: countries(own),
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

/// The registrations a user may see in lists (see [`Subject::registration_reach`]).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum RegistrationReach {
    All,
    /// Registrations of `organisation` in the `own` countries, and registrations shared with
    /// it in the `shared` countries. `None` stands for every country.
    Limited {
        organisation: i64,
        own: Option<Vec<Iso3>>,
        shared: Option<Vec<Iso3>>,
    },
}

impl RegistrationReach {
    /// True when no registration at all is within reach.
    pub fn is_empty(&self) -> bool {
        matches!(self, RegistrationReach::Limited { own: Some(own), shared: Some(shared), .. } if own.is_empty() && shared.is_empty())
    }

    /// Whether a registration (`target` as `Target::registration` builds it) is within reach.
    pub fn covers(&self, target: &Target) -> bool {
        let RegistrationReach::Limited {
            organisation,
            own,
            shared,
        } = self
        else {
            return true;
        };
        let within = |set: &Option<Vec<Iso3>>| match set {
            None => true,
            Some(list) => target.countries.iter().any(|c| list.contains(c)),
        };
        (target.organisation == Some(*organisation) && within(own))
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

#[cfg(test)]
mod tests {
    use super::*;

    const OWN_ORG: i64 = 1;
    const OTHER_ORG: i64 = 2;

    fn iso(code: &str) -> Iso3 {
        Iso3::parse(code).expect("valid iso3")
    }

    fn subject(role: Role, scope: Scope) -> Subject {
        Subject {
            user_id: 10,
            organisation_id: OWN_ORG,
            grants: vec![Grant { role, scope }],
        }
    }

    /// The whole policy, one row per (role, action, target): what each role can and cannot do.
    #[test]
    fn policy_table() {
        use Action::*;
        use Role::*;
        let col = Scope::Country(iso("COL"));
        let in_col = Target::country(iso("COL"));
        let in_per = Target::country(iso("PER"));
        let regional = Target::anywhere();
        let own_org = Target::organisation(OWN_ORG, Some(iso("COL")));
        let other_org_col = Target::organisation(OTHER_ORG, Some(iso("COL")));
        let other_org_per = Target::organisation(OTHER_ORG, Some(iso("PER")));
        let own_org_per = Target::organisation(OWN_ORG, Some(iso("PER")));

        #[rustfmt::skip]
        let mut table: Vec<(Role, Scope, Action, &Target, bool)> = vec![
            (PlatformAdmin, Scope::Region, ViewAudit, &regional, true),
            (PlatformAdmin, Scope::Region, ManageUsers, &other_org_per, true),
            (PlatformAdmin, Scope::Region, ManageGeography, &in_per, true),

            (ImOfficer, col, ViewReferenceData, &regional, true),
            (ImOfficer, col, ManageGeography, &in_col, true),
            (ImOfficer, col, ManageGeography, &in_per, false),
            (ImOfficer, col, ManageGeography, &regional, false),
            (ImOfficer, col, ManageLocations, &in_col, true),
            (ImOfficer, col, ManageLocations, &in_per, false),
            (ImOfficer, col, ManageOrganisation, &other_org_col, true),
            (ImOfficer, col, ManageOrganisation, &other_org_per, false),
            (ImOfficer, col, ViewUsers, &other_org_col, true),
            (ImOfficer, col, ViewUsers, &other_org_per, false),
            (ImOfficer, col, ManageUsers, &other_org_col, false),
            (ImOfficer, col, ViewAudit, &regional, false),
            (ImOfficer, Scope::Region, ManageGeography, &in_per, true),

            (OrganisationManager, col, ViewReferenceData, &regional, true),
            (OrganisationManager, col, ManageOrganisation, &own_org, true),
            (OrganisationManager, col, ManageOrganisation, &other_org_col, false),
            (OrganisationManager, col, ViewUsers, &own_org, true),
            (OrganisationManager, col, ViewUsers, &other_org_col, false),
            (OrganisationManager, col, ManageUsers, &own_org, true),
            (OrganisationManager, col, ManageUsers, &other_org_col, false),
            (OrganisationManager, col, ManageLocations, &in_col, false),
            (OrganisationManager, col, ViewAudit, &regional, false),

            (Enumerator, col, ViewReferenceData, &regional, true),
            (Enumerator, col, ManageLocations, &in_col, false),
            (Enumerator, col, ManageGeography, &in_col, false),
            (Enumerator, col, ViewUsers, &own_org, false),
            (Enumerator, col, ManageOrganisation, &own_org, false),
            (Enumerator, col, ViewAudit, &regional, false),

            (ProtectionOfficer, col, ViewReferenceData, &regional, true),
            (ProtectionOfficer, col, ManageLocations, &in_col, false),
            (ProtectionOfficer, col, ViewUsers, &own_org, false),
            (ProtectionOfficer, col, ViewAudit, &regional, false),

            (Viewer, col, ViewReferenceData, &regional, true),
            (Viewer, col, ManageGeography, &in_col, false),
            (Viewer, col, ManageLocations, &in_col, false),
            (Viewer, col, ManageOrganisation, &own_org, false),
            (Viewer, col, ViewUsers, &own_org, false),
            (Viewer, col, ManageUsers, &own_org, false),
            (Viewer, col, ViewAudit, &regional, false),

            (PlatformAdmin, Scope::Region, ManageOwnAccount, &regional, true),
            (ImOfficer, col, ManageOwnAccount, &regional, true),
            (OrganisationManager, col, ManageOwnAccount, &regional, true),
            (Enumerator, col, ManageOwnAccount, &regional, true),
            (ProtectionOfficer, col, ManageOwnAccount, &regional, true),
            (Viewer, col, ManageOwnAccount, &regional, true),

            // Flow monitoring.
            (PlatformAdmin, Scope::Region, ViewProtectionCases, &in_per, true),
            (PlatformAdmin, Scope::Region, ManageRiskRules, &regional, true),
            (ImOfficer, col, ViewFlowData, &in_col, true),
            (ImOfficer, col, ViewFlowData, &in_per, false),
            (ImOfficer, col, RecordFlowData { assigned: false }, &in_col, true),
            (ImOfficer, col, RecordFlowData { assigned: false }, &in_per, false),
            (ImOfficer, col, ManageFlowPoints, &in_col, true),
            (ImOfficer, col, ManageFlowPoints, &in_per, false),
            (ImOfficer, col, ViewFmsInterviews, &in_col, true),
            (ImOfficer, col, ViewFmsInterviews, &in_per, false),
            (ImOfficer, col, ViewProtectionCases, &in_col, false),
            (ImOfficer, col, ManageRiskRules, &regional, false),
            (ImOfficer, Scope::Region, ManageRiskRules, &regional, true),
            (ImOfficer, Scope::Region, ViewFlowData, &in_per, true),
            (Enumerator, col, RecordFlowData { assigned: true }, &in_col, true),
            (Enumerator, col, RecordFlowData { assigned: false }, &in_col, false),
            (Enumerator, col, RecordFlowData { assigned: true }, &in_per, false),
            (Enumerator, col, ViewFlowData, &in_col, true),
            (Enumerator, col, ManageFlowPoints, &in_col, false),
            (Enumerator, col, ViewFmsInterviews, &in_col, false),
            (Enumerator, col, ViewProtectionCases, &in_col, false),
            (ProtectionOfficer, col, ViewProtectionCases, &in_col, true),
            (ProtectionOfficer, col, ViewProtectionCases, &in_per, false),
            (ProtectionOfficer, col, ViewFmsInterviews, &in_col, true),
            (ProtectionOfficer, col, RecordFlowData { assigned: true }, &in_col, false),
            (ProtectionOfficer, col, ManageFlowPoints, &in_col, false),
            (Viewer, col, ViewFlowData, &in_col, true),
            (Viewer, col, ViewFlowData, &in_per, false),
            (Viewer, col, ViewFlowData, &regional, false),
            (Viewer, col, RecordFlowData { assigned: true }, &in_col, false),
            (Viewer, col, ViewFmsInterviews, &in_col, false),
            (Viewer, col, ViewProtectionCases, &in_col, false),
            (OrganisationManager, col, ViewProtectionCases, &in_col, false),
            (OrganisationManager, col, ManageFlowPoints, &in_col, false),
            // 5W: partners report and see their own; IM officers see, correct and validate
            // their country's; coordination views and R4V reference data are IM officers'.
            (PlatformAdmin, Scope::Region, Validate5w, &in_per, true),
            (ImOfficer, col, View5w, &other_org_col, true),
            (ImOfficer, col, View5w, &other_org_per, false),
            (ImOfficer, col, Report5w, &other_org_col, true),
            (ImOfficer, col, Report5w, &other_org_per, false),
            (ImOfficer, col, Validate5w, &in_col, true),
            (ImOfficer, col, Validate5w, &in_per, false),
            (ImOfficer, col, ManageR4v, &in_col, true),
            (ImOfficer, col, ManageR4v, &in_per, false),
            (ImOfficer, col, ManageR4v, &regional, false),
            (ImOfficer, Scope::Region, ManageR4v, &regional, true),
            (ImOfficer, col, ViewCoordination, &in_col, true),
            (ImOfficer, col, ViewCoordination, &in_per, false),
            (OrganisationManager, col, View5w, &own_org, true),
            (OrganisationManager, col, View5w, &other_org_col, false),
            (OrganisationManager, col, Report5w, &own_org, true),
            (OrganisationManager, col, Report5w, &other_org_col, false),
            (OrganisationManager, col, Report5w, &own_org_per, false),
            (OrganisationManager, col, Validate5w, &in_col, false),
            (OrganisationManager, col, ManageR4v, &in_col, false),
            (OrganisationManager, col, ViewCoordination, &in_col, false),
            (Enumerator, col, View5w, &own_org, true),
            (Enumerator, col, Report5w, &own_org, true),
            (Enumerator, col, Report5w, &other_org_col, false),
            (Enumerator, col, Validate5w, &in_col, false),
            (ProtectionOfficer, col, View5w, &own_org, true),
            (ProtectionOfficer, col, Report5w, &own_org, false),
            (Viewer, col, View5w, &own_org, true),
            (Viewer, col, View5w, &other_org_col, false),
            (Viewer, col, View5w, &own_org_per, false),
            (Viewer, col, Report5w, &own_org, false),
            (Viewer, col, ManageR4v, &in_col, false),
            (Viewer, col, ViewCoordination, &in_col, false),
        ];
        table.extend(registration_rows(&col));
        for (role, scope, action, target, expected) in table {
            assert_eq!(
                subject(role, scope).may(action, target),
                expected,
                "{role:?} in {scope:?} doing {action:?} on {target:?}"
            );
        }
    }

    /// Registration: who registers, browses, reads names, edits and erases which households,
    /// and who sets up models, programmes and sharing agreements.
    fn registration_rows(col: &Scope) -> Vec<(Role, Scope, Action, &'static Target, bool)> {
        use Action::*;
        use Role::*;
        let col = *col;
        let targets = registration_targets();
        let [own, other, shared, shared_per, own_per, country] = targets;
        #[rustfmt::skip]
        let rows = vec![
            (PlatformAdmin, Scope::Region, ViewPersonalData, other, true),
            (PlatformAdmin, Scope::Region, EraseRegistrations, other, true),

            // Enumerators register and browse at their organisation's desks only.
            (Enumerator, col, RegisterHouseholds, own, true),
            (Enumerator, col, RegisterHouseholds, other, false),
            (Enumerator, col, RegisterHouseholds, own_per, false),
            (Enumerator, col, ViewRegistrations, own, true),
            (Enumerator, col, ViewPersonalData, own, true),
            (Enumerator, col, ViewRegistrations, other, false),
            (Enumerator, col, ViewRegistrations, shared, false),
            (Enumerator, col, ViewPersonalData, shared, false),
            (Enumerator, col, EditRegistrations, own, true),
            (Enumerator, col, EditRegistrations, other, false),
            (Enumerator, col, EraseRegistrations, own, false),
            (Enumerator, col, ViewRegistrationStatistics, country, true),
            (Enumerator, col, ManageProgrammes, own, false),
            (Enumerator, col, RecordAssistance, own, true),

            // Caseworkers see names in their country: their own and what is shared with them.
            (ProtectionOfficer, col, ViewPersonalData, own, true),
            (ProtectionOfficer, col, ViewPersonalData, shared, true),
            (ProtectionOfficer, col, ViewPersonalData, other, false),
            (ProtectionOfficer, col, ViewPersonalData, shared_per, false),
            (ProtectionOfficer, col, ViewPersonalData, own_per, false),
            (ProtectionOfficer, col, EditRegistrations, own, true),
            (ProtectionOfficer, col, EditRegistrations, shared, false),
            (ProtectionOfficer, col, EraseRegistrations, own, true),
            (ProtectionOfficer, col, EraseRegistrations, shared, false),
            (ProtectionOfficer, col, RegisterHouseholds, own, true),

            // Viewers: figures and pseudonymous records, never names.
            (Viewer, col, ViewRegistrationStatistics, country, true),
            (Viewer, col, ViewRegistrations, own, true),
            (Viewer, col, ViewRegistrations, shared, true),
            (Viewer, col, ViewRegistrations, other, false),
            (Viewer, col, ViewPersonalData, own, false),
            (Viewer, col, ViewPersonalData, shared, false),
            (Viewer, col, RegisterHouseholds, own, false),
            (Viewer, col, EditRegistrations, own, false),
            (Viewer, col, RecordAssistance, own, false),

            // IM officers: models, programmes, agreements; records under pseudonyms only.
            (ImOfficer, col, ManageVulnerabilityModels, country, true),
            (ImOfficer, col, ManageSharingAgreements, country, true),
            (ImOfficer, col, ManageProgrammes, other, true),
            (ImOfficer, col, ManageProgrammes, own_per, false),
            (ImOfficer, col, ViewRegistrations, own, true),
            (ImOfficer, col, ViewRegistrations, other, false),
            (ImOfficer, col, ViewPersonalData, own, false),
            (ImOfficer, col, EditRegistrations, own, false),
            (ImOfficer, col, RegisterHouseholds, own, true),
            (ImOfficer, col, RecordAssistance, other, false),

            // Organisation managers run their organisation's programmes.
            (OrganisationManager, col, ManageProgrammes, own, true),
            (OrganisationManager, col, ManageProgrammes, other, false),
            (OrganisationManager, col, RecordAssistance, own, true),
            (OrganisationManager, col, ViewPersonalData, own, false),
            (OrganisationManager, col, ManageVulnerabilityModels, country, false),
            (OrganisationManager, col, ManageSharingAgreements, country, false),
        ];
        rows
    }

    /// Registrations the table above is about: own organisation's in Colombia, another's not
    /// shared, another's shared with the own organisation (in Colombia and in Peru), own in
    /// Peru, and Colombia as a whole.
    fn registration_targets() -> [&'static Target; 6] {
        use std::sync::OnceLock;
        static TARGETS: OnceLock<[Target; 6]> = OnceLock::new();
        let t = TARGETS.get_or_init(|| {
            let col = Iso3::parse("COL").expect("iso3");
            let per = Iso3::parse("PER").expect("iso3");
            [
                Target::registration(OWN_ORG, col, vec![]),
                Target::registration(OTHER_ORG, col, vec![]),
                Target::registration(OTHER_ORG, col, vec![OWN_ORG]),
                Target::registration(OTHER_ORG, per, vec![OWN_ORG]),
                Target::registration(OWN_ORG, per, vec![]),
                Target::country(col),
            ]
        });
        [&t[0], &t[1], &t[2], &t[3], &t[4], &t[5]]
    }

    /// A registration list shows exactly the records whose pages the policy would open.
    #[test]
    fn registration_lists_reach_what_views_allow() {
        let (col, per) = (iso("COL"), iso("PER"));
        let mut subjects: Vec<Subject> = Role::ALL
            .iter()
            .flat_map(|role| [subject(*role, Scope::Country(col)), subject(*role, Scope::Region)])
            .collect();
        subjects.push(Subject {
            user_id: 10,
            organisation_id: OWN_ORG,
            grants: vec![
                Grant {
                    role: Role::Enumerator,
                    scope: Scope::Country(per),
                },
                Grant {
                    role: Role::ProtectionOfficer,
                    scope: Scope::Country(col),
                },
            ],
        });
        for s in &subjects {
            for action in [Action::ViewRegistrations, Action::ViewPersonalData] {
                let reach = s.registration_reach(action);
                for target in registration_targets().into_iter().take(5) {
                    assert_eq!(
                        reach.covers(target),
                        s.may(action, target),
                        "{s:?} {action:?} {target:?}"
                    );
                }
            }
        }
    }

    #[test]
    fn a_user_without_roles_may_do_nothing() {
        let nobody = Subject {
            user_id: 1,
            organisation_id: OWN_ORG,
            grants: vec![],
        };
        assert!(!nobody.may(Action::ViewReferenceData, &Target::anywhere()));
        assert!(!nobody.may(Action::ManageUsers, &Target::organisation(OWN_ORG, None)));
        assert!(
            nobody.may(Action::ManageOwnAccount, &Target::anywhere()),
            "an account without roles may still change its password"
        );
        assert!(nobody.user_reach().is_empty());
    }

    #[test]
    fn organisation_managers_grant_only_field_roles_in_their_countries() {
        let manager = subject(Role::OrganisationManager, Scope::Country(iso("COL")));
        let grant = |role, country: &str| Grant {
            role,
            scope: Scope::Country(iso(country)),
        };
        assert!(manager.may_grant(grant(Role::Enumerator, "COL"), OWN_ORG));
        assert!(manager.may_grant(grant(Role::Viewer, "COL"), OWN_ORG));
        assert!(!manager.may_grant(grant(Role::Enumerator, "PER"), OWN_ORG));
        assert!(!manager.may_grant(grant(Role::Enumerator, "COL"), OTHER_ORG));
        assert!(!manager.may_grant(grant(Role::ProtectionOfficer, "COL"), OWN_ORG));
        assert!(!manager.may_grant(grant(Role::PlatformAdmin, "COL"), OWN_ORG));
        assert!(!manager.may_grant(
            Grant {
                role: Role::Viewer,
                scope: Scope::Region
            },
            OWN_ORG
        ));
        let admin = subject(Role::PlatformAdmin, Scope::Region);
        assert!(admin.may_grant(grant(Role::ProtectionOfficer, "PER"), OTHER_ORG));
    }

    #[test]
    fn nobody_changes_their_own_roles() {
        let admin = subject(Role::PlatformAdmin, Scope::Region);
        let viewer = Grant {
            role: Role::Viewer,
            scope: Scope::Country(iso("COL")),
        };
        assert!(admin.may_grant_to(viewer, 11, OWN_ORG));
        assert!(!admin.may_grant_to(viewer, admin.user_id, OWN_ORG));
        let manager = subject(Role::OrganisationManager, Scope::Country(iso("COL")));
        assert!(manager.may_grant_to(viewer, 11, OWN_ORG));
        assert!(!manager.may_grant_to(viewer, manager.user_id, OWN_ORG));
    }

    /// An organisation manager may look after the field staff of their organisation, but not
    /// a colleague who holds a role they could not have granted (an IM officer, an admin).
    #[test]
    fn managers_manage_only_accounts_they_could_have_staffed() {
        let manager = subject(Role::OrganisationManager, Scope::Country(iso("COL")));
        let in_col = |role| Grant {
            role,
            scope: Scope::Country(iso("COL")),
        };
        assert!(manager.may_manage_user(11, OWN_ORG, &[in_col(Role::Enumerator)]));
        assert!(manager.may_manage_user(11, OWN_ORG, &[]));
        assert!(!manager.may_manage_user(11, OTHER_ORG, &[in_col(Role::Enumerator)]));
        assert!(!manager.may_manage_user(11, OWN_ORG, &[in_col(Role::ImOfficer)]));
        assert!(!manager.may_manage_user(
            11,
            OWN_ORG,
            &[Grant {
                role: Role::PlatformAdmin,
                scope: Scope::Region
            }]
        ));
        assert!(!manager.may_manage_user(manager.user_id, OWN_ORG, &[]));
        let im = subject(Role::ImOfficer, Scope::Country(iso("COL")));
        assert!(!im.may_manage_user(11, OTHER_ORG, &[in_col(Role::Viewer)]));
        let admin = subject(Role::PlatformAdmin, Scope::Region);
        assert!(admin.may_manage_user(11, OTHER_ORG, &[in_col(Role::ImOfficer)]));
        assert!(!admin.may_manage_user(admin.user_id, OWN_ORG, &[]));
    }

    /// A list shows exactly the accounts whose pages the policy would open.
    #[test]
    fn user_lists_reach_what_views_allow() {
        let (col, per) = (iso("COL"), iso("PER"));
        let subjects = [
            subject(Role::PlatformAdmin, Scope::Region),
            subject(Role::ImOfficer, Scope::Country(col)),
            subject(Role::ImOfficer, Scope::Region),
            subject(Role::OrganisationManager, Scope::Country(col)),
            subject(Role::Enumerator, Scope::Country(col)),
            subject(Role::Viewer, Scope::Country(per)),
            Subject {
                user_id: 10,
                organisation_id: OWN_ORG,
                grants: vec![
                    Grant {
                        role: Role::ImOfficer,
                        scope: Scope::Country(per),
                    },
                    Grant {
                        role: Role::OrganisationManager,
                        scope: Scope::Country(col),
                    },
                ],
            },
        ];
        let accounts: [(i64, Vec<Iso3>); 6] = [
            (OWN_ORG, vec![col]),
            (OWN_ORG, vec![]),
            (OTHER_ORG, vec![col]),
            (OTHER_ORG, vec![per]),
            (OTHER_ORG, vec![col, per]),
            (OTHER_ORG, vec![]),
        ];
        for s in &subjects {
            let reach = s.user_reach();
            for (org, countries) in &accounts {
                let target = Target {
                    countries: countries.clone(),
                    organisation: Some(*org),
                    ..Target::default()
                };
                assert_eq!(
                    reach.covers(*org, countries),
                    s.may(Action::ViewUsers, &target),
                    "{s:?} and an account of {org} in {countries:?}"
                );
            }
        }
    }

    #[test]
    fn grants_parse_from_role_and_optional_country() {
        assert_eq!(
            Grant::parse("im_officer:col"),
            Ok(Grant {
                role: Role::ImOfficer,
                scope: Scope::Country(iso("COL"))
            })
        );
        assert_eq!(Grant::parse("platform_admin").map(|g| g.scope), Ok(Scope::Region));
        assert_eq!(Grant::parse("viewer:PER").map(|g| g.code()), Ok("viewer:PER".into()));
        let err = Grant::parse("boss:COL").expect_err("unknown role").to_string();
        assert!(err.contains("enumerator"), "lists the valid roles: {err}");
        assert!(Grant::parse("viewer:Colombia").is_err());
    }
}
