//! The demo's admin areas: real names and P-codes from `admin1.csv` and `admin2.csv`, with
//! simplified boundaries drawn as Voronoi cells (see [`voronoi`](crate::demo::voronoi)).
//!
//! Every seed of the tessellation belongs to one area: a first-level capital, a second-level
//! seat, or a demo location (an "anchor"). An area's boundary is the union of its seeds'
//! cells, and a first-level area's is the union of its children's. Among capitals alone,
//! Necoclí would fall in Córdoba rather than Antioquia and the Ecuadorian post at Rumichaca in
//! Colombia; with the seats and locations as seeds too, every known place lies in its own
//! area, and the shapes stay non-overlapping because Voronoi cells never overlap.

use std::collections::HashMap;

use anyhow::{Context, bail};
use geo::{Coord, MultiPolygon, Polygon, Rect, unary_union};
use rumbo_domain::country::Iso3;
use rumbo_domain::geography::{AdminArea, AdminLevel, Pcode};
use rumbo_domain::language::Names;
use serde::Deserialize;

use super::voronoi::{self, Seed};

const ADMIN1: &str = include_str!("admin1.csv");
const ADMIN2: &str = include_str!("admin2.csv");

/// How far, in degrees each way, a seat's or a location's cell may reach at most: they stand
/// for towns, not regions.
const LOCAL_REACH: f64 = 1.0;

/// An admin area as the data files describe it, before boundaries are drawn.
#[derive(Debug, Clone, PartialEq)]
pub struct Unit {
    pub pcode: Pcode,
    pub country: Iso3,
    pub level: AdminLevel,
    pub parent: Option<Pcode>,
    pub names: Names,
    /// The capital (level 1) or seat (level 2), and where it is.
    pub seat: String,
    pub at: Coord<f64>,
    pub reach: f64,
    /// A level-2 unit that holds its parent's capital.
    pub holds_capital: bool,
}

#[derive(Debug, Deserialize)]
struct Admin1Row {
    iso3: String,
    pcode: String,
    name_es: String,
    name_en: String,
    name_pt: String,
    capital: String,
    lat: f64,
    lon: f64,
    reach: Option<f64>,
}

#[derive(Debug, Deserialize)]
struct Admin2Row {
    parent: String,
    pcode: String,
    name_es: String,
    name_en: String,
    name_pt: String,
    seat: String,
    capital: String,
    lat: Option<f64>,
    lon: Option<f64>,
}

/// A place that must fall inside a given area: a demo location.
#[derive(Debug, Clone, PartialEq)]
pub struct Anchor {
    pub at: Coord<f64>,
    pub area: Pcode,
}

/// Reads a data file with a header and `#` comment lines.
pub fn read_rows<T: serde::de::DeserializeOwned>(file: &str, text: &str) -> anyhow::Result<Vec<T>> {
    let mut reader = csv::ReaderBuilder::new()
        .comment(Some(b'#'))
        .trim(csv::Trim::All)
        .from_reader(text.as_bytes());
    reader
        .deserialize()
        .enumerate()
        .map(|(i, row)| row.with_context(|| format!("{file}, record {}", i + 1)))
        .collect()
}

/// The default reach of a country's first-level areas: small islands get small boxes.
fn default_reach(country: &str) -> f64 {
    match country {
        "ABW" => 0.12,
        "CUW" => 0.15,
        "TTO" => 0.35,
        "DOM" => 0.8,
        "CRI" | "PAN" => 1.2,
        "ECU" | "URY" => 1.5,
        "CHL" | "GUY" => 2.0,
        "ARG" => 3.0,
        "BRA" => 4.0,
        _ => 2.5,
    }
}

/// Fills the names a row leaves empty with the name in the country's own language.
fn names(country: &str, es: &str, en: &str, pt: &str) -> anyhow::Result<Names> {
    let local = match country {
        "BRA" => pt,
        "GUY" | "TTO" => en,
        _ => es,
    };
    if local.is_empty() {
        bail!("no name in the country's own language");
    }
    let or_local = |name: &str| Some(if name.is_empty() { local } else { name }.to_owned());
    Ok(Names {
        es: or_local(es),
        en: or_local(en),
        pt: or_local(pt),
    })
}

