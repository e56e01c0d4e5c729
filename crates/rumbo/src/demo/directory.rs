//! The demo's organisations (from `organisations.csv`) and R4V's platforms, with memberships:
//! an organisation belongs to the national and sub-regional platforms of the countries it
//! works in, and a regional organisation also to the regional platform.

use anyhow::{Context, bail};
use rumbo_domain::Vocabulary;
use rumbo_domain::country::{Iso3, known_countries};
use rumbo_domain::organisation::{OrganisationKind, PlatformKind};
use rumbo_store::organisations::OrganisationInput;
use serde::Deserialize;

use super::geography::read_rows;

const ORGANISATIONS: &str = include_str!("organisations.csv");

/// A platform as `Store::create_platform` takes it.
#[derive(Debug, Clone, PartialEq)]
pub struct PlatformSpec {
    pub code: &'static str,
    pub name: &'static str,
    pub kind: PlatformKind,
    pub countries: Vec<Iso3>,
}

/// (code, name, kind, countries; `*` for all 17 response countries)
const PLATFORMS: [(&str, &str, PlatformKind, &str); 9] = [
    (
        "R4V",
        "Plataforma de Coordinación Interagencial para Refugiados y Migrantes de Venezuela (R4V)",
        PlatformKind::Regional,
        "*",
    ),
    (
        "GIFMM",
        "Grupo Interagencial sobre Flujos Migratorios Mixtos (GIFMM Colombia)",
        PlatformKind::National,
        "COL",
    ),
    (
        "GTRM-ECU",
        "Grupo de Trabajo para Refugiados y Migrantes (GTRM Ecuador)",
        PlatformKind::National,
        "ECU",
    ),
    (
        "GTRM-PER",
        "Grupo de Trabajo para Refugiados y Migrantes (GTRM Perú)",
        PlatformKind::National,
        "PER",
    ),
    ("R4V-BRA", "Plataforma R4V Brasil", PlatformKind::National, "BRA"),
    (
        "R4V-CHL",
        "Plataforma Nacional R4V Chile",
        PlatformKind::National,
        "CHL",
    ),
    (
        "R4V-CARIBE",
        "Plataforma Subregional del Caribe",
        PlatformKind::SubRegional,
        "ABW CUW DOM GUY TTO",
    ),
    (
        "R4V-CAM",
        "Plataforma Subregional de Centroamérica y México",
        PlatformKind::SubRegional,
        "CRI MEX PAN",
    ),
    (
        "R4V-CONO-SUR",
        "Plataforma Subregional del Cono Sur",
        PlatformKind::SubRegional,
        "ARG BOL PRY URY",
    ),
];

#[derive(Debug, Deserialize)]
struct OrganisationRow {
    acronym: String,
    name: String,
    kind: String,
    country: String,
    website: String,
    works_in: String,
}

/// `*` or ISO3 codes separated by spaces, as a list of response countries.
fn countries(list: &str) -> anyhow::Result<Vec<Iso3>> {
    let response: Vec<Iso3> = known_countries()
        .into_iter()
        .filter(|c| c.in_response)
        .map(|c| c.iso3)
        .collect();
    if list.trim() == "*" {
        return Ok(response);
    }
    list.split_whitespace()
        .map(|code| {
            let iso3 = Iso3::parse(code)?;
            if !response.contains(&iso3) {
                bail!("{iso3} is not one of the 17 response countries");
            }
            Ok(iso3)
        })
        .collect()
}

pub fn platforms() -> anyhow::Result<Vec<PlatformSpec>> {
    PLATFORMS
        .iter()
        .map(|&(code, name, kind, list)| {
            Ok(PlatformSpec {
                code,
                name,
                kind,
                countries: countries(list).with_context(|| format!("platform {code}"))?,
            })
        })
        .collect()
}

/// An organisation of the demo, with the codes of the platforms it belongs to.
#[derive(Debug, Clone, PartialEq)]
pub struct DemoOrganisation {
    pub acronym: String,
    pub name: String,
    pub kind: OrganisationKind,
    pub country: Option<Iso3>,
    pub website: Option<String>,
    pub platforms: Vec<String>,
}

impl DemoOrganisation {
    /// The organisation as `Store::create_organisation` takes it.
    pub fn input(&self) -> OrganisationInput {
        OrganisationInput {
            name: self.name.clone(),
            acronym: self.acronym.clone(),
            kind: self.kind.code().to_owned(),
            country: self.country.map(|c| c.to_string()),
            website: self.website.clone(),
            platforms: self.platforms.clone(),
            is_active: true,
        }
    }
}

pub fn organisations(platforms: &[PlatformSpec]) -> anyhow::Result<Vec<DemoOrganisation>> {
    read_rows::<OrganisationRow>("organisations.csv", ORGANISATIONS)?
        .into_iter()
        .map(|row| {
            let place = || format!("organisations.csv, {}", row.acronym);
            let kind = OrganisationKind::parse(&row.kind).with_context(place)?;
            let country = match row.country.as_str() {
                "" => None,
                code => Some(Iso3::parse(code).with_context(place)?),
            };
            let works_in = countries(&row.works_in).with_context(place)?;
            let regional = country.is_none();
            let member_of = platforms
                .iter()
                .filter(|p| match p.kind {
                    PlatformKind::Regional => regional && !works_in.is_empty(),
                    _ => p.countries.iter().any(|c| works_in.contains(c)),
                })
                .map(|p| p.code.to_owned())
                .collect();
            Ok(DemoOrganisation {
                name: row.name,
                acronym: row.acronym,
                kind,
                country,
                website: (!row.website.is_empty()).then_some(row.website),
                platforms: member_of,
            })
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn about_a_dozen_organisations_of_each_kind_with_unique_acronyms() {
        let platforms = platforms().expect("platforms");
        let organisations = organisations(&platforms).expect("organisations");
        for kind in OrganisationKind::ALL {
            let n = organisations.iter().filter(|o| o.kind == *kind).count();
            assert!((10..=16).contains(&n), "{} organisations of kind {}", n, kind.code());
        }
        let mut acronyms: Vec<String> = organisations.iter().map(|o| o.acronym.to_lowercase()).collect();
        acronyms.sort();
        let before = acronyms.len();
        acronyms.dedup();
        assert_eq!(before, acronyms.len(), "acronyms must be unique");
    }

    #[test]
    fn memberships_follow_the_countries_an_organisation_works_in() {
        let platforms = platforms().expect("platforms");
        let organisations = organisations(&platforms).expect("organisations");
        let of = |acronym: &str| {
            organisations
                .iter()
                .find(|o| o.acronym == acronym)
                .map(|o| o.platforms.clone())
                .unwrap_or_default()
        };
        assert_eq!(of("UNHCR").len(), platforms.len());
        assert_eq!(of("CRC"), vec!["GIFMM".to_owned()]);
        assert_eq!(
            of("HIAS"),
            ["R4V", "GIFMM", "GTRM-ECU", "GTRM-PER", "R4V-CARIBE", "R4V-CAM"]
        );
        assert!(of("ECHO").is_empty());
        let every_country: usize = platforms
            .iter()
            .filter(|p| p.kind != PlatformKind::Regional)
            .map(|p| p.countries.len())
            .sum();
        assert_eq!(
            every_country, 17,
            "each response country has exactly one national or sub-regional platform"
        );
    }
}
