//! Consent, asked per purpose and recorded with who recorded it and when; and the purposes for
//! which one organisation may see another's registrations under a sharing agreement.

use serde::{Deserialize, Serialize};

use crate::vocabulary::Vocabulary;

/// What a household consents to.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ConsentPurpose {
    /// Being registered at all: without it nothing is recorded.
    Registration,
    /// Their registration being seen by partner organisations under a sharing agreement.
    Sharing,
    /// Being referred to services of other organisations.
    Referral,
}

impl Vocabulary for ConsentPurpose {
    const NAME: &'static str = "consent purpose";
    const ALL: &'static [Self] = &[Self::Registration, Self::Sharing, Self::Referral];

    fn code(self) -> &'static str {
        match self {
            Self::Registration => "registration",
            Self::Sharing => "sharing",
            Self::Referral => "referral",
        }
    }
}

/// The consent a household gave, per purpose.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct Consent {
    pub registration: bool,
    pub sharing: bool,
    pub referral: bool,
}

impl Consent {
    pub fn given(&self, purpose: ConsentPurpose) -> bool {
        match purpose {
            ConsentPurpose::Registration => self.registration,
            ConsentPurpose::Sharing => self.sharing,
            ConsentPurpose::Referral => self.referral,
        }
    }

    pub fn set(&mut self, purpose: ConsentPurpose, given: bool) {
        match purpose {
            ConsentPurpose::Registration => self.registration = given,
            ConsentPurpose::Sharing => self.sharing = given,
            ConsentPurpose::Referral => self.referral = given,
        }
    }
}

/// Why an organisation may see another's registrations. An agreement states one or more;
/// each way of reaching a record asks for its own.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum SharingPurpose {
    /// Following up and referring cases: household pages and lists.
    CaseManagement,
    /// Targeting and distributing assistance: programmes' beneficiary lists.
    Assistance,
}

impl Vocabulary for SharingPurpose {
    const NAME: &'static str = "sharing purpose";
    const ALL: &'static [Self] = &[Self::CaseManagement, Self::Assistance];

    fn code(self) -> &'static str {
        match self {
            Self::CaseManagement => "case_management",
            Self::Assistance => "assistance",
        }
    }
}

/// Why personal data leaves Rumbo in a file. Stated for every export with names, recorded in
/// the audit log; a closed list, so that the log never holds free text about anyone.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ExportPurpose {
    /// Lists for handing out assistance.
    Distribution,
    /// Following up cases.
    CaseManagement,
    /// Referring people to another organisation's services (with their consent).
    Referral,
    /// Checking registrations against documents or another registry.
    Verification,
    /// A person asked for a copy of their own data.
    SubjectAccessRequest,
}

impl Vocabulary for ExportPurpose {
    const NAME: &'static str = "export purpose";
    const ALL: &'static [Self] = &[
        Self::Distribution,
        Self::CaseManagement,
        Self::Referral,
        Self::Verification,
        Self::SubjectAccessRequest,
    ];

    fn code(self) -> &'static str {
        match self {
            Self::Distribution => "distribution",
            Self::CaseManagement => "case_management",
            Self::Referral => "referral",
            Self::Verification => "verification",
            Self::SubjectAccessRequest => "subject_access_request",
        }
    }
}
