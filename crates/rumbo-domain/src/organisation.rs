use serde::Serialize;

use crate::DomainError;
use crate::error::optional_text;
use crate::vocabulary::Vocabulary;

/// An organisation's website: blank for none, otherwise an `http://` or `https://` address.
/// Other schemes (`javascript:`, `data:`) are refused because the address becomes a link.
pub fn parse_website(raw: Option<&str>) -> Result<Option<String>, DomainError> {
    let Some(url) = optional_text("website", raw, 300)? else {
        return Ok(None);
    };
    let lower = url.to_ascii_lowercase();
    let rest = lower.strip_prefix("https://").or_else(|| lower.strip_prefix("http://"));
    match rest {
        Some(host) if !host.is_empty() && !url.chars().any(char::is_whitespace) => Ok(Some(url)),
        _ => Err(DomainError::Invalid(
            "the website must be an address starting with http:// or https://".into(),
        )),
    }
}

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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn websites_are_web_addresses_or_nothing() {
        assert_eq!(
            parse_website(Some(" https://r4v.info ")),
            Ok(Some("https://r4v.info".into()))
        );
        assert_eq!(parse_website(Some("")), Ok(None));
        assert_eq!(parse_website(None), Ok(None));
        assert!(parse_website(Some("javascript:alert(1)")).is_err());
        assert!(parse_website(Some("r4v.info")).is_err());
        assert!(parse_website(Some("https://")).is_err());
        assert!(parse_website(Some("https://a b")).is_err());
    }
}
