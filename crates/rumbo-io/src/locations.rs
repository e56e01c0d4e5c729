//! Location lists as CSV: `code, name, kind, country, lat, lon, organisation, notes`, and
//! optionally `active`, with an optional HXL row (`#loc+code`, `#loc+name`, `#loc+type`,
//! `#country+code`, `#geo+lat`, `#geo+lon`, `#org+acronym`...). Decimal commas (`7,89`) are
//! accepted, since Excel writes them in Spanish and Portuguese. The admin areas of a location
//! are never read from the file: Rumbo resolves them from its boundaries.

use std::collections::HashMap;

use rumbo_domain::Vocabulary;
use rumbo_domain::country::Iso3;
use rumbo_domain::error::{optional_text, required_text};
use rumbo_domain::geography::{Pcode, Position};
use rumbo_domain::location::{LocationKind, parse_location_code};

use crate::table::{ColumnSpec, Row, Table};
use crate::text::{Problems, Rejected, utf8};
use crate::{MAX_NAME, country_from_code};

/// A location as files carry it, checked: what a CSV row becomes on import, and what an export
/// writes.
#[derive(Debug, Clone, PartialEq)]
pub struct LocationRecord {
    /// Rumbo's id; written on export, never read.
    pub id: Option<i64>,
    pub code: String,
    pub name: String,
    pub kind: LocationKind,
    pub country: Iso3,
    pub position: Position,
    /// The acronym of the organisation that runs it.
    pub organisation: Option<String>,
    pub notes: Option<String>,
    pub active: bool,
    /// The admin areas that contain it, as Rumbo resolved them; written on export, never read.
    pub admin_areas: [Option<Pcode>; 3],
}

