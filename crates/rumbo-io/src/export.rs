//! Admin areas and locations out, in forms the readers of this crate accept again: CSV with an
//! HXL hashtag row under the header, and GeoJSON (RFC 7946) with COD-AB style properties.
//!
//! Text cells that a spreadsheet would run as a formula (starting with `=`, `+`, `-`, `@`) are
//! written with a leading `'`, which the readers remove again.

use std::collections::HashMap;
use std::io::Write;

use rumbo_domain::Vocabulary;
use rumbo_domain::country::known_countries;
use rumbo_domain::geography::{AdminArea, AdminLevel, Pcode};
use rumbo_domain::language::Names;
use serde_json::{Map, Value, json};

use crate::WriteError;
use crate::locations::LocationRecord;

/// Admin areas as CSV, one row per area with its ancestors (`adm1_pcode`, `adm1_name_es`...,
/// down to the area's own level). `areas` must hold the ancestors of the areas written; only
/// those of `level` are written, or all when `level` is `None`.
pub fn write_admin_areas_csv<W: Write>(
    areas: &[AdminArea],
    level: Option<AdminLevel>,
    out: W,
) -> Result<(), WriteError> {
    let by_pcode: HashMap<&Pcode, &AdminArea> = areas.iter().map(|a| (&a.pcode, a)).collect();
    let rows: Vec<&AdminArea> = areas.iter().filter(|a| level.is_none_or(|l| a.level == l)).collect();
    let deepest = rows.iter().map(|a| a.level.get()).max().unwrap_or(1);
    let mut writer = csv::Writer::from_writer(out);
    let mut header = vec!["country".to_owned()];
    let mut hxl = vec!["#country+code".to_owned()];
    for n in 1..=deepest {
        header.push(format!("adm{n}_pcode"));
        hxl.push(format!("#adm{n}+code"));
        for language in ["es", "en", "pt"] {
            header.push(format!("adm{n}_name_{language}"));
            hxl.push(format!("#adm{n}+name+i_{language}"));
        }
    }
    writer.write_record(&header)?;
    writer.write_record(&hxl)?;
    for area in rows {
        // The chain from level 1 down to the area itself.
        let mut chain: Vec<(Pcode, Option<&Names>)> = vec![(area.pcode.clone(), Some(&area.names))];
        let mut parent = area.parent.clone();
        while let Some(p) = parent {
            let known = by_pcode.get(&p);
            chain.push((p, known.map(|a| &a.names)));
            parent = known.and_then(|a| a.parent.clone());
        }
        chain.reverse();
        let mut record = vec![area.country.to_string()];
        for n in 0..usize::from(deepest) {
            match chain.get(n) {
                Some((pcode, names)) => {
                    record.push(pcode.to_string());
                    for name in names.map_or([&None, &None, &None], |n| [&n.es, &n.en, &n.pt]) {
                        record.push(guard(name.as_deref().unwrap_or("")));
                    }
                }
                None => record.extend(std::iter::repeat_n(String::new(), 4)),
            }
        }
        writer.write_record(&record)?;
    }
    writer.flush()?;
    Ok(())
}

