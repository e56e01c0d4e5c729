//! Countries and admin areas through the API: imports of boundaries and P-code lists (whole or
//! not at all, every problem with where), who may import where, browsing, map layers, exports.

use reqwest::multipart::{Form, Part};
use serde_json::{Value, json};

use super::helpers::{TestApp, error_code, spawn_app, spawn_app_with};

/// A square boundary as a GeoJSON geometry.
pub fn square(x: f64, y: f64, size: f64) -> String {
    format!(
        r#"{{"type":"Polygon","coordinates":[[[{x},{y}],[{x1},{y}],[{x1},{y1}],[{x},{y1}],[{x},{y}]]]}}"#,
        x1 = x + size,
        y1 = y + size
    )
}

pub fn feature(properties: Value, geometry: &str) -> String {
    format!(r#"{{"type":"Feature","properties":{properties},"geometry":{geometry}}}"#)
}

pub fn collection(features: &[String]) -> Vec<u8> {
    format!(r#"{{"type":"FeatureCollection","features":[{}]}}"#, features.join(",")).into_bytes()
}

/// Norte de Santander (around Cúcuta) and Atlántico, as COD-AB writes them.
pub fn colombia_adm1() -> Vec<u8> {
    collection(&[
        feature(
            json!({"ADM0_PCODE": "CO", "ADM1_PCODE": "CO54", "ADM1_ES": "Norte de Santander"}),
            &square(-73.0, 7.0, 2.0),
        ),
        feature(
            json!({"ADM0_PCODE": "CO", "ADM1_PCODE": "CO08", "ADM1_ES": "Atlántico"}),
            &square(-75.0, 10.0, 1.0),
        ),
    ])
}

/// Cúcuta and Villa del Rosario, in Norte de Santander.
pub fn colombia_adm2() -> Vec<u8> {
    collection(&[
        feature(
            json!({"ADM1_PCODE": "CO54", "ADM2_PCODE": "CO54001", "ADM2_ES": "Cúcuta"}),
            &square(-73.0, 7.0, 1.0),
        ),
        feature(
            json!({"ADM1_PCODE": "CO54", "ADM2_PCODE": "CO54874", "ADM2_ES": "Villa del Rosario"}),
            &square(-72.0, 7.0, 1.0),
        ),
    ])
}

pub fn peru_adm1() -> Vec<u8> {
    collection(&[feature(
        json!({"ADM0_PCODE": "PE", "ADM1_PCODE": "PE15", "ADM1_ES": "Lima"}),
        &square(-77.5, -12.5, 1.0),
    )])
}

/// Posts `bytes` as the `file` of a multipart form, with `fields`, as `who` (an API token).
pub async fn upload(
    app: &TestApp,
    who: &str,
    path: &str,
    bytes: Vec<u8>,
    file_name: &str,
    fields: &[(&str, &str)],
) -> reqwest::Response {
    let mut form = Form::new().part("file", Part::bytes(bytes).file_name(file_name.to_owned()));
    for (name, value) in fields {
        form = form.text(name.to_string(), value.to_string());
    }
    app.api(who)
        .post(app.url(path))
        .multipart(form)
        .send()
        .await
        .expect("upload")
}

/// Imports Colombia's departments and the two municipalities, as im_col.
pub async fn import_colombia(app: &TestApp) {
    for (file, level) in [(colombia_adm1(), "1"), (colombia_adm2(), "2")] {
        let response = upload(
            app,
            "im_col",
            "/api/v1/admin-areas/import",
            file,
            "col.geojson",
            &[("level", level)],
        )
        .await;
        assert_eq!(response.status(), 200, "{}", response.text().await.unwrap_or_default());
    }
}

async fn json(response: reqwest::Response) -> Value {
    response.json().await.expect("JSON body")
}

async fn get(app: &TestApp, who: &str, path: &str) -> Value {
    let response = app.api(who).get(app.url(path)).send().await.expect("request");
    assert_eq!(response.status(), 200, "GET {path}");
    json(response).await
}

async fn area_count(app: &TestApp) -> i64 {
    get(app, "admin", "/api/v1/admin-areas").await["total"]
        .as_i64()
        .expect("total")
}

#[tokio::test]
async fn boundaries_imported_for_a_country_are_browsed_by_everyone_signed_in() {
    let app = spawn_app().await;
    let response = upload(
        &app,
        "im_col",
        "/api/v1/admin-areas/import",
        colombia_adm1(),
        "col_adm1.geojson",
        &[("level", "1")],
    )
    .await;
    assert_eq!(response.status(), 200);
    assert_eq!(
        json(response).await,
        json!({"created": 2, "updated": 0, "locations_resolved": 0})
    );
    let response = upload(
        &app,
        "im_col",
        "/api/v1/admin-areas/import",
        colombia_adm2(),
        "col_adm2.geojson",
        &[("level", "2"), ("country", "COL")],
    )
    .await;
    assert_eq!(json(response).await["created"], 2);

    let countries = get(&app, "viewer", "/api/v1/countries").await;
    let col = countries
        .as_array()
        .expect("list")
        .iter()
        .find(|c| c["iso3"] == "COL")
        .expect("COL")
        .clone();
    assert_eq!(col["admin_areas"], json!([2, 2, 0]));
    assert_eq!(col["name"], "Colombia");

    let municipalities = get(&app, "enumerator", "/api/v1/admin-areas?country=COL&level=2&q=rosario").await;
    assert_eq!(municipalities["total"], 1);
    assert_eq!(municipalities["items"][0]["pcode"], "CO54874");
    assert_eq!(municipalities["items"][0]["parent"], "CO54");
    let children = get(&app, "viewer_per", "/api/v1/admin-areas?parent=CO54&limit=1").await;
    assert_eq!(
        (children["total"].as_i64(), children["items"].as_array().map(Vec::len)),
        (Some(2), Some(1))
    );

    let detail = get(&app, "viewer", "/api/v1/admin-areas/co54").await;
    assert_eq!(detail["name"], "Norte de Santander");
    assert_eq!(detail["children"], 2);
    assert_eq!(detail["bbox"], json!([-73.0, 7.0, -71.0, 9.0]));
    let missing = app
        .api("viewer")
        .get(app.url("/api/v1/admin-areas/CO99"))
        .send()
        .await
        .expect("request");
    assert_eq!(missing.status(), 404);

    let layer = app
        .api("viewer")
        .get(app.url("/api/v1/admin-areas/geojson?country=COL&level=1"))
        .send()
        .await
        .expect("layer");
    assert_eq!(layer.headers()["content-type"], "application/geo+json");
    let layer = json(layer).await;
    assert_eq!(layer["type"], "FeatureCollection");
    assert_eq!(layer["features"].as_array().map(Vec::len), Some(2));
    assert_eq!(layer["features"][1]["properties"]["ADM1_PCODE"], "CO54");

    let anonymous = app
        .anonymous()
        .get(app.url("/api/v1/countries"))
        .send()
        .await
        .expect("request");
    assert_eq!(anonymous.status(), 401);
    let anonymous = app
        .anonymous()
        .get(app.url("/api/v1/admin-areas/geojson"))
        .send()
        .await
        .expect("request");
    assert_eq!(anonymous.status(), 401);
}

#[tokio::test]
async fn im_officers_import_only_their_countries_and_field_roles_not_at_all() {
    let app = spawn_app().await;
    let path = "/api/v1/admin-areas/import";
    let refused = upload(&app, "im_col", path, peru_adm1(), "per.geojson", &[("level", "1")]).await;
    assert_eq!(refused.status(), 403);
    assert_eq!(error_code(refused).await, "forbidden");
    let refused = upload(
        &app,
        "im_col",
        path,
        peru_adm1(),
        "per.geojson",
        &[("level", "1"), ("country", "PER")],
    )
    .await;
    assert_eq!(refused.status(), 403);
    // Declaring the file as Colombian does not help: its areas say they are in Peru.
    let refused = upload(
        &app,
        "im_col",
        path,
        peru_adm1(),
        "per.geojson",
        &[("level", "1"), ("country", "COL")],
    )
    .await;
    assert_eq!(refused.status(), 422);
    for who in ["viewer", "enumerator", "manager", "protection"] {
        let refused = upload(&app, who, path, colombia_adm1(), "col.geojson", &[("level", "1")]).await;
        assert_eq!(refused.status(), 403, "{who}");
    }
    let anonymous = app
        .anonymous()
        .post(app.url(path))
        .multipart(Form::new().part("file", Part::bytes(colombia_adm1())))
        .send()
        .await
        .expect("request");
    assert_eq!(anonymous.status(), 401);
    assert_eq!(area_count(&app).await, 0, "nothing stored");

    let accepted = upload(&app, "im_per", path, peru_adm1(), "per.geojson", &[("level", "1")]).await;
    assert_eq!(accepted.status(), 200);
    let accepted = upload(&app, "admin", path, colombia_adm1(), "col.geojson", &[("level", "1")]).await;
    assert_eq!(accepted.status(), 200);
}

/// Each kind of bad file: the status, the code, and where the first problem is.
#[tokio::test]
async fn every_bad_boundary_file_is_refused_with_where_and_nothing_is_stored() {
    let app = spawn_app().await;
    let good = |props: Value| feature(props, &square(-73.0, 7.0, 1.0));
    let deep = format!(
        r#"{{"type":"FeatureCollection","features":[{}]}}"#,
        feature(
            json!({"ADM1_PCODE": "CO54", "ADM1_ES": "x"}),
            &format!(
                r#"{{"type":"Polygon","coordinates":{}{}}}"#,
                "[".repeat(5000),
                "]".repeat(5000)
            )
        )
    );
    type Case<'a> = (&'a str, Vec<u8>, Vec<(&'a str, &'a str)>, u16, &'a str, &'a str);
    let cases: Vec<Case> = vec![
        (
            "malformed JSON",
            b"{\"type\": \"FeatureCollection\", \"features\": [,]}".to_vec(),
            vec![("level", "1")],
            422,
            "rejected",
            "line 1, column 44",
        ),
        (
            "a point",
            collection(&[feature(
                json!({"ADM1_PCODE": "CO54", "ADM1_ES": "x"}),
                r#"{"type":"Point","coordinates":[-72.5,7.5]}"#,
            )]),
            vec![("level", "1")],
            422,
            "rejected",
            "feature 1 (geometry)",
        ),
        (
            "unknown parent",
            collection(&[good(
                json!({"ADM1_PCODE": "CO99", "ADM2_PCODE": "CO99001", "ADM2_ES": "x"}),
            )]),
            vec![("level", "2")],
            422,
            "rejected",
            "feature 1 (CO99001)",
        ),
        (
            "duplicate P-code",
            collection(&[
                good(json!({"ADM1_PCODE": "CO54", "ADM1_ES": "x"})),
                good(json!({"ADM1_PCODE": "co54", "ADM1_ES": "y"})),
            ]),
            vec![("level", "1")],
            422,
            "rejected",
            "feature 2 (properties.ADM1_PCODE)",
        ),
        (
            "no P-code",
            collection(&[good(json!({"ADM1_ES": "x"}))]),
            vec![("level", "1")],
            422,
            "rejected",
            "feature 1 (properties.ADM1_PCODE)",
        ),
        (
            "bad P-code",
            collection(&[good(json!({"ADM1_PCODE": "54", "ADM1_ES": "x"}))]),
            vec![("level", "1")],
            422,
            "rejected",
            "feature 1 (properties.ADM1_PCODE)",
        ),
        (
            "off Earth",
            collection(&[feature(
                json!({"ADM1_PCODE": "CO54", "ADM1_ES": "x"}),
                &square(-73.0, 95.0, 1.0),
            )]),
            vec![("level", "1")],
            422,
            "rejected",
            "feature 1 (geometry)",
        ),
        (
            "unknown country",
            collection(&[good(json!({"ADM0_PCODE": "ZZ", "ADM1_PCODE": "CO54", "ADM1_ES": "x"}))]),
            vec![("level", "1")],
            422,
            "rejected",
            "feature 1 (properties.ADM0_PCODE)",
        ),
        (
            "not UTF-8",
            b"{\"type\":\"FeatureCollection\",\"name\":\"Boyac\xe1\",\"features\":[]}".to_vec(),
            vec![("level", "1")],
            422,
            "rejected",
            "line 1, byte 41",
        ),
        ("empty", Vec::new(), vec![("level", "1")], 422, "rejected", "file"),
        (
            "deeply nested",
            deep.into_bytes(),
            vec![("level", "1")],
            422,
            "rejected",
            "feature 1 (geometry)",
        ),
        ("no level", colombia_adm1(), vec![], 422, "rejected", "level"),
        ("level 7", colombia_adm1(), vec![("level", "7")], 422, "invalid", ""),
        (
            "a shapefile",
            colombia_adm1(),
            vec![("level", "1"), ("format", "shp")],
            422,
            "invalid",
            "",
        ),
        (
            "unknown chosen country",
            colombia_adm1(),
            vec![("level", "1"), ("country", "XX1")],
            422,
            "invalid",
            "",
        ),
    ];
    for (what, bytes, fields, status, code, place) in cases {
        let response = upload(
            &app,
            "admin",
            "/api/v1/admin-areas/import",
            bytes,
            "upload.geojson",
            &fields,
        )
        .await;
        assert_eq!(response.status().as_u16(), status, "{what}");
        let body = json(response).await;
        assert_eq!(body["error"]["code"], code, "{what}: {body}");
        if !place.is_empty() {
            assert_eq!(body["error"]["problems"][0]["where"], place, "{what}: {body}");
        }
    }

    let not_multipart = app
        .api("admin")
        .post(app.url("/api/v1/admin-areas/import"))
        .json(&json!({"level": 1}))
        .send()
        .await
        .expect("request");
    assert_eq!(not_multipart.status(), 400);
    assert_eq!(error_code(not_multipart).await, "bad_request");
    let no_file = app
        .api("admin")
        .post(app.url("/api/v1/admin-areas/import"))
        .multipart(Form::new().text("level", "1"))
        .send()
        .await
        .expect("request");
    assert_eq!(error_code(no_file).await, "invalid");
    assert_eq!(area_count(&app).await, 0, "nothing half-imported");
}

#[tokio::test]
async fn oversized_uploads_get_413_and_nothing_is_stored() {
    let app = spawn_app_with(rumbo_web::ServerConfig {
        max_body_bytes: 16 * 1024,
        ..Default::default()
    })
    .await;
    let mut big = colombia_adm1();
    big.extend(std::iter::repeat_n(b' ', 64 * 1024));
    let response = upload(
        &app,
        "admin",
        "/api/v1/admin-areas/import",
        big,
        "big.geojson",
        &[("level", "1")],
    )
    .await;
    assert_eq!(response.status(), 413);
    assert_eq!(error_code(response).await, "too_large");
    assert_eq!(area_count(&app).await, 0);
}

#[tokio::test]
async fn pcode_lists_import_and_bad_ones_name_row_and_column() {
    let app = spawn_app().await;
    let path = "/api/v1/admin-areas/import";
    let list = "pcode,level,parent_pcode,country,name_es,name_en,name_pt\n\
                #adm+code,,,#country+code,,,\n\
                CO54,1,,COL,Norte de Santander,,\n\
                CO54001,2,CO54,COL,Cúcuta,Cucuta,\n";
    let response = upload(&app, "im_col", path, list.as_bytes().to_vec(), "pcodes.csv", &[]).await;
    assert_eq!(response.status(), 200);
    assert_eq!(json(response).await["created"], 2);
    let detail = get(&app, "viewer", "/api/v1/admin-areas/CO54001").await;
    assert_eq!(
        (detail["names"]["en"].as_str(), detail["has_boundary"].as_bool()),
        (Some("Cucuta"), Some(false))
    );

    let cases: Vec<(&str, &str, &str)> = vec![
        ("code,nombre\nCO54,Norte\n", "header", "the column 'pcode' is missing"),
        (
            "pcode,level,country,name_es\nCO08,1,COL,Atlántico\nCO08001,dos,COL,Barranquilla\n",
            "row 3, column level",
            "'dos' is not an admin level",
        ),
        (
            "pcode,level,parent_pcode,country,name_es\nCO13001,2,CO13,COL,Cartagena\n",
            "row 2 (CO13001)",
            "unknown parent P-code CO13",
        ),
        (
            "pcode,level,country,name_es\nCO08,1,XYZ,Atlántico\n",
            "row 2, column country",
            "'XYZ' is not a country",
        ),
    ];
    for (file, place, problem) in cases {
        let response = upload(&app, "im_col", path, file.as_bytes().to_vec(), "pcodes.csv", &[]).await;
        assert_eq!(response.status(), 422, "{file}");
        let body = json(response).await;
        assert_eq!(body["error"]["problems"][0]["where"], place, "{body}");
        assert!(
            body["error"]["problems"][0]["problem"]
                .as_str()
                .is_some_and(|p| p.contains(problem)),
            "{body}"
        );
    }
    // A Peruvian list, imported as Colombian: refused before anything is stored.
    let peru = "pcode,level,country,name_es\nPE15,1,PER,Lima\n";
    let response = upload(
        &app,
        "im_col",
        path,
        peru.as_bytes().to_vec(),
        "pcodes.csv",
        &[("country", "COL")],
    )
    .await;
    assert_eq!(response.status(), 422);
    let response = upload(&app, "im_col", path, peru.as_bytes().to_vec(), "pcodes.csv", &[]).await;
    assert_eq!(response.status(), 403);
    assert_eq!(area_count(&app).await, 2);
}

#[tokio::test]
async fn exports_import_again_and_are_audited() {
    let app = spawn_app().await;
    import_colombia(&app).await;

    let csv = app
        .api("viewer")
        .get(app.url("/api/v1/admin-areas/export?format=csv&country=COL&level=2"))
        .send()
        .await
        .expect("export");
    assert_eq!(csv.status(), 200);
    assert_eq!(csv.headers()["content-type"], "text/csv; charset=utf-8");
    assert_eq!(
        csv.headers()["content-disposition"],
        "attachment; filename=\"admin-areas-COL-adm2.csv\""
    );
    let csv = csv.bytes().await.expect("body").to_vec();
    let text = String::from_utf8(csv.clone()).expect("utf-8");
    assert!(
        text.lines()
            .nth(1)
            .is_some_and(|l| l.starts_with("#country+code,#adm1+code,#adm1+name+i_es")),
        "{text}"
    );
    assert_eq!(text.lines().count(), 4, "header, hashtags, two municipalities: {text}");

    let geojson = app
        .api("viewer")
        .get(app.url("/api/v1/admin-areas/export?format=geojson&country=COL&level=2"))
        .send()
        .await
        .expect("export")
        .bytes()
        .await
        .expect("body")
        .to_vec();

    // Both import again into another Rumbo, as they are.
    let other = spawn_app().await;
    let response = upload(&other, "im_col", "/api/v1/admin-areas/import", csv, "export.csv", &[]).await;
    assert_eq!(
        json(response).await["created"],
        3,
        "the municipalities and their department"
    );
    let response = upload(
        &other,
        "im_col",
        "/api/v1/admin-areas/import",
        geojson,
        "export.geojson",
        &[("level", "2")],
    )
    .await;
    assert_eq!(
        json(response).await,
        json!({"created": 0, "updated": 2, "locations_resolved": 0})
    );
    let detail = get(&other, "viewer", "/api/v1/admin-areas/CO54001").await;
    assert_eq!(
        (detail["has_boundary"].as_bool(), detail["name"].as_str()),
        (Some(true), Some("Cúcuta"))
    );

    let entries = app
        .store
        .audit_entries(
            &rumbo_store::audit::AuditQuery {
                action: Some(rumbo_domain::audit::AuditAction::Export),
                ..Default::default()
            },
            rumbo_store::Page::default(),
        )
        .await
        .expect("audit")
        .0;
    assert_eq!(entries.len(), 2, "both exports are recorded");
    let viewer = app.account("viewer");
    assert!(
        entries
            .iter()
            .all(|e| e.user_id == Some(viewer.id) && e.username.as_deref() == Some(viewer.username.as_str()))
    );

    let bad = app
        .api("viewer")
        .get(app.url("/api/v1/admin-areas/export?format=xlsx"))
        .send()
        .await
        .expect("export");
    assert_eq!(bad.status(), 422);
}

/// The geography pages and the map, as people use them.
pub mod pages;
