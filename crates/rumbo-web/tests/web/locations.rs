//! Locations through the API: who may create, edit, retire and import them where; field-by-field
//! refusals; resolution to admin areas after a boundary import; exports that import again.

use serde_json::{Value, json};

use super::geography::{colombia_adm1, colombia_adm2, import_colombia, upload};
use super::helpers::{TestApp, error_code, spawn_app};

fn bridge() -> Value {
    json!({
        "code": "COL-CUC-SB",
        "name": "Puente Internacional Simón Bolívar",
        "kind": "border_crossing",
        "country": "COL",
        "lat": 7.5,
        "lon": -72.5
    })
}

async fn post(app: &TestApp, who: &str, body: &Value) -> reqwest::Response {
    app.api(who)
        .post(app.url("/api/v1/locations"))
        .json(body)
        .send()
        .await
        .expect("request")
}

async fn json(response: reqwest::Response) -> Value {
    response.json().await.expect("JSON body")
}

async fn location_count(app: &TestApp) -> i64 {
    let response = app
        .api("admin")
        .get(app.url("/api/v1/locations?include_inactive=true"))
        .send()
        .await
        .expect("list");
    json(response).await["total"].as_i64().expect("total")
}

#[tokio::test]
async fn im_officers_manage_locations_of_their_countries_only() {
    let app = spawn_app().await;
    let created = post(&app, "im_col", &bridge()).await;
    assert_eq!(created.status(), 201);
    let created = json(created).await;
    let id = created["id"].as_i64().expect("id");
    assert_eq!(created["code"], "COL-CUC-SB");

    let mut in_peru = bridge();
    in_peru["code"] = json!("PER-TUM-01");
    in_peru["country"] = json!("PER");
    assert_eq!(post(&app, "im_col", &in_peru).await.status(), 403);
    for who in ["viewer", "enumerator", "manager", "protection"] {
        let refused = post(&app, who, &in_peru).await;
        assert_eq!(refused.status(), 403, "{who}");
        assert_eq!(error_code(refused).await, "forbidden");
    }
    let anonymous = app
        .anonymous()
        .post(app.url("/api/v1/locations"))
        .json(&bridge())
        .send()
        .await
        .expect("request");
    assert_eq!(anonymous.status(), 401);
    assert_eq!(post(&app, "im_per", &in_peru).await.status(), 201);

    let url = app.url(&format!("/api/v1/locations/{id}"));
    let mut edit = bridge();
    edit["name"] = json!("Puente Simón Bolívar");
    edit["organisation_id"] = json!(app.account("im_col").organisation_id);
    let refused = app.api("im_per").put(&url).json(&edit).send().await.expect("request");
    assert_eq!(
        refused.status(),
        403,
        "an IM officer of Peru cannot edit a Colombian location"
    );
    let mut moved = edit.clone();
    moved["country"] = json!("PER");
    let refused = app.api("im_col").put(&url).json(&moved).send().await.expect("request");
    assert_eq!(refused.status(), 403, "nor can Colombia's move it to Peru");
    let saved = app.api("im_col").put(&url).json(&edit).send().await.expect("request");
    assert_eq!(saved.status(), 200);
    let saved = json(saved).await;
    assert_eq!(
        (saved["organisation"].as_str(), saved["organisation_id"].as_i64()),
        (Some("IOM"), Some(app.organisations["IOM"]))
    );

    // Retire first; only then may it be deleted.
    let refused = app.api("im_col").delete(&url).send().await.expect("request");
    assert_eq!(refused.status(), 409);
    edit["active"] = json!(false);
    let retired = json(app.api("im_col").put(&url).json(&edit).send().await.expect("request")).await;
    assert_eq!(retired["active"], false);
    let listed = json(
        app.api("viewer")
            .get(app.url("/api/v1/locations?country=COL"))
            .send()
            .await
            .expect("list"),
    )
    .await;
    assert_eq!(listed["total"], 0, "retired locations leave lists");
    assert_eq!(
        app.api("viewer").delete(&url).send().await.expect("request").status(),
        403
    );
    assert_eq!(
        app.api("im_col").delete(&url).send().await.expect("request").status(),
        204
    );
    assert_eq!(app.api("viewer").get(&url).send().await.expect("request").status(), 404);
    let not_an_id = app
        .api("viewer")
        .get(app.url("/api/v1/locations/abc"))
        .send()
        .await
        .expect("request");
    assert_eq!(not_an_id.status(), 404);
    assert_eq!(error_code(not_an_id).await, "not_found");
}

