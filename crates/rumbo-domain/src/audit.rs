use serde::Serialize;

use crate::vocabulary::Vocabulary;

/// What happened, as the audit log records it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum AuditAction {
    Create,
    Update,
    Delete,
    /// A record holding personal data was shown to someone.
    Read,
    Import,
    Export,
    SignIn,
    SignInFailed,
    SignOut,
}

impl Vocabulary for AuditAction {
    const NAME: &'static str = "audit action";
    const ALL: &'static [Self] = &[
        Self::Create,
        Self::Update,
        Self::Delete,
        Self::Read,
        Self::Import,
        Self::Export,
        Self::SignIn,
        Self::SignInFailed,
        Self::SignOut,
    ];

    fn code(self) -> &'static str {
        match self {
            Self::Create => "create",
            Self::Update => "update",
            Self::Delete => "delete",
            Self::Read => "read",
            Self::Import => "import",
            Self::Export => "export",
            Self::SignIn => "sign_in",
            Self::SignInFailed => "sign_in_failed",
            Self::SignOut => "sign_out",
        }
    }
}

/// The kind of record an audit entry is about.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Entity {
    Organisation,
    Platform,
    User,
    RoleGrant,
    ApiToken,
    Session,
    AdminArea,
    Location,
    /// The audit log itself: browsing it shows who did what, which is personal data too.
    AuditLog,
    /// A registered household (with its members' personal data, when shown).
    Household,
    /// A registered person.
    Person,
    /// A possible duplicate registration, waiting for review.
    ReviewFlag,
    SharingAgreement,
    VulnerabilityModel,
    Programme,
    BeneficiaryList,
    /// Assistance recorded as received.
    Assistance,
    /// The keys that encrypt personal data (rotations re-encrypt it).
    DataKeys,
    /// A flow monitoring point's profile (a round of it).
    FlowPoint,
    /// An enumerator's assignment to a flow monitoring point.
    FlowAssignment,
    /// An enumerator's assignment to a registration desk.
    DeskAssignment,
    /// Counts at flow monitoring points (observations and their groups).
    FlowCount,
    /// Official border movement figures.
    OfficialMovement,
    /// A flow monitoring survey interview.
    FmsInterview,
    /// A flagged interview in the protection queue.
    ProtectionCase,
    /// The rule set that flags vulnerable cases.
    RiskRules,
    /// The operation's settings (age brackets).
    FlowSettings,
    /// R4V: a 5W activity report, an information exchange submission, a population figure,
    /// an indicator of the registry, a partner's target, a funding flow, people in need.
    Activity5w,
    R4vSubmission,
    PopulationFigure,
    R4vIndicator,
    R4vTarget,
    R4vFunding,
    R4vNeeds,
    /// An organisation's cryptographic linkage keys for a country (pseudonyms and filters).
    LinkageKeys,
    /// An organisation's consent to release matched linkage pairs with a partner.
    LinkageConsent,
    /// A linkage of a country's keys, its overlaps and pairs.
    LinkageRun,
}

impl Vocabulary for Entity {
    const NAME: &'static str = "entity";
    const ALL: &'static [Self] = &[
        Self::Organisation,
        Self::Platform,
        Self::User,
        Self::RoleGrant,
        Self::ApiToken,
        Self::Session,
        Self::AdminArea,
        Self::Location,
        Self::AuditLog,
        Self::Household,
        Self::Person,
        Self::ReviewFlag,
        Self::SharingAgreement,
        Self::VulnerabilityModel,
        Self::Programme,
        Self::BeneficiaryList,
        Self::Assistance,
        Self::DataKeys,
        Self::FlowPoint,
        Self::FlowAssignment,
        Self::DeskAssignment,
        Self::FlowCount,
        Self::OfficialMovement,
        Self::FmsInterview,
        Self::ProtectionCase,
        Self::RiskRules,
        Self::FlowSettings,
        Self::Activity5w,
        Self::R4vSubmission,
        Self::PopulationFigure,
        Self::R4vIndicator,
        Self::R4vTarget,
        Self::R4vFunding,
        Self::R4vNeeds,
        Self::LinkageKeys,
        Self::LinkageConsent,
        Self::LinkageRun,
    ];

    fn code(self) -> &'static str {
        match self {
            Self::Organisation => "organisation",
            Self::Platform => "platform",
            Self::User => "user",
            Self::RoleGrant => "role_grant",
            Self::ApiToken => "api_token",
            Self::Session => "session",
            Self::AdminArea => "admin_area",
            Self::Location => "location",
            Self::AuditLog => "audit_log",
            Self::Household => "household",
            Self::Person => "person",
            Self::ReviewFlag => "review_flag",
            Self::SharingAgreement => "sharing_agreement",
            Self::VulnerabilityModel => "vulnerability_model",
            Self::Programme => "programme",
            Self::BeneficiaryList => "beneficiary_list",
            Self::Assistance => "assistance",
            Self::DataKeys => "data_keys",
            Self::FlowPoint => "flow_point",
            Self::FlowAssignment => "flow_assignment",
            Self::DeskAssignment => "desk_assignment",
            Self::FlowCount => "flow_count",
            Self::OfficialMovement => "official_movement",
            Self::FmsInterview => "fms_interview",
            Self::ProtectionCase => "protection_case",
            Self::RiskRules => "risk_rules",
            Self::FlowSettings => "flow_settings",
            Self::Activity5w => "activity_5w",
            Self::R4vSubmission => "r4v_submission",
            Self::PopulationFigure => "population_figure",
            Self::R4vIndicator => "r4v_indicator",
            Self::R4vTarget => "r4v_target",
            Self::R4vFunding => "r4v_funding",
            Self::R4vNeeds => "r4v_needs",
            Self::LinkageKeys => "linkage_keys",
            Self::LinkageConsent => "linkage_consent",
            Self::LinkageRun => "linkage_run",
        }
    }
}

/// Who acts, and from where: attached to every change and every read of personal data.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Actor {
    /// `None` for the system itself (migrations, the demo generator) and for failed sign-ins.
    pub user_id: Option<i64>,
    pub address: Option<String>,
    pub request_id: Option<String>,
    /// How the actor reached Rumbo: `web`, `api`, `cli`.
    pub channel: &'static str,
}

impl Actor {
    pub fn system(channel: &'static str) -> Actor {
        Actor {
            channel,
            ..Actor::default()
        }
    }
}