/// Both data files as units: level 1 first, then level 2.
pub fn units() -> anyhow::Result<Vec<Unit>> {
    let mut units = Vec::new();
    for row in read_rows::<Admin1Row>("admin1.csv", ADMIN1)? {
        let place = || format!("admin1.csv, {}", row.pcode);
        units.push(Unit {
            pcode: Pcode::parse(&row.pcode).with_context(place)?,
            country: Iso3::parse(&row.iso3).with_context(place)?,
            level: AdminLevel::ONE,
            parent: None,
            names: names(&row.iso3, &row.name_es, &row.name_en, &row.name_pt).with_context(place)?,
            seat: row.capital.clone(),
            at: Coord { x: row.lon, y: row.lat },
            reach: row.reach.unwrap_or_else(|| default_reach(&row.iso3)),
            holds_capital: false,
        });
    }
    for row in read_rows::<Admin2Row>("admin2.csv", ADMIN2)? {
        let place = || format!("admin2.csv, {}", row.pcode);
        let parent = units
            .iter()
            .find(|u| u.level == AdminLevel::ONE && u.pcode.as_str() == row.parent)
            .with_context(|| format!("{}: unknown parent {}", place(), row.parent))?
            .clone();
        let holds_capital = row.capital == "yes";
        let at = match (holds_capital, row.lat, row.lon) {
            (true, None, None) => parent.at,
            (false, Some(lat), Some(lon)) => Coord { x: lon, y: lat },
            _ => bail!("{}: give lat and lon, or capital = yes and neither", place()),
        };
        units.push(Unit {
            pcode: Pcode::parse(&row.pcode).with_context(place)?,
            country: parent.country,
            level: AdminLevel::TWO,
            parent: Some(parent.pcode.clone()),
            names: names(parent.country.as_str(), &row.name_es, &row.name_en, &row.name_pt).with_context(place)?,
            seat: row.seat,
            at,
            reach: parent.reach.min(LOCAL_REACH),
            holds_capital,
        });
    }
    Ok(units)
}

/// Draws the boundary of every unit and returns them as admin areas, level 1 first.
pub fn admin_areas(units: &[Unit], anchors: &[Anchor]) -> anyhow::Result<Vec<AdminArea>> {
    let by_pcode: HashMap<&Pcode, &Unit> = units.iter().map(|u| (&u.pcode, u)).collect();
    let has_children = |pcode: &Pcode| units.iter().any(|u| u.parent.as_ref() == Some(pcode));

    // Each seed, how far its own box reaches, and the P-code of the smallest area it is in.
    let mut placed: Vec<(Coord<f64>, f64, &Pcode)> = Vec::new();
    for unit in units {
        match unit.level.get() {
            1 if has_children(&unit.pcode) => {
                let holder = units
                    .iter()
                    .find(|u| u.parent.as_ref() == Some(&unit.pcode) && u.holds_capital)
                    .with_context(|| format!("no level-2 area of {} holds its capital", unit.pcode))?;
                placed.push((unit.at, unit.reach, &holder.pcode));
            }
            1 => placed.push((unit.at, unit.reach, &unit.pcode)),
            _ if unit.holds_capital => {}
            _ => placed.push((unit.at, unit.reach, &unit.pcode)),
        }
    }
    for anchor in anchors {
        let unit = by_pcode
            .get(&anchor.area)
            .with_context(|| format!("unknown admin area {}", anchor.area))?;
        if has_children(&unit.pcode) {
            bail!("{} is divided: name the level-2 area the place is in", unit.pcode);
        }
        placed.push((anchor.at, unit.reach.min(LOCAL_REACH), &unit.pcode));
    }
    let placed = distinct(placed)?;

    // All seeds of a first-level area share one box: the boxes of its capital, seats and
    // places together. Were each clipped to its own smaller box, the land between a town's box
    // and the capital's would belong to no one.
    let first_level = |leaf: &Pcode| -> Option<&Pcode> {
        let unit = by_pcode.get(leaf)?;
        Some(unit.parent.as_ref().unwrap_or(&unit.pcode))
    };
    let mut bounds: HashMap<&Pcode, Rect<f64>> = HashMap::new();
    for &(at, reach, leaf) in &placed {
        let own = Rect::new(
            Coord {
                x: at.x - reach,
                y: at.y - reach,
            },
            Coord {
                x: at.x + reach,
                y: at.y + reach,
            },
        );
        let key = first_level(leaf).with_context(|| format!("unknown admin area {leaf}"))?;
        bounds.entry(key).and_modify(|b| *b = cover(*b, own)).or_insert(own);
    }
    let mut seeds: Vec<(Seed, &Pcode)> = Vec::with_capacity(placed.len());
    for &(at, _, leaf) in &placed {
        let key = first_level(leaf).with_context(|| format!("unknown admin area {leaf}"))?;
        let bounds = *bounds.get(key).with_context(|| format!("no box for {key}"))?;
        seeds.push((Seed { at, bounds }, leaf));
    }

    let plain: Vec<Seed> = seeds.iter().map(|(s, _)| *s).collect();
    let mut cells_of: HashMap<&Pcode, Vec<Polygon<f64>>> = HashMap::new();
    for ((_, leaf), cell) in seeds.iter().zip(voronoi::cells(&plain)) {
        cells_of.entry(*leaf).or_default().push(cell.clone());
        if let Some(parent) = by_pcode.get(leaf).and_then(|u| u.parent.as_ref()) {
            cells_of.entry(parent).or_default().push(cell);
        }
    }
    units
        .iter()
        .map(|unit| {
            let cells = cells_of
                .get(&unit.pcode)
                .with_context(|| format!("{} has no seed", unit.pcode))?;
            Ok(AdminArea {
                pcode: unit.pcode.clone(),
                country: unit.country,
                level: unit.level,
                parent: unit.parent.clone(),
                names: unit.names.clone(),
                boundary: Some(union(cells)),
            })
        })
        .collect()
}

