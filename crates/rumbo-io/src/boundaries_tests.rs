use super::*;

fn square(x: f64, y: f64) -> String {
    format!(
        r#"{{"type":"Polygon","coordinates":[[[{x},{y}],[{x1},{y}],[{x1},{y1}],[{x},{y1}],[{x},{y}]]]}}"#,
        x1 = x + 1.0,
        y1 = y + 1.0
    )
}

fn feature(properties: &str, geometry: &str) -> String {
    format!(r#"{{"type":"Feature","properties":{properties},"geometry":{geometry}}}"#)
}

fn collection(features: &[String]) -> Vec<u8> {
    format!(
        r#"{{"type":"FeatureCollection","features":[{}]}}"#,
        features.join(",\n")
    )
    .into_bytes()
}

fn level(n: i64) -> BoundaryOptions {
    BoundaryOptions {
        level: AdminLevel::new(n).expect("level"),
        country: None,
    }
}

fn problems(bytes: &[u8], options: &BoundaryOptions) -> Vec<String> {
    read_boundaries(bytes, options)
        .expect_err("rejected")
        .problems
        .iter()
        .map(ToString::to_string)
        .collect()
}

#[test]
fn cod_ab_departments_and_municipalities() {
    let file = collection(&[
        feature(
            r#"{"adm1_pcode":"CO54","ADM1_ES":"Norte de Santander","ADM1_EN":"Norte de Santander","adm0_pcode":"CO"}"#,
            &square(-73.0, 7.0),
        ),
        feature(r#"{"ADM1_PCODE":"CO05","ADM1_REF":"Antioquia"}"#, &square(-76.0, 6.0)),
    ]);
    let areas = read_boundaries(&file, &level(1)).expect("read");
    assert_eq!(areas.len(), 2);
    let (place, first) = &areas[0];
    assert_eq!(place, "feature 1");
    assert_eq!(first.pcode.as_str(), "CO54");
    assert_eq!(first.country.as_str(), "COL");
    assert_eq!(first.parent, None);
    assert_eq!(first.names.en.as_deref(), Some("Norte de Santander"));
    // No ADM0_PCODE: the country comes from the P-code; the reference name is Spanish there.
    assert_eq!(areas[1].1.country.as_str(), "COL");
    assert_eq!(areas[1].1.names.es.as_deref(), Some("Antioquia"));

    let brazil = collection(&[feature(
        r#"{"ADM2_PCODE":"BR140010","ADM2_REF":"Boa Vista","ADM1_PCODE":"BR14","ADM0_PCODE":"BRA"}"#,
        &square(-61.0, 2.0),
    )]);
    let areas = read_boundaries(&brazil, &level(2)).expect("read");
    assert_eq!(areas[0].1.parent.as_ref().map(Pcode::as_str), Some("BR14"));
    assert_eq!(areas[0].1.names.pt.as_deref(), Some("Boa Vista"));
}

#[test]
fn every_bad_feature_is_named_and_nothing_is_returned() {
    let file = collection(&[
        feature(r#"{"ADM1_PCODE":"CO54","ADM1_ES":"Norte"}"#, &square(-73.0, 7.0)),
        feature(r#"{"ADM1_PCODE":"CO54","ADM1_ES":"Otra"}"#, &square(-72.0, 7.0)),
        feature(r#"{"ADM1_ES":"Sin código"}"#, &square(-71.0, 7.0)),
        feature(r#"{"ADM1_PCODE":"CO-9","ADM1_ES":"Mal"}"#, &square(-70.0, 7.0)),
        feature(
            r#"{"ADM1_PCODE":"CO11","ADM1_ES":"Punto"}"#,
            r#"{"type":"Point","coordinates":[1,2]}"#,
        ),
        feature(r#"{"ADM1_PCODE":"CO13","ADM1_ES":"Lejos"}"#, &square(-273.0, 7.0)),
        feature(r#"{"ADM1_PCODE":"CO15"}"#, &square(-74.0, 5.0)),
        feature(r#"{"ADM1_PCODE":"XX15","ADM1_ES":"Nadie"}"#, &square(-74.0, 5.0)),
        feature(r#"{"ADM1_PCODE":"CO17","ADM1_ES":"Nulo"}"#, "null"),
        feature(
            r#"{"ADM1_PCODE":"CO18","ADM1_ES":"Roto"}"#,
            r#"{"type":"Polygon","coordinates":"abc"}"#,
        ),
        r#"{"type":"Point","coordinates":[0,0]}"#.to_owned(),
        feature(
            r#"{"ADM1_PCODE":"CO19","ADM1_ES":"Otro país","ADM0_PCODE":"ZZ"}"#,
            &square(-74.0, 5.0),
        ),
    ]);
    let listed = problems(&file, &level(1));
    let expect = [
        "feature 2 (properties.ADM1_PCODE): P-code CO54 is already used by feature 1",
        "feature 3 (properties.ADM1_PCODE): missing",
        "feature 4 (properties.ADM1_PCODE): 'CO-9' is not a P-code",
        "feature 5 (geometry): a boundary must be a Polygon or MultiPolygon, not a Point",
        "feature 6 (geometry): latitude 7 / longitude -273 is not a position on Earth",
        "feature 7 (properties): no name",
        "feature 8 (properties.ADM0_PCODE): missing",
        "feature 9 (geometry): missing",
        "feature 10 (geometry): not a GeoJSON geometry",
        "feature 11: expected a Feature, found Point",
        "feature 12 (properties.ADM0_PCODE): 'ZZ' is not a country Rumbo knows",
    ];
    for (i, wanted) in expect.iter().enumerate() {
        assert!(
            listed.iter().any(|p| p.starts_with(wanted)),
            "{i}: {wanted} not in {listed:#?}"
        );
    }
    assert_eq!(listed.len(), expect.len(), "{listed:#?}");
}

#[test]
fn levels_parents_and_the_chosen_country_are_checked() {
    let orphan = collection(&[feature(
        r#"{"ADM2_PCODE":"CO54001","ADM2_ES":"Cúcuta"}"#,
        &square(-73.0, 7.0),
    )]);
    assert!(problems(&orphan, &level(2))[0].starts_with("feature 1 (properties.ADM1_PCODE): missing: a level-2 area"));

    let peru = collection(&[feature(
        r#"{"ADM1_PCODE":"PE15","ADM1_ES":"Lima","ADM0_PCODE":"PE"}"#,
        &square(-77.0, -12.0),
    )]);
    let as_colombia = BoundaryOptions {
        country: Some(Iso3::parse("COL").expect("iso3")),
        ..level(1)
    };
    assert_eq!(
        problems(&peru, &as_colombia),
        ["feature 1 (properties.ADM0_PCODE): the area is in PER, but the file is being imported for COL"]
    );

    let exported_level_2 = collection(&[feature(
        r#"{"ADM1_PCODE":"CO54","ADM2_PCODE":"CO54001","ADM2_ES":"Cúcuta","admin_level":2}"#,
        &square(-73.0, 7.0),
    )]);
    assert!(problems(&exported_level_2, &level(1))[0].contains("level-2 area"));
}

#[test]
fn files_that_are_not_feature_collections() {
    let cases: Vec<(Vec<u8>, &str)> = vec![
        (b"".to_vec(), "file: the file is empty"),
        (
            b"{\"type\":\"FeatureCollection\",\"features\":[".to_vec(),
            "line 1, column 40: the file ends too early",
        ),
        (
            b"{\"type\": \"FeatureCollection\",\n \"features\": [}".to_vec(),
            "line 2, column 15: not valid JSON",
        ),
        (b"[1, 2]".to_vec(), "file: expected a GeoJSON FeatureCollection"),
        (
            br#"{"type":1}"#.to_vec(),
            "line 1, column 9: the file is JSON but not a GeoJSON FeatureCollection",
        ),
        (
            br#"{"type":"Feature","properties":{},"geometry":null}"#.to_vec(),
            "file: expected a GeoJSON FeatureCollection, found a Feature",
        ),
        (
            br#"{"type":"FeatureCollection","features":[]}"#.to_vec(),
            "file: the FeatureCollection has no features",
        ),
        (
            b"{\"type\":\"FeatureCollection\",\"name\":\"Boyac\xe1\"}".to_vec(),
            "line 1, byte 41: the file is not UTF-8",
        ),
    ];
    for (bytes, wanted) in cases {
        let listed = problems(&bytes, &level(1));
        assert!(listed[0].starts_with(wanted), "{wanted}: {listed:?}");
    }
}

#[test]
fn hostile_inputs_are_refused_without_panicking() {
    // Nested far deeper than any geometry: refused, whether broken or well-formed, and the
    // geometry's own parse stops at serde_json's recursion limit.
    let nested = |inner: &str| {
        format!(
            r#"{{"type":"FeatureCollection","features":[{{"type":"Feature","properties":{{"ADM1_PCODE":"CO54","ADM1_ES":"x"}},"geometry":{inner}}}]}}"#
        )
    };
    let broken = nested(&"[".repeat(100_000));
    assert!(problems(broken.as_bytes(), &level(1))[0].contains("not valid JSON"));
    let deep = nested(&format!(
        r#"{{"type":"Polygon","coordinates":{}{}}}"#,
        "[".repeat(50_000),
        "]".repeat(50_000)
    ));
    let listed = problems(deep.as_bytes(), &level(1));
    assert!(listed[0].contains("recursion limit"), "{listed:?}");

    let huge = collection(&[feature(
        r#"{"ADM1_PCODE":"CO54","ADM1_ES":"x"}"#,
        r#"{"type":"Polygon","coordinates":[[[1e400,0],[1,0],[1,1],[1e400,0]]]}"#,
    )]);
    assert!(
        problems(&huge, &level(1))[0].contains("number out of range"),
        "{:?}",
        problems(&huge, &level(1))
    );

    let short = collection(&[feature(
        r#"{"ADM1_PCODE":"CO54","ADM1_ES":"x"}"#,
        r#"{"type":"Polygon","coordinates":[[[1],[2],[3],[1]]]}"#,
    )]);
    assert!(problems(&short, &level(1))[0].contains("longitude and a latitude"));

    let strange = collection(&[feature(
        r#"{"ADM1_PCODE":["CO54"],"ADM1_ES":{"a":1}}"#,
        &square(0.0, 0.0),
    )]);
    let listed = problems(&strange, &level(1));
    assert!(
        listed
            .iter()
            .any(|p| p == "feature 1 (properties.ADM1_PCODE): must be text"),
        "{listed:?}"
    );

    let long_name = collection(&[feature(
        &format!(r#"{{"ADM1_PCODE":"CO54","ADM1_ES":"{}"}}"#, "x".repeat(300)),
        &square(-73.0, 7.0),
    )]);
    assert!(problems(&long_name, &level(1))[0].contains("longer than 200"));
}
