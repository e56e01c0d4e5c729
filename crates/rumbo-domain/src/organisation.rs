use serde::Serialize;

use crate::vocabulary::Vocabulary;

/// The type of an organisation, as R4V classifies its members and partners.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum OrganisationKind {
    UnAgency,
    InternationalNgo,
    NationalNgo,
    RedCross,
    Government,
    Donor,
    Academic,
}

impl Vocabulary for OrganisationKind {
    const NAME: &'static str = "organisation type";
    const ALL: &'static [Self] = &[
        Self::UnAgency,
        Self::InternationalNgo,
        Self::NationalNgo,
        Self::RedCross,
        Self::Government,
        Self::Donor,
        Self::Academic,
    ];

    fn code(self) -> &'static str {
        match self {
            Self::UnAgency => "un_agency",
            Self::InternationalNgo => "international_ngo",
            Self::NationalNgo => "national_ngo",
            Self::RedCross => "red_cross",
            Self::Government => "government",
            Self::Donor => "donor",
            Self::Academic => "academic",
        }
    }
}

/// R4V coordinates through national platforms (GIFMM in Colombia, GTRM in Peru and Ecuador...)
/// and sub-regional ones (Caribbean, Central America and Mexico, Southern Cone).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum PlatformKind {
    National,
    SubRegional,
    Regional,
}

impl Vocabulary for PlatformKind {
    const NAME: &'static str = "platform type";
    const ALL: &'static [Self] = &[Self::National, Self::SubRegional, Self::Regional];

    fn code(self) -> &'static str {
        match self {
            Self::National => "national",
            Self::SubRegional => "sub_regional",
            Self::Regional => "regional",
        }
    }
}