/// The smallest box holding both.
fn cover(a: Rect<f64>, b: Rect<f64>) -> Rect<f64> {
    Rect::new(
        Coord {
            x: a.min().x.min(b.min().x),
            y: a.min().y.min(b.min().y),
        },
        Coord {
            x: a.max().x.max(b.max().x),
            y: a.max().y.max(b.max().y),
        },
    )
}

type Placed<'a> = (Coord<f64>, f64, &'a Pcode);

/// Drops repeated seeds of one area; two areas claiming one point is an error in the data.
fn distinct(seeds: Vec<Placed<'_>>) -> anyhow::Result<Vec<Placed<'_>>> {
    let mut kept: Vec<Placed<'_>> = Vec::with_capacity(seeds.len());
    for (at, reach, area) in seeds {
        let same = kept
            .iter()
            .find(|(other, _, _)| (other.x - at.x).abs() < 1e-7 && (other.y - at.y).abs() < 1e-7);
        match same {
            Some((_, _, other)) if *other != area => bail!("{area} and {other} both have a place at {at:?}"),
            Some(_) => {}
            None => kept.push((at, reach, area)),
        }
    }
    Ok(kept)
}

fn union(cells: &[Polygon<f64>]) -> MultiPolygon<f64> {
    match cells {
        [one] => MultiPolygon::new(vec![one.clone()]),
        _ => unary_union(cells),
    }
}

#[cfg(test)]
mod tests {
    use geo::{Area, BooleanOps, BoundingRect, Contains, Intersects, Point, Validation};
    use rumbo_domain::country::known_countries;

    use super::*;

    fn built() -> (Vec<Unit>, Vec<AdminArea>) {
        let units = units().expect("data files parse");
        let areas = admin_areas(&units, &[]).expect("boundaries");
        (units, areas)
    }

    fn pcode(code: &str) -> Pcode {
        Pcode::parse(code).expect("pcode")
    }

    #[test]
    fn every_country_has_its_first_level_areas_with_its_own_prefix() {
        let units = units().expect("data files parse");
        for country in known_countries() {
            let of_country: Vec<&Unit> = units.iter().filter(|u| u.country == country.iso3).collect();
            assert!(of_country.len() >= 3, "{} has {} areas", country.iso3, of_country.len());
            for unit in of_country {
                assert!(unit.pcode.as_str().starts_with(&country.iso2), "{}", unit.pcode);
            }
        }
        let count = |iso: &str| {
            units
                .iter()
                .filter(|u| u.country.as_str() == iso && u.level == AdminLevel::ONE)
                .count()
        };
        assert_eq!(
            (count("COL"), count("PER"), count("ECU"), count("BRA")),
            (33, 25, 24, 27)
        );
        assert_eq!(
            (count("CHL"), count("ARG"), count("MEX"), count("VEN")),
            (16, 24, 32, 25)
        );
    }

    #[test]
    fn the_codes_field_teams_know_are_there() {
        let units = units().expect("data files parse");
        let name = |code: &str| {
            units
                .iter()
                .find(|u| u.pcode.as_str() == code)
                .map(|u| u.names.es.clone().unwrap_or_default())
        };
        for (code, expected) in [
            ("CO54", "Norte de Santander"),
            ("CO44", "La Guajira"),
            ("CO52", "Nariño"),
            ("PE24", "Tumbes"),
            ("EC07", "El Oro"),
            ("EC04", "Carchi"),
            ("BR14", "Roraima"),
            ("CL15", "Arica y Parinacota"),
            ("CO54001", "Cúcuta"),
            ("CO54874", "Villa del Rosario"),
            ("CO44430", "Maicao"),
            ("CO52356", "Ipiales"),
            ("CO05490", "Necoclí"),
        ] {
            assert_eq!(name(code).as_deref(), Some(expected), "{code}");
        }
        let tumbes = units.iter().find(|u| u.pcode.as_str() == "PE24").expect("Tumbes");
        assert_eq!(tumbes.names.en.as_deref(), Some("Tumbes"));
        let roraima = units.iter().find(|u| u.pcode.as_str() == "BR14").expect("Roraima");
        assert_eq!(roraima.names.es.as_deref(), Some("Roraima"));
    }

    #[test]
    fn boundaries_are_valid_and_hold_their_capital() {
        let (units, areas) = built();
        assert_eq!(units.len(), areas.len());
        for (unit, area) in units.iter().zip(&areas) {
            let boundary = area.boundary.as_ref().expect("boundary");
            assert!(boundary.is_valid(), "{} is not a valid polygon", unit.pcode);
            assert!(boundary.unsigned_area() > 0.0, "{} is empty", unit.pcode);
            assert!(
                boundary.contains(&Point::from(unit.at)),
                "{} does not contain its capital {}",
                unit.pcode,
                unit.seat
            );
        }
    }

    #[test]
    fn areas_of_one_level_do_not_overlap() {
        let (_, areas) = built();
        for level in [AdminLevel::ONE, AdminLevel::TWO] {
            let of_level: Vec<&AdminArea> = areas.iter().filter(|a| a.level == level).collect();
            for (i, a) in of_level.iter().enumerate() {
                for b in &of_level[i + 1..] {
                    let (Some(ba), Some(bb)) = (a.boundary.as_ref(), b.boundary.as_ref()) else {
                        continue;
                    };
                    let (Some(ra), Some(rb)) = (ba.bounding_rect(), bb.bounding_rect()) else {
                        continue;
                    };
                    if !ra.intersects(&rb) {
                        continue;
                    }
                    let overlap = ba.intersection(bb).unsigned_area();
                    assert!(overlap < 1e-8, "{} and {} overlap by {overlap}", a.pcode, b.pcode);
                }
            }
        }
    }

    #[test]
    fn second_level_areas_tile_their_parent() {
        let (_, areas) = built();
        let area_of = |code: &Pcode| {
            areas
                .iter()
                .find(|a| &a.pcode == code)
                .and_then(|a| a.boundary.as_ref())
                .map(|b| b.unsigned_area())
                .unwrap_or(0.0)
        };
        for parent in areas.iter().filter(|a| a.level == AdminLevel::ONE) {
            let children: f64 = areas
                .iter()
                .filter(|a| a.parent.as_ref() == Some(&parent.pcode))
                .map(|a| area_of(&a.pcode))
                .sum();
            if children > 0.0 {
                let whole = area_of(&parent.pcode);
                assert!(
                    (children - whole).abs() < 1e-6 * whole,
                    "{}: {children} vs {whole}",
                    parent.pcode
                );
            }
        }
    }

    #[test]
    fn anchors_pull_a_place_into_its_area_and_bad_anchors_are_refused() {
        let units = units().expect("data files parse");
        // The Ecuadorian side of Rumichaca is nearer Ipiales than Tulcán.
        let post = Coord { x: -77.6700, y: 0.8135 };
        let anchors = [Anchor {
            at: post,
            area: pcode("EC0401"),
        }];
        let areas = admin_areas(&units, &anchors).expect("boundaries");
        let tulcan = areas.iter().find(|a| a.pcode.as_str() == "EC0401").expect("Tulcán");
        assert!(tulcan.boundary.as_ref().is_some_and(|b| b.contains(&Point::from(post))));

        let divided = [Anchor {
            at: post,
            area: pcode("EC04"),
        }];
        let err = admin_areas(&units, &divided).expect_err("divided area").to_string();
        assert!(err.contains("EC04"), "{err}");
        let unknown = [Anchor {
            at: post,
            area: pcode("EC99"),
        }];
        assert!(admin_areas(&units, &unknown).is_err());
        let clash = [
            Anchor {
                at: post,
                area: pcode("EC0401"),
            },
            Anchor {
                at: post,
                area: pcode("CO52356"),
            },
        ];
        assert!(admin_areas(&units, &clash).is_err());
    }
}
