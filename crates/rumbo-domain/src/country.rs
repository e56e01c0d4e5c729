use std::fmt;

use serde::{Deserialize, Serialize};

use crate::DomainError;
use crate::language::Names;

/// An ISO 3166-1 alpha-3 country code, always upper case.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct Iso3([u8; 3]);

impl Iso3 {
    pub fn parse(raw: &str) -> Result<Iso3, DomainError> {
        let code = raw.trim();
        match code.as_bytes() {
            [a, b, c] if code.bytes().all(|b| b.is_ascii_alphabetic()) => Ok(Iso3([
                a.to_ascii_uppercase(),
                b.to_ascii_uppercase(),
                c.to_ascii_uppercase(),
            ])),
            _ => Err(DomainError::InvalidIso3(code.to_owned())),
        }
    }

    pub fn as_str(&self) -> &str {
        // Only ASCII letters are ever stored, so this cannot fail.
        std::str::from_utf8(&self.0).unwrap_or("???")
    }
}

impl fmt::Display for Iso3 {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl TryFrom<String> for Iso3 {
    type Error = DomainError;
    fn try_from(value: String) -> Result<Self, Self::Error> {
        Iso3::parse(&value)
    }
}

impl From<Iso3> for String {
    fn from(value: Iso3) -> Self {
        value.as_str().to_owned()
    }
}

/// A country Rumbo knows, with its names and whether it is one of the R4V response countries.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Country {
    pub iso3: Iso3,
    pub iso2: String,
    pub names: Names,
    /// One of the 17 countries of the Regional Refugee and Migrant Response Plan.
    pub in_response: bool,
}

/// (ISO3, ISO2, English, Spanish, Portuguese, in the R4V response)
const COUNTRIES: [(&str, &str, &str, &str, &str, bool); 18] = [
    ("ARG", "AR", "Argentina", "Argentina", "Argentina", true),
    ("ABW", "AW", "Aruba", "Aruba", "Aruba", true),
    ("BOL", "BO", "Bolivia", "Bolivia", "Bolívia", true),
    ("BRA", "BR", "Brazil", "Brasil", "Brasil", true),
    ("CHL", "CL", "Chile", "Chile", "Chile", true),
    ("COL", "CO", "Colombia", "Colombia", "Colômbia", true),
    ("CRI", "CR", "Costa Rica", "Costa Rica", "Costa Rica", true),
    ("CUW", "CW", "Curaçao", "Curazao", "Curaçao", true),
    (
        "DOM",
        "DO",
        "Dominican Republic",
        "República Dominicana",
        "República Dominicana",
        true,
    ),
    ("ECU", "EC", "Ecuador", "Ecuador", "Equador", true),
    ("GUY", "GY", "Guyana", "Guyana", "Guiana", true),
    ("MEX", "MX", "Mexico", "México", "México", true),
    ("PAN", "PA", "Panama", "Panamá", "Panamá", true),
    ("PRY", "PY", "Paraguay", "Paraguay", "Paraguai", true),
    ("PER", "PE", "Peru", "Perú", "Peru", true),
    (
        "TTO",
        "TT",
        "Trinidad and Tobago",
        "Trinidad y Tobago",
        "Trinidad e Tobago",
        true,
    ),
    ("URY", "UY", "Uruguay", "Uruguay", "Uruguai", true),
    // The country of origin: needed for previous residence, routes and border points.
    ("VEN", "VE", "Venezuela", "Venezuela", "Venezuela", false),
];

/// The countries every Rumbo database starts with: the 17 response countries and Venezuela.
pub fn known_countries() -> Vec<Country> {
    COUNTRIES
        .iter()
        .filter_map(|&(iso3, iso2, en, es, pt, in_response)| {
            Some(Country {
                iso3: Iso3::parse(iso3).ok()?,
                iso2: iso2.to_owned(),
                names: Names {
                    es: Some(es.to_owned()),
                    en: Some(en.to_owned()),
                    pt: Some(pt.to_owned()),
                },
                in_response,
            })
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_and_normalises_case() {
        assert_eq!(Iso3::parse(" col ").map(|c| c.to_string()), Ok("COL".into()));
        assert!(Iso3::parse("CO").is_err());
        assert!(Iso3::parse("C0L").is_err());
        assert!(Iso3::parse("ÑAN").is_err());
    }

    #[test]
    fn seventeen_response_countries() {
        let countries = known_countries();
        assert_eq!(countries.len(), 18);
        assert_eq!(countries.iter().filter(|c| c.in_response).count(), 17);
    }
}