#[tokio::test]
async fn bad_locations_are_refused_field_by_field() {
    let app = spawn_app().await;
    let mut bad = bridge();
    bad["code"] = json!("COL CUC");
    bad["kind"] = json!("airport");
    bad["lat"] = json!(95.0);
    let response = post(&app, "im_col", &bad).await;
    assert_eq!(response.status(), 422);
    let body = json(response).await;
    assert_eq!(body["error"]["code"], "rejected");
    let places: Vec<&str> = body["error"]["problems"]
        .as_array()
        .expect("problems")
        .iter()
        .filter_map(|p| p["where"].as_str())
        .collect();
    assert_eq!(places, ["code", "kind", "lat"]);

    let mut unknown = bridge();
    unknown["country"] = json!("XYZ");
    let response = post(&app, "admin", &unknown).await;
    assert_eq!(response.status(), 422);
    assert_eq!(json(response).await["error"]["problems"][0]["where"], "country");

    let not_json = app
        .api("im_col")
        .post(app.url("/api/v1/locations"))
        .header("content-type", "application/json")
        .body("{\"code\": ")
        .send()
        .await
        .expect("request");
    assert!(not_json.status().is_client_error());
    let missing_field = post(&app, "im_col", &json!({"code": "A1"})).await;
    assert_eq!(missing_field.status(), 422);

    assert_eq!(post(&app, "im_col", &bridge()).await.status(), 201);
    let duplicate = post(&app, "im_col", &bridge()).await;
    assert_eq!(duplicate.status(), 409);
    assert_eq!(error_code(duplicate).await, "conflict");
    let mut no_such_org = bridge();
    no_such_org["code"] = json!("COL-CUC-02");
    no_such_org["organisation_id"] = json!(999_999);
    assert_eq!(post(&app, "im_col", &no_such_org).await.status(), 404);
    assert_eq!(location_count(&app).await, 1);
}

#[tokio::test]
async fn a_location_is_resolved_to_its_admin_areas_after_a_boundary_import() {
    let app = spawn_app().await;
    let created = json(post(&app, "im_col", &bridge()).await).await;
    assert_eq!(created["adm1"], Value::Null, "no boundaries yet");
    let url = app.url(&format!("/api/v1/locations/{}", created["id"]));

    let response = upload(
        &app,
        "im_col",
        "/api/v1/admin-areas/import",
        colombia_adm1(),
        "adm1.geojson",
        &[("level", "1")],
    )
    .await;
    assert_eq!(json(response).await["locations_resolved"], 1);
    let resolved = json(app.api("viewer").get(&url).send().await.expect("get")).await;
    assert_eq!(
        (resolved["adm1"].as_str(), resolved["adm2"].as_str()),
        (Some("CO54"), None)
    );

    let response = upload(
        &app,
        "im_col",
        "/api/v1/admin-areas/import",
        colombia_adm2(),
        "adm2.geojson",
        &[("level", "2")],
    )
    .await;
    assert_eq!(json(response).await["locations_resolved"], 1);
    let resolved = json(app.api("viewer").get(&url).send().await.expect("get")).await;
    assert_eq!(resolved["adm2"], "CO54001");

    let inside = json(
        app.api("viewer")
            .get(app.url("/api/v1/locations?admin_area=CO54001"))
            .send()
            .await
            .expect("list"),
    )
    .await;
    assert_eq!(inside["total"], 1);
    let detail = json(
        app.api("viewer")
            .get(app.url("/api/v1/admin-areas/CO54"))
            .send()
            .await
            .expect("area"),
    )
    .await;
    assert_eq!(detail["locations"], 1);
    let layer = json(
        app.api("viewer")
            .get(app.url("/api/v1/locations/geojson?country=COL"))
            .send()
            .await
            .expect("layer"),
    )
    .await;
    assert_eq!(layer["features"][0]["geometry"]["coordinates"], json!([-72.5, 7.5]));
    assert_eq!(layer["features"][0]["properties"]["adm2_pcode"], "CO54001");
}

