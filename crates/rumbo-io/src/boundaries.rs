//! COD-AB style boundaries: a GeoJSON FeatureCollection whose features are the admin areas of
//! one level, with properties such as `ADM2_PCODE`, `ADM2_ES`, `ADM2_EN`, `ADM2_PT`, `ADM2_REF`,
//! the parent's `ADM1_PCODE` and the country's `ADM0_PCODE` (ISO2, as COD-AB writes it, or
//! ISO3). Property names are matched without regard to case. Geometries must be Polygons or
//! MultiPolygons in WGS 84 longitude/latitude.

use std::collections::HashMap;

use rumbo_domain::country::Iso3;
use rumbo_domain::geography::{AdminArea, AdminLevel, Pcode, boundary_from_geometry};
use rumbo_domain::language::{Language, Names};
use serde::Deserialize;
use serde_json::Value;
use serde_json::value::RawValue;

use crate::text::{Problems, Rejected, utf8};
use crate::{MAX_NAME, country_from_code, local_language, set_name};

/// What the caller knows about the file: the level of its areas (COD-AB files do not say) and,
/// optionally, the country, which then need not be in the file.
#[derive(Debug, Clone, Copy)]
pub struct BoundaryOptions {
    pub level: AdminLevel,
    pub country: Option<Iso3>,
}

#[derive(Deserialize)]
struct RawCollection<'a> {
    #[serde(rename = "type")]
    kind: Option<String>,
    #[serde(borrow)]
    features: Option<Vec<&'a RawValue>>,
}

#[derive(Deserialize)]
struct RawFeature<'a> {
    #[serde(rename = "type")]
    kind: Option<String>,
    properties: Option<serde_json::Map<String, Value>>,
    #[serde(borrow)]
    geometry: Option<&'a RawValue>,
}

/// Reads a boundary file into admin areas, each with where it came from (`feature 3`), or
/// every problem found in it.
pub fn read_boundaries(bytes: &[u8], options: &BoundaryOptions) -> Result<Vec<(String, AdminArea)>, Rejected> {
    let text = utf8(bytes)?;
    // A top-level array would otherwise be read field by field, with a baffling message.
    if !text.trim_start().starts_with('{') {
        return Err(Rejected::one(
            "file",
            "expected a GeoJSON FeatureCollection: a JSON object with \"type\" and \"features\"",
        ));
    }
    let collection: RawCollection = serde_json::from_str(text).map_err(|e| json_problem(&e))?;
    match collection.kind.as_deref() {
        Some("FeatureCollection") => {}
        Some(other) => {
            return Err(Rejected::one(
                "file",
                format!("expected a GeoJSON FeatureCollection, found a {other}"),
            ));
        }
        None => {
            return Err(Rejected::one(
                "file",
                "expected a GeoJSON FeatureCollection (no \"type\")",
            ));
        }
    }
    let features = collection.features.unwrap_or_default();
    if features.is_empty() {
        return Err(Rejected::one("file", "the FeatureCollection has no features"));
    }

    let mut problems = Problems::default();
    let mut areas = Vec::with_capacity(features.len());
    let mut seen: HashMap<Pcode, usize> = HashMap::new();
    for (i, raw) in features.iter().enumerate() {
        let number = i + 1;
        if let Some(area) = read_feature(number, raw, options, &mut problems) {
            if let Some(first) = seen.insert(area.pcode.clone(), number) {
                problems.push(
                    format!("feature {number} (properties.{})", pcode_key(options.level.get())),
                    format!("P-code {} is already used by feature {first}", area.pcode),
                );
            }
            areas.push((format!("feature {number}"), area));
        }
    }
    problems.finish(areas)
}