const fn spec(
    name: &'static str,
    aliases: &'static [&'static str],
    hxl: Option<(&'static str, &'static [&'static str])>,
) -> ColumnSpec {
    ColumnSpec { name, aliases, hxl }
}

const SPECS: &[ColumnSpec] = &[
    spec("code", &["location_code", "loc_code"], Some(("loc", &["code"]))),
    spec("name", &["location_name", "loc_name"], Some(("loc", &["name"]))),
    spec("kind", &["type", "location_type", "loc_type"], Some(("loc", &["type"]))),
    spec("country", &["iso3", "country_code"], Some(("country", &["code"]))),
    spec("lat", &["latitude", "y"], Some(("geo", &["lat"]))),
    spec("lon", &["lng", "long", "longitude", "x"], Some(("geo", &["lon"]))),
    spec(
        "organisation",
        &["organization", "org", "acronym", "organisation_acronym"],
        Some(("org", &["acronym"])),
    ),
    spec(
        "notes",
        &["note", "comments", "description"],
        Some(("description", &[])),
    ),
    spec("active", &["is_active"], Some(("status", &["active"]))),
];

const REQUIRED: &[&str] = &["code", "name", "kind", "country", "lat", "lon"];

/// Longest organisation acronym accepted, as organisations store them.
const MAX_ACRONYM: usize = 40;

/// Reads a location list, each location with where it came from (`row 4`), or every problem
/// found in it.
pub fn read_locations(bytes: &[u8]) -> Result<Vec<(String, LocationRecord)>, Rejected> {
    let text = utf8(bytes)?;
    let mut problems = Problems::default();
    let table = Table::read(text, SPECS, &mut problems)?;
    table.require(REQUIRED, &mut problems);
    if !problems.is_empty() {
        return problems.finish(Vec::new());
    }
    if table.rows.is_empty() {
        return Err(Rejected::one("file", "the file has a header but no rows"));
    }
    let mut records = Vec::with_capacity(table.rows.len());
    let mut seen: HashMap<String, usize> = HashMap::new();
    for row in &table.rows {
        let before = problems.count();
        let record = read_row(&table, row, &mut problems);
        if let Some(record) = record {
            if let Some(first) = seen.insert(record.code.clone(), row.number) {
                problems.push(
                    format!("row {}, column code", row.number),
                    format!("code {} is already at row {first}", record.code),
                );
            } else if problems.count() == before {
                records.push((format!("row {}", row.number), record));
            }
        }
    }
    problems.finish(records)
}

fn read_row(table: &Table, row: &Row, problems: &mut Problems) -> Option<LocationRecord> {
    let at = |column: &str| format!("row {}, column {column}", row.number);
    let cell = |column: &str| row.get(table.column(column));
    let before = problems.count();
    let code = check(problems, at("code"), parse_location_code(cell("code")));
    let name = check(problems, at("name"), required_text("name", cell("name"), MAX_NAME));
    let kind = check(problems, at("kind"), LocationKind::parse(cell("kind")));
    let country = check(problems, at("country"), country_from_code(cell("country")));
    let lat = check(problems, at("lat"), coordinate(cell("lat"), "latitude", 90.0));
    let lon = check(problems, at("lon"), coordinate(cell("lon"), "longitude", 180.0));
    let organisation = check(
        problems,
        at("organisation"),
        optional_text("organisation", Some(cell("organisation")), MAX_ACRONYM),
    );
    let notes = check(problems, at("notes"), optional_text("notes", Some(cell("notes")), 2000));
    let active = check(problems, at("active"), flag(cell("active")));
    if problems.count() != before {
        return None;
    }
    Some(LocationRecord {
        id: None,
        code: code?,
        name: name?,
        kind: kind?,
        country: country?,
        position: Position::new(lon?, lat?).ok()?,
        organisation: organisation?,
        notes: notes?,
        active: active?,
        admin_areas: [None, None, None],
    })
}

/// The value, or `None` with the problem noted at `at`.
fn check<T, E: ToString>(problems: &mut Problems, at: String, result: Result<T, E>) -> Option<T> {
    result.map_err(|e| problems.push(at, e)).ok()
}

/// A latitude or longitude in decimal degrees, with a point or a decimal comma.
fn coordinate(raw: &str, what: &str, limit: f64) -> Result<f64, String> {
    if raw.is_empty() {
        return Err(format!("missing: give the {what} in decimal degrees"));
    }
    let normalised = if raw.contains('.') {
        raw.to_owned()
    } else {
        raw.replace(',', ".")
    };
    match normalised.parse::<f64>() {
        Ok(v) if v.is_finite() && (-limit..=limit).contains(&v) => Ok(v),
        Ok(_) => Err(format!("{raw} is not a {what} on Earth (between -{limit} and {limit})")),
        Err(_) => Err(format!("'{raw}' is not a {what} in decimal degrees (such as -72.5)")),
    }
}

/// Yes or no, in any of our languages; empty means yes.
fn flag(raw: &str) -> Result<bool, String> {
    match raw.to_lowercase().as_str() {
        "" | "1" | "yes" | "y" | "true" | "sí" | "si" | "s" | "sim" => Ok(true),
        "0" | "no" | "n" | "false" | "não" | "nao" => Ok(false),
        _ => Err(format!("'{raw}' is not yes or no")),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn problems(text: &str) -> Vec<String> {
        read_locations(text.as_bytes())
            .expect_err("rejected")
            .problems
            .iter()
            .map(ToString::to_string)
            .collect()
    }

    #[test]
    fn rows_become_locations() {
        let records = read_locations(
            "Code;Name;Type;Country;Lat;Lon;Organisation;Notes\n\
             #loc+code;#loc+name;#loc+type;#country+code;#geo+lat;#geo+lon;#org+acronym;#description\n\
             col-cuc-sb;Puente Simón Bolívar;border crossing;CO;7,8167;-72,4667;IOM;\n\
             PER-TUM-01;CEBAF Tumbes;Flow monitoring point;PER;-3.55;-80.42;;24 h\n"
                .as_bytes(),
        )
        .expect("read");
        assert_eq!(records.len(), 2);
        let (place, bridge) = &records[0];
        assert_eq!(place, "row 3");
        assert_eq!(bridge.code, "COL-CUC-SB");
        assert_eq!(bridge.kind, LocationKind::BorderCrossing);
        assert_eq!(bridge.country.as_str(), "COL");
        assert_eq!((bridge.position.lat, bridge.position.lon), (7.8167, -72.4667));
        assert_eq!(bridge.organisation.as_deref(), Some("IOM"));
        assert!(bridge.active);
        assert_eq!(records[1].1.notes.as_deref(), Some("24 h"));
    }

    #[test]
    fn every_bad_row_is_named_with_its_column() {
        let listed = problems(
            "code,name,kind,country,lat,lon,active\n\
             A1,Uno,site,COL,7.5,-72.5,\n\
             A1,Dos,site,COL,7.5,-72.5,\n\
             A 3,Tres,site,COL,7.5,-72.5,\n\
             A4,,site,COL,7.5,-72.5,\n\
             A5,Cinco,airport,COL,7.5,-72.5,\n\
             A6,Seis,site,XXX,7.5,-72.5,\n\
             A7,Siete,site,COL,97.5,-72.5,\n\
             A8,Ocho,site,COL,7.5,1e999,\n\
             A9,Nueve,site,COL,siete,-72.5,\n\
             A10,Diez,site,COL,,-72.5,\n\
             A11,Once,site,COL,7.5,-72.5,quizás\n",
        );
        let expect = [
            "row 3, column code: code A1 is already at row 2",
            "row 4, column code: 'A 3' is not a location code",
            "row 5, column name: name must not be empty",
            "row 6, column kind: 'airport' is not a known location type",
            "row 7, column country: 'XXX' is not a country Rumbo knows",
            "row 8, column lat: 97.5 is not a latitude on Earth",
            "row 9, column lon: 1e999 is not a longitude on Earth",
            "row 10, column lat: 'siete' is not a latitude",
            "row 11, column lat: missing",
            "row 12, column active: 'quizás' is not yes or no",
        ];
        for wanted in expect {
            assert!(
                listed.iter().any(|p| p.starts_with(wanted)),
                "{wanted} not in {listed:#?}"
            );
        }
        assert_eq!(listed.len(), expect.len(), "{listed:#?}");
    }

    #[test]
    fn wrong_columns_are_named() {
        assert_eq!(
            problems("code,name,country\nA1,Uno,COL\n"),
            [
                "header: the column 'kind' is missing",
                "header: the column 'lat' is missing",
                "header: the column 'lon' is missing"
            ]
        );
        assert_eq!(
            problems("code,name,kind,country,lat,lon\n"),
            ["file: the file has a header but no rows"]
        );
    }
}
