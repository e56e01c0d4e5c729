//! The demo's locations (from `locations.csv`): border crossings, flow monitoring points, bus
//! terminals, registration desks, sites, support spaces and service points.

use anyhow::Context;
use geo::Coord;
use rumbo_domain::geography::Pcode;
use rumbo_store::locations::LocationInput;
use serde::Deserialize;

use super::geography::{Anchor, read_rows};

const LOCATIONS: &str = include_str!("locations.csv");

/// A location as the store takes it, with the acronym of the organisation that runs it (its
/// id is known only once the organisations are stored) and the area it must resolve to.
#[derive(Debug, Clone, PartialEq)]
pub struct DemoLocation {
    pub input: LocationInput,
    pub organisation: Option<String>,
    pub area: Pcode,
}

impl DemoLocation {
    pub fn anchor(&self) -> Anchor {
        Anchor {
            at: Coord {
                x: self.input.lon,
                y: self.input.lat,
            },
            area: self.area.clone(),
        }
    }
}

#[derive(Debug, Deserialize)]
struct LocationRow {
    code: String,
    name: String,
    kind: String,
    iso3: String,
    area: String,
    organisation: String,
    lat: f64,
    lon: f64,
    notes: String,
}

pub fn locations() -> anyhow::Result<Vec<DemoLocation>> {
    read_rows::<LocationRow>("locations.csv", LOCATIONS)?
        .into_iter()
        .map(|row| {
            Ok(DemoLocation {
                area: Pcode::parse(&row.area).with_context(|| format!("locations.csv, {}", row.code))?,
                organisation: (!row.organisation.is_empty()).then_some(row.organisation),
                input: LocationInput {
                    code: row.code,
                    name: row.name,
                    kind: row.kind,
                    country: row.iso3,
                    lat: row.lat,
                    lon: row.lon,
                    organisation_id: None,
                    notes: (!row.notes.is_empty()).then_some(row.notes),
                    is_active: true,
                },
            })
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use rumbo_domain::Vocabulary;
    use rumbo_domain::location::{LocationKind, parse_location_code};

    use super::*;

    #[test]
    fn every_kind_is_present_and_codes_are_unique() {
        let locations = locations().expect("locations parse");
        for kind in LocationKind::ALL {
            assert!(
                locations.iter().any(|l| l.input.kind == kind.code()),
                "no {} in the demo",
                kind.code()
            );
        }
        let mut codes: Vec<String> = locations
            .iter()
            .map(|l| parse_location_code(&l.input.code).expect("valid code"))
            .collect();
        codes.sort();
        let before = codes.len();
        codes.dedup();
        assert_eq!(before, codes.len(), "location codes must be unique");
        assert!(codes.contains(&"COL-CUC-SB".to_owned()));
    }

    #[test]
    fn each_location_names_an_area_of_its_own_country() {
        for location in locations().expect("locations parse") {
            let iso2 = rumbo_domain::country::known_countries()
                .into_iter()
                .find(|c| c.iso3.as_str() == location.input.country)
                .map(|c| c.iso2)
                .expect("known country");
            assert!(location.area.as_str().starts_with(&iso2), "{}", location.input.code);
        }
    }
}