fn read_feature(
    number: usize,
    raw: &RawValue,
    options: &BoundaryOptions,
    problems: &mut Problems,
) -> Option<AdminArea> {
    let at = |what: &str| format!("feature {number} ({what})");
    let feature: RawFeature = match serde_json::from_str(raw.get()) {
        Ok(f) => f,
        Err(e) => {
            problems.push(
                format!("feature {number}"),
                format!("not a GeoJSON Feature: {}", bare(&e)),
            );
            return None;
        }
    };
    if feature.kind.as_deref() != Some("Feature") {
        problems.push(
            format!("feature {number}"),
            format!(
                "expected a Feature, found {}",
                feature.kind.as_deref().unwrap_or("no \"type\"")
            ),
        );
        return None;
    }
    let before = problems.count();
    let props: HashMap<String, &Value> = feature
        .properties
        .iter()
        .flatten()
        .map(|(k, v)| (k.to_ascii_lowercase(), v))
        .collect();
    let n = options.level.get();
    let text = |key: &str, problems: &mut Problems| -> Option<String> {
        match props.get(&key.to_ascii_lowercase()).copied() {
            None | Some(Value::Null) => None,
            Some(Value::String(s)) => Some(s.trim().to_owned()).filter(|s| !s.is_empty()),
            Some(Value::Number(v)) => Some(v.to_string()),
            Some(_) => {
                problems.push(at(&format!("properties.{key}")), "must be text");
                None
            }
        }
    };

    if let Some(level) = text("admin_level", problems)
        && level != n.to_string()
    {
        problems.push(
            at("properties.admin_level"),
            format!("this is a level-{level} area, but the file is being imported as level {n}"),
        );
    }

    let own_key = pcode_key(n);
    let pcode = match text(&own_key, problems).map(|p| Pcode::parse(&p)) {
        Some(Ok(p)) => Some(p),
        Some(Err(e)) => {
            problems.push(at(&format!("properties.{own_key}")), e);
            None
        }
        None => {
            problems.push(
                at(&format!("properties.{own_key}")),
                "missing: every area needs its P-code",
            );
            None
        }
    };

    let parent = match AdminLevel::new(i64::from(n) - 1).ok() {
        None => None,
        Some(level) => {
            let key = pcode_key(level.get());
            match text(&key, problems).map(|p| Pcode::parse(&p)) {
                Some(Ok(p)) => Some(p),
                Some(Err(e)) => {
                    problems.push(at(&format!("properties.{key}")), e);
                    None
                }
                None => {
                    problems.push(
                        at(&format!("properties.{key}")),
                        format!(
                            "missing: a level-{n} area needs the P-code of its level-{} parent",
                            n - 1
                        ),
                    );
                    None
                }
            }
        }
    };

    let declared = match text("ADM0_PCODE", problems).map(|c| country_from_code(&c)) {
        Some(Ok(c)) => Some(c),
        Some(Err(e)) => {
            problems.push(at("properties.ADM0_PCODE"), e);
            None
        }
        None => None,
    };
    let country = match (options.country, declared) {
        (Some(chosen), Some(declared)) if chosen != declared => {
            problems.push(
                at("properties.ADM0_PCODE"),
                format!("the area is in {declared}, but the file is being imported for {chosen}"),
            );
            None
        }
        (Some(chosen), _) => Some(chosen),
        (None, Some(declared)) => Some(declared),
        // COD P-codes start with the country's ISO2 code (CO54 is in Colombia).
        (None, None) => match &pcode {
            // Without a P-code the feature is already refused; one problem is enough.
            None => None,
            Some(p) => country_from_code(p.as_str().get(..2).unwrap_or("")).ok().or_else(|| {
                problems.push(
                    at("properties.ADM0_PCODE"),
                    "missing: say which country the area is in (ADM0_PCODE), or choose the country of the import",
                );
                None
            }),
        },
    };

    let mut names = Names::default();
    for (language, suffix) in [(Language::Es, "ES"), (Language::En, "EN"), (Language::Pt, "PT")] {
        let key = format!("ADM{n}_{suffix}");
        if let Some(name) = text(&key, problems) {
            if name.chars().count() > MAX_NAME {
                problems.push(
                    at(&format!("properties.{key}")),
                    format!("longer than {MAX_NAME} characters"),
                );
            }
            set_name(&mut names, language, name);
        }
    }
    if names.is_empty() {
        let reference = text(&format!("ADM{n}_REF"), problems).or_else(|| text(&format!("ADM{n}_NAME"), problems));
        match (reference, country) {
            (Some(name), Some(country)) => set_name(&mut names, local_language(country), name),
            (Some(name), None) => names.es = Some(name),
            (None, _) => problems.push(
                at("properties"),
                format!("no name: give ADM{n}_ES, ADM{n}_EN, ADM{n}_PT or ADM{n}_REF"),
            ),
        }
    }

    let boundary = match feature.geometry {
        None => {
            problems.push(at("geometry"), "missing: a boundary needs a Polygon or MultiPolygon");
            None
        }
        Some(raw) => match serde_json::from_str::<geojson::Geometry>(raw.get()) {
            Ok(geometry) => match boundary_from_geometry(&geometry.value) {
                Ok(b) => Some(b),
                Err(e) => {
                    problems.push(at("geometry"), e);
                    None
                }
            },
            Err(e) => {
                problems.push(at("geometry"), format!("not a GeoJSON geometry: {}", bare(&e)));
                None
            }
        },
    };

    if problems.count() != before {
        return None;
    }
    Some(AdminArea {
        pcode: pcode?,
        country: country?,
        level: options.level,
        parent,
        names,
        boundary: Some(boundary?),
    })
}

fn pcode_key(level: u8) -> String {
    format!("ADM{level}_PCODE")
}

/// A JSON error of the whole file, with its line and column.
fn json_problem(e: &serde_json::Error) -> Rejected {
    if e.is_data() {
        return Rejected::one(
            format!("line {}, column {}", e.line(), e.column()),
            format!("the file is JSON but not a GeoJSON FeatureCollection: {}", bare(e)),
        );
    }
    if e.is_eof() {
        return Rejected::one(
            format!("line {}, column {}", e.line(), e.column()),
            "the file ends too early: it is cut off or not JSON",
        );
    }
    Rejected::one(
        format!("line {}, column {}", e.line(), e.column()),
        format!("not valid JSON: {}", bare(e)),
    )
}

/// serde_json's message without its " at line 1 column 9" tail, which inside a feature is
/// relative to the feature, not to the file.
fn bare(e: &serde_json::Error) -> String {
    let message = e.to_string();
    match message.rfind(" at line ") {
        Some(i) => message[..i].to_owned(),
        None => message,
    }
}

#[cfg(test)]
#[path = "boundaries_tests.rs"]
mod tests;