const LIST: &str = "code;name;type;country;lat;lon;organisation;notes\n\
                    #loc+code;#loc+name;#loc+type;#country+code;#geo+lat;#geo+lon;#org+acronym;#description\n\
                    COL-CUC-SB;Puente Simón Bolívar;border crossing;CO;7,5;-72,5;iom;\n\
                    COL-CUC-FMP;Terminal de Cúcuta;flow monitoring point;COL;7,9;-72,6;;Lunes a sábado\n";

#[tokio::test]
async fn location_lists_import_whole_or_not_at_all() {
    let app = spawn_app().await;
    import_colombia(&app).await;
    let path = "/api/v1/locations/import";
    let response = upload(&app, "im_col", path, LIST.as_bytes().to_vec(), "puntos.csv", &[]).await;
    assert_eq!(response.status(), 200);
    assert_eq!(json(response).await, json!({"created": 2, "updated": 0}));
    let again = upload(&app, "im_col", path, LIST.as_bytes().to_vec(), "puntos.csv", &[]).await;
    assert_eq!(
        json(again).await,
        json!({"created": 0, "updated": 2}),
        "known codes are replaced"
    );
    let bridge = json(
        app.api("viewer")
            .get(app.url("/api/v1/locations?q=SB"))
            .send()
            .await
            .expect("list"),
    )
    .await;
    assert_eq!(bridge["items"][0]["adm2"], "CO54001");
    assert_eq!(bridge["items"][0]["organisation"], "IOM");

    let header = "code,name,kind,country,lat,lon,organisation\n";
    let cases: Vec<(Vec<u8>, &str, &str)> = vec![
        (
            b"code,name,country\nA1,Uno,COL\n".to_vec(),
            "header",
            "the column 'kind' is missing",
        ),
        (
            format!("{header}A1,Uno,site,COL,95,-72.5,\n").into_bytes(),
            "row 2, column lat",
            "not a latitude on Earth",
        ),
        (
            format!("{header}A1,Uno,airport,COL,7.5,-72.5,\n").into_bytes(),
            "row 2, column kind",
            "'airport'",
        ),
        (
            format!("{header}A1,Uno,site,COL,7.5,-72.5,\nA1,Dos,site,COL,7.5,-72.5,\n").into_bytes(),
            "row 3, column code",
            "already at row 2",
        ),
        (
            format!("{header}A1,Uno,site,COL,7.5,-72.5,NOPE\n").into_bytes(),
            "row 2, column organisation",
            "'NOPE'",
        ),
        (
            format!("{header}A1,Uno,site,XX,7.5,-72.5,\n").into_bytes(),
            "row 2, column country",
            "'XX'",
        ),
        (
            format!("{header}A1,Bogot\u{e1},site,COL,7.5,-72.5,\n")
                .into_bytes()
                .into_iter()
                .map(|b| if b == 0xC3 { b'!' } else { b })
                .collect(),
            "line 2, byte",
            "not UTF-8",
        ),
        (Vec::new(), "file", "empty"),
    ];
    for (file, place, problem) in cases {
        let response = upload(&app, "im_col", path, file, "lista.csv", &[]).await;
        assert_eq!(response.status(), 422);
        let body = json(response).await;
        let first = &body["error"]["problems"][0];
        assert!(
            first["where"].as_str().is_some_and(|w| w.starts_with(place)),
            "{place}: {body}"
        );
        assert!(
            first["problem"].as_str().is_some_and(|p| p.contains(problem)),
            "{problem}: {body}"
        );
    }

    // A row in Peru, or a row that would take over a Peruvian location: not for Colombia's IM.
    let peru = format!("{header}PER-TUM-01,CEBAF,site,PER,-3.5,-80.4,\n");
    let refused = upload(&app, "im_col", path, peru.clone().into_bytes(), "lista.csv", &[]).await;
    assert_eq!(refused.status(), 403);
    assert_eq!(
        upload(&app, "im_per", path, peru.into_bytes(), "lista.csv", &[])
            .await
            .status(),
        200
    );
    let takeover = format!("{header}PER-TUM-01,CEBAF,site,COL,7.5,-72.5,\n");
    assert_eq!(
        upload(&app, "im_col", path, takeover.into_bytes(), "lista.csv", &[])
            .await
            .status(),
        403
    );
    for who in ["viewer", "enumerator"] {
        let refused = upload(&app, who, path, LIST.as_bytes().to_vec(), "puntos.csv", &[]).await;
        assert_eq!(refused.status(), 403, "{who}");
    }
    assert_eq!(location_count(&app).await, 3, "nothing of the refused files was stored");
}