/// Admin areas with a boundary as a GeoJSON FeatureCollection, with COD-AB properties
/// (`ADM0_PCODE` as ISO2, `ADM2_PCODE`, `ADM2_ES`, `ADM1_PCODE`...) and `admin_level`, so a file
/// of one level imports again with `--level`. Areas without a boundary are left out.
pub fn write_admin_areas_geojson<W: Write>(areas: &[AdminArea], mut out: W) -> Result<(), WriteError> {
    let iso2: HashMap<String, String> = known_countries()
        .into_iter()
        .map(|c| (c.iso3.to_string(), c.iso2))
        .collect();
    out.write_all(br#"{"type":"FeatureCollection","features":["#)?;
    let mut first = true;
    for area in areas {
        let Some(boundary) = &area.boundary else { continue };
        let n = area.level.get();
        let mut properties = Map::new();
        let country = area.country.to_string();
        properties.insert(
            "ADM0_PCODE".into(),
            json!(iso2.get(&country).cloned().unwrap_or(country)),
        );
        if let Some(parent) = &area.parent {
            properties.insert(format!("ADM{}_PCODE", n - 1), json!(parent.as_str()));
        }
        properties.insert(format!("ADM{n}_PCODE"), json!(area.pcode.as_str()));
        for (suffix, name) in [("ES", &area.names.es), ("EN", &area.names.en), ("PT", &area.names.pt)] {
            if let Some(name) = name {
                properties.insert(format!("ADM{n}_{suffix}"), json!(name));
            }
        }
        properties.insert("admin_level".into(), json!(n));
        let geometry = geojson::Geometry::new(geojson::GeometryValue::from(boundary));
        write_feature(&mut out, &mut first, &geometry, properties)?;
    }
    out.write_all(b"]}")?;
    out.flush()?;
    Ok(())
}

const LOCATION_COLUMNS: [(&str, &str); 12] = [
    ("code", "#loc+code"),
    ("name", "#loc+name"),
    ("kind", "#loc+type"),
    ("country", "#country+code"),
    ("lat", "#geo+lat"),
    ("lon", "#geo+lon"),
    ("adm1_pcode", "#adm1+code"),
    ("adm2_pcode", "#adm2+code"),
    ("adm3_pcode", "#adm3+code"),
    ("organisation", "#org+acronym"),
    ("notes", "#description"),
    ("active", "#status+active"),
];

/// Locations as CSV with an HXL row; the file imports again as a location list.
pub fn write_locations_csv<W: Write>(locations: &[LocationRecord], out: W) -> Result<(), WriteError> {
    let mut writer = csv::Writer::from_writer(out);
    writer.write_record(LOCATION_COLUMNS.map(|(name, _)| name))?;
    writer.write_record(LOCATION_COLUMNS.map(|(_, tag)| tag))?;
    for l in locations {
        let pcode = |i: usize| l.admin_areas[i].as_ref().map(|p| p.to_string()).unwrap_or_default();
        writer.write_record([
            l.code.clone(),
            guard(&l.name),
            l.kind.code().to_owned(),
            l.country.to_string(),
            l.position.lat.to_string(),
            l.position.lon.to_string(),
            pcode(0),
            pcode(1),
            pcode(2),
            guard(l.organisation.as_deref().unwrap_or("")),
            guard(l.notes.as_deref().unwrap_or("")),
            if l.active { "yes" } else { "no" }.to_owned(),
        ])?;
    }
    writer.flush()?;
    Ok(())
}

/// Locations as a GeoJSON FeatureCollection of points.
pub fn write_locations_geojson<W: Write>(locations: &[LocationRecord], mut out: W) -> Result<(), WriteError> {
    out.write_all(br#"{"type":"FeatureCollection","features":["#)?;
    let mut first = true;
    for l in locations {
        let mut properties = Map::new();
        if let Some(id) = l.id {
            properties.insert("id".into(), json!(id));
        }
        properties.insert("code".into(), json!(l.code));
        properties.insert("name".into(), json!(l.name));
        properties.insert("kind".into(), json!(l.kind.code()));
        properties.insert("country".into(), json!(l.country.to_string()));
        for (i, area) in l.admin_areas.iter().enumerate() {
            properties.insert(
                format!("adm{}_pcode", i + 1),
                area.as_ref().map_or(Value::Null, |p| json!(p.as_str())),
            );
        }
        properties.insert("organisation".into(), json!(l.organisation));
        properties.insert("notes".into(), json!(l.notes));
        properties.insert("active".into(), json!(l.active));
        let geometry = geojson::Geometry::new_point([l.position.lon, l.position.lat]);
        write_feature(&mut out, &mut first, &geometry, properties)?;
    }
    out.write_all(b"]}")?;
    out.flush()?;
    Ok(())
}

/// Writes one feature, streaming: a country's boundaries can be large, and are never held in
/// memory as one JSON document.
fn write_feature<W: Write>(
    out: &mut W,
    first: &mut bool,
    geometry: &geojson::Geometry,
    properties: Map<String, Value>,
) -> Result<(), WriteError> {
    if !*first {
        out.write_all(b",\n")?;
    }
    *first = false;
    out.write_all(br#"{"type":"Feature","properties":"#)?;
    serde_json::to_writer(&mut *out, &properties)?;
    out.write_all(br#","geometry":"#)?;
    serde_json::to_writer(&mut *out, geometry)?;
    out.write_all(b"}")?;
    Ok(())
}

/// A text cell that a spreadsheet will show as text, never run as a formula.
pub(crate) fn guard(text: &str) -> String {
    if text.starts_with(['=', '+', '-', '@']) {
        format!("'{text}")
    } else {
        text.to_owned()
    }
}

#[cfg(test)]
#[path = "export_tests.rs"]
mod tests;
