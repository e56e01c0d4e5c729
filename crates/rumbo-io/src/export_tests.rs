use geo::{LineString, MultiPolygon, Polygon};
use rumbo_domain::country::Iso3;
use rumbo_domain::geography::Position;
use rumbo_domain::location::LocationKind;

use super::*;
use crate::boundaries::{BoundaryOptions, read_boundaries};
use crate::locations::read_locations;
use crate::pcodes::read_pcodes;

fn square(x: f64, y: f64, size: f64) -> MultiPolygon<f64> {
    MultiPolygon::new(vec![Polygon::new(
        LineString::from(vec![(x, y), (x + size, y), (x + size, y + size), (x, y + size), (x, y)]),
        vec![],
    )])
}

fn area(pcode: &str, level: i64, parent: Option<&str>, es: &str, en: Option<&str>) -> AdminArea {
    AdminArea {
        pcode: Pcode::parse(pcode).expect("pcode"),
        country: Iso3::parse("COL").expect("iso3"),
        level: AdminLevel::new(level).expect("level"),
        parent: parent.map(|p| Pcode::parse(p).expect("pcode")),
        names: Names {
            es: Some(es.into()),
            en: en.map(Into::into),
            pt: None,
        },
        boundary: Some(square(-73.0 + level as f64 * 0.1, 7.123456789, 0.5)),
    }
}

fn areas() -> Vec<AdminArea> {
    vec![
        area("CO54", 1, None, "Norte de Santander", Some("North Santander")),
        area("CO54001", 2, Some("CO54"), "Cúcuta", None),
        area("CO54874", 2, Some("CO54"), "=Villa del Rosario", None),
    ]
}

fn without_boundaries(areas: &[AdminArea]) -> Vec<AdminArea> {
    areas
        .iter()
        .cloned()
        .map(|mut a| {
            a.boundary = None;
            a
        })
        .collect()
}

#[test]
fn admin_areas_csv_carries_hxl_and_imports_again() {
    let mut out = Vec::new();
    write_admin_areas_csv(&areas(), None, &mut out).expect("written");
    let text = String::from_utf8(out.clone()).expect("utf-8");
    let mut lines = text.lines();
    assert_eq!(
        lines.next(),
        Some(
            "country,adm1_pcode,adm1_name_es,adm1_name_en,adm1_name_pt,adm2_pcode,adm2_name_es,adm2_name_en,adm2_name_pt"
        )
    );
    assert_eq!(
        lines.next(),
        Some(
            "#country+code,#adm1+code,#adm1+name+i_es,#adm1+name+i_en,#adm1+name+i_pt,#adm2+code,#adm2+name+i_es,#adm2+name+i_en,#adm2+name+i_pt"
        )
    );
    assert!(text.contains("'=Villa del Rosario"), "formula guarded: {text}");
    let again: Vec<AdminArea> = read_pcodes(&out)
        .expect("re-read")
        .into_iter()
        .map(|(_, a)| a)
        .collect();
    assert_eq!(again, without_boundaries(&areas()));

    // One level, with its ancestors' columns filled from the areas given.
    let mut level_2 = Vec::new();
    write_admin_areas_csv(&areas(), AdminLevel::new(2).ok(), &mut level_2).expect("written");
    let text = String::from_utf8(level_2.clone()).expect("utf-8");
    assert_eq!(text.lines().count(), 4, "{text}");
    assert!(
        text.contains("COL,CO54,Norte de Santander,North Santander,,CO54001,Cúcuta,,"),
        "{text}"
    );
    assert_eq!(read_pcodes(&level_2).expect("re-read").len(), 3);
}

#[test]
fn admin_areas_geojson_imports_again_level_by_level() {
    let level_1: Vec<AdminArea> = areas().into_iter().filter(|a| a.level.get() == 1).collect();
    let mut out = Vec::new();
    write_admin_areas_geojson(&level_1, &mut out).expect("written");
    let json: serde_json::Value = serde_json::from_slice(&out).expect("json");
    assert_eq!(json["features"][0]["properties"]["ADM0_PCODE"], "CO");
    assert_eq!(json["features"][0]["properties"]["ADM1_EN"], "North Santander");
    let options = BoundaryOptions {
        level: AdminLevel::ONE,
        country: None,
    };
    let again: Vec<AdminArea> = read_boundaries(&out, &options)
        .expect("re-read")
        .into_iter()
        .map(|(_, a)| a)
        .collect();
    assert_eq!(again, level_1, "coordinates survive to the last digit");

    let level_2: Vec<AdminArea> = areas().into_iter().filter(|a| a.level.get() == 2).collect();
    let mut out = Vec::new();
    write_admin_areas_geojson(&level_2, &mut out).expect("written");
    let options = BoundaryOptions {
        level: AdminLevel::TWO,
        country: None,
    };
    assert_eq!(read_boundaries(&out, &options).expect("re-read").len(), 2);

    let mut empty = Vec::new();
    write_admin_areas_geojson(&without_boundaries(&areas()), &mut empty).expect("written");
    assert_eq!(empty, br#"{"type":"FeatureCollection","features":[]}"#);
}

fn bridge() -> LocationRecord {
    LocationRecord {
        id: Some(7),
        code: "COL-CUC-SB".into(),
        name: "-Puente Simón Bolívar, \"el puente\"".into(),
        kind: LocationKind::BorderCrossing,
        country: Iso3::parse("COL").expect("iso3"),
        position: Position::new(-72.4667, 7.8167).expect("position"),
        organisation: Some("IOM".into()),
        notes: Some("línea 1\nlínea 2".into()),
        active: false,
        admin_areas: [Pcode::parse("CO54").ok(), Pcode::parse("CO54001").ok(), None],
    }
}

#[test]
fn locations_csv_carries_hxl_and_imports_again() {
    let mut out = Vec::new();
    write_locations_csv(&[bridge()], &mut out).expect("written");
    let text = String::from_utf8(out.clone()).expect("utf-8");
    assert!(
        text.lines()
            .nth(1)
            .is_some_and(|l| l.starts_with("#loc+code,#loc+name,#loc+type,#country+code,#geo+lat,#geo+lon"))
    );
    let again = read_locations(&out).expect("re-read");
    let expected = LocationRecord {
        id: None,
        admin_areas: [None, None, None],
        ..bridge()
    };
    assert_eq!(again, vec![("row 3".to_owned(), expected)]);
}

#[test]
fn locations_geojson_is_points_with_their_areas() {
    let mut out = Vec::new();
    write_locations_geojson(&[bridge()], &mut out).expect("written");
    let json: serde_json::Value = serde_json::from_slice(&out).expect("json");
    let feature = &json["features"][0];
    assert_eq!(feature["geometry"]["type"], "Point");
    assert_eq!(feature["geometry"]["coordinates"][0], -72.4667);
    assert_eq!(feature["properties"]["id"], 7);
    assert_eq!(feature["properties"]["kind"], "border_crossing");
    assert_eq!(feature["properties"]["adm2_pcode"], "CO54001");
    assert_eq!(feature["properties"]["adm3_pcode"], serde_json::Value::Null);
}