#[tokio::test]
async fn the_openapi_document_describes_geography_and_locations() {
    let app = spawn_app().await;
    let doc = json(reqwest::get(app.url("/api/v1/openapi.json")).await.expect("doc")).await;
    for path in [
        "/countries",
        "/admin-areas",
        "/admin-areas/{pcode}",
        "/admin-areas/geojson",
        "/admin-areas/import",
        "/admin-areas/export",
        "/locations",
        "/locations/{id}",
        "/locations/geojson",
        "/locations/import",
        "/locations/export",
    ] {
        assert!(doc["paths"][path].is_object(), "{path} is documented");
    }
    assert!(doc["paths"]["/admin-areas/import"]["post"]["requestBody"]["content"]["multipart/form-data"].is_object());
}

#[tokio::test]
async fn location_exports_import_again_and_are_audited() {
    let app = spawn_app().await;
    import_colombia(&app).await;
    upload(
        &app,
        "im_col",
        "/api/v1/locations/import",
        LIST.as_bytes().to_vec(),
        "puntos.csv",
        &[],
    )
    .await;

    let csv = app
        .api("enumerator")
        .get(app.url("/api/v1/locations/export?country=COL"))
        .send()
        .await
        .expect("export");
    assert_eq!(
        csv.headers()["content-disposition"],
        "attachment; filename=\"locations-COL.csv\""
    );
    let csv = csv.bytes().await.expect("body").to_vec();
    let text = String::from_utf8(csv.clone()).expect("utf-8");
    assert!(
        text.lines()
            .nth(1)
            .is_some_and(|l| l.starts_with("#loc+code,#loc+name,#loc+type,#country+code,#geo+lat,#geo+lon,#adm1+code")),
        "{text}"
    );
    assert!(
        text.contains("COL-CUC-SB,Puente Simón Bolívar,border_crossing,COL,7.5,-72.5,CO54,CO54001,,IOM,,yes"),
        "{text}"
    );

    let other = spawn_app().await;
    let response = upload(&other, "im_col", "/api/v1/locations/import", csv, "export.csv", &[]).await;
    assert_eq!(json(response).await, json!({"created": 2, "updated": 0}));

    let geojson = json(
        app.api("viewer")
            .get(app.url("/api/v1/locations/export?format=geojson"))
            .send()
            .await
            .expect("export"),
    )
    .await;
    assert_eq!(geojson["features"].as_array().map(Vec::len), Some(2));
    let entries = app
        .store
        .audit_entries(
            &rumbo_store::audit::AuditQuery {
                action: Some(rumbo_domain::audit::AuditAction::Export),
                entity: Some(rumbo_domain::audit::Entity::Location),
                ..Default::default()
            },
            rumbo_store::Page::default(),
        )
        .await
        .expect("audit")
        .0;
    assert_eq!(entries.len(), 2);
}

/// The location pages, as people use them.
pub mod pages;
