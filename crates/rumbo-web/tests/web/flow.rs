//! Flow monitoring over HTTP: recording where one is assigned, imports that name every bad
//! row and let the user choose, dashboards and their exports, surveys refused without consent,
//! the protection queue for protection officers only, and no personal answer in any aggregate.

use serde_json::{Value, json};

use super::helpers::{TestApp, error_code, spawn_app};

/// Points the flow tests (and the access table) use: `COL-FM-A` (the enumerator is assigned
/// there), `COL-FM-B` (nobody is), `PER-FM-A`. Returns their ids in that order.
pub async fn seed_points(app: &TestApp) -> [i64; 3] {
    let admin = app.api("admin");
    let mut ids = [0; 3];
    for (i, (code, country, lat, lon)) in [
        ("COL-FM-A", "COL", 7.82, -72.45),
        ("COL-FM-B", "COL", 11.36, -72.13),
        ("PER-FM-A", "PER", -3.55, -80.42),
    ]
    .into_iter()
    .enumerate()
    {
        let response = admin
            .post(app.url("/api/v1/flow/points"))
            .json(&json!({
                "code": code, "name": format!("Point {code}"), "country": country, "lat": lat, "lon": lon,
                "profile": {"point_type": "official_border_crossing", "movement_types": "incoming,outgoing",
                            "days": "mon,tue,wed,thu,fri", "hours_from": "06:00", "hours_to": "18:00",
                            "services": "water,health", "institutions": "migration_authority",
                            "key_informants": "Migration officer", "active_from": "2024-01-01"}
            }))
            .send()
            .await
            .expect("create point");
        assert_eq!(
            response.status(),
            201,
            "{code}: {}",
            response.text().await.unwrap_or_default()
        );
        ids[i] = response.json::<Value>().await.expect("json")["id"]
            .as_i64()
            .expect("id");
    }
    let response = admin
        .post(app.url(&format!("/api/v1/flow/points/{}/assignments", ids[0])))
        .json(&json!({"user_id": app.account("enumerator").id}))
        .send()
        .await
        .expect("assign");
    assert_eq!(response.status(), 204);
    ids
}

/// The flow names of the access table: `{loc:CODE}` for the seeded points and `{case}` for a
/// protection case opened by a flagged interview at COL-FM-A.
pub async fn seed_access(app: &TestApp) -> Vec<(String, String)> {
    let ids = seed_points(app).await;
    let saved = post(
        app,
        "admin",
        "/api/v1/fms/interviews",
        &json!({"point": ids[0], "date": "2025-03-03", "answers": answers(true)}),
    )
    .await;
    assert_eq!(saved.status(), 201);
    let queue = get_json(app, "admin", "/api/v1/protection/cases").await;
    let case = queue["items"][0]["id"].as_i64().expect("case");
    vec![
        ("{loc:COL-FM-A}".to_owned(), ids[0].to_string()),
        ("{loc:COL-FM-B}".to_owned(), ids[1].to_string()),
        ("{loc:PER-FM-A}".to_owned(), ids[2].to_string()),
        ("{case}".to_owned(), case.to_string()),
    ]
}

fn observation(point: i64, date: &str, direction: &str, sizes: &[i64]) -> Value {
    json!({
        "point": point, "date": date, "start_time": "06:00", "hours": 12, "direction": direction,
        "groups": sizes.iter().map(|s| json!({"size": s, "nationality": "VEN", "transport": "on_foot",
            "previous_point": "San Antonio", "next_destination": "Cúcuta", "final_destination": "PER"})).collect::<Vec<_>>()
    })
}

async fn post(app: &TestApp, who: &str, path: &str, body: &Value) -> reqwest::Response {
    app.api(who)
        .post(app.url(path))
        .json(body)
        .send()
        .await
        .expect("request")
}

async fn get_json(app: &TestApp, who: &str, path: &str) -> Value {
    let response = app.api(who).get(app.url(path)).send().await.expect("request");
    assert_eq!(response.status(), 200, "{path}");
    response.json().await.expect("json")
}

#[tokio::test]
async fn enumerators_record_only_where_they_are_assigned() {
    let app = spawn_app().await;
    let [a, b, per] = seed_points(&app).await;
    let ok = post(
        &app,
        "enumerator",
        "/api/v1/flow/observations",
        &observation(a, "2025-03-03", "incoming", &[3, 2]),
    )
    .await;
    assert_eq!(ok.status(), 201);
    let report: Value = ok.json().await.expect("json");
    assert_eq!(
        (report["imported"].as_i64(), report["people"].as_i64()),
        (Some(2), Some(5))
    );
    let elsewhere = post(
        &app,
        "enumerator",
        "/api/v1/flow/observations",
        &observation(b, "2025-03-03", "incoming", &[1]),
    )
    .await;
    assert_eq!(elsewhere.status(), 403);
    let other_country = post(
        &app,
        "im_col",
        "/api/v1/flow/observations",
        &observation(per, "2025-03-03", "incoming", &[1]),
    )
    .await;
    assert_eq!(other_country.status(), 403);
    assert_eq!(
        post(
            &app,
            "im_col",
            "/api/v1/flow/observations",
            &observation(b, "2025-03-03", "outgoing", &[4])
        )
        .await
        .status(),
        201,
        "IM officers record anywhere in their country"
    );
    let twice = post(
        &app,
        "enumerator",
        "/api/v1/flow/observations",
        &observation(a, "2025-03-03", "incoming", &[3]),
    )
    .await;
    assert_eq!(twice.status(), 422, "an observation is recorded once");
    let series = get_json(&app, "viewer", "/api/v1/flow/series?interval=month&country=COL").await;
    assert_eq!(series[0]["incoming"], 5);
    assert_eq!(series[0]["outgoing"], 4);
    assert_eq!(series[0]["net"], 1);
    assert_eq!(series[0]["hours_observed"], 24);
    let hidden = get_json(&app, "viewer_per", "/api/v1/flow/series").await;
    assert_eq!(hidden, json!([]), "a viewer in Peru sees nothing of Colombia");
}

const HEADER: &str = "fmp,date,start_time,hours,direction,group_size,female_0_4,female_5_11,female_12_17,female_18_59,female_60plus,male_0_4,male_5_11,male_12_17,male_18_59,male_60plus,nationality,transport,previous_point,next_destination,final_destination\n";

fn upload(text: String, on_problems: &str) -> reqwest::multipart::Form {
    reqwest::multipart::Form::new()
        .part(
            "file",
            reqwest::multipart::Part::bytes(text.into_bytes()).file_name("counts.csv"),
        )
        .text("on_problems", on_problems.to_owned())
}

#[tokio::test]
async fn imports_name_each_bad_row_and_the_user_chooses() {
    let app = spawn_app().await;
    seed_points(&app).await;
    let file = format!(
        "{HEADER}\
         COL-FM-A,2025-03-03,06:00,12,incoming,3,0,1,0,1,0,0,0,0,1,0,VEN,bus,San Antonio,Cúcuta,PER\n\
         COL-FM-A,2025-03-03,06:00,12,incoming,-2,,,,,,,,,,,VEN,bus,,,\n\
         COL-FM-A,2025-03-04,06:00,12,incoming,4,0,1,0,1,0,0,0,0,1,0,VEN,bus,,,\n\
         NOPE,2025-03-03,06:00,12,incoming,1,,,,,,,,,,,VEN,bus,,,\n\
         COL-FM-A,2099-01-01,06:00,12,incoming,1,,,,,,,,,,,VEN,bus,,,\n\
         COL-FM-A,2023-06-01,06:00,12,incoming,1,,,,,,,,,,,VEN,bus,,,\n"
    );
    let api = app.api("im_col");
    let refused = api
        .post(app.url("/api/v1/flow/counts/import"))
        .multipart(upload(file.clone(), "reject"))
        .send()
        .await
        .expect("import");
    assert_eq!(refused.status(), 422);
    let body: Value = refused.json().await.expect("json");
    let problems: Vec<String> = body["error"]["problems"]
        .as_array()
        .expect("problems")
        .iter()
        .map(|p| {
            format!(
                "{}: {}",
                p["where"].as_str().unwrap_or(""),
                p["problem"].as_str().unwrap_or("")
            )
        })
        .collect();
    for wanted in [
        "row 3, group_size: -2 is negative",
        "row 4, group_size: the sex and age breakdown adds up to 3, not to the group size 4",
        "row 5, fmp: no flow monitoring point has the code 'NOPE'",
        "row 6, date: 2099-01-01 is in the future",
        "row 7, date: 2023-06-01 is outside the active period",
    ] {
        assert!(
            problems.iter().any(|p| p.starts_with(wanted)),
            "{wanted} not in {problems:#?}"
        );
    }
    let nothing = get_json(&app, "im_col", "/api/v1/flow/series").await;
    assert_eq!(nothing, json!([]), "nothing was half-imported");

    let kept = api
        .post(app.url("/api/v1/flow/counts/import"))
        .multipart(upload(file, "import_valid"))
        .send()
        .await
        .expect("import");
    assert_eq!(kept.status(), 200);
    let report: Value = kept.json().await.expect("json");
    assert_eq!(report["imported"], 1);
    assert_eq!(report["rejected"].as_array().map(Vec::len), Some(5));

    let wrong = api
        .post(app.url("/api/v1/flow/counts/import"))
        .multipart(upload("point,when\nA,B\n".into(), "reject"))
        .send()
        .await
        .expect("import");
    assert_eq!(wrong.status(), 422);
    let body: Value = wrong.json().await.expect("json");
    assert!(
        body["error"]["problems"][0]["problem"]
            .as_str()
            .unwrap_or("")
            .contains("is missing")
    );

    // An enumerator's file is checked against their assignments, row by row.
    let theirs = format!("{HEADER}COL-FM-B,2025-03-05,,12,incoming,1,,,,,,,,,,,VEN,,,,\n");
    let response = app
        .api("enumerator")
        .post(app.url("/api/v1/flow/counts/import"))
        .multipart(upload(theirs, "reject"))
        .send()
        .await
        .expect("import");
    assert_eq!(response.status(), 422);
}

#[tokio::test]
async fn dashboard_tables_export_as_csv_hxl_and_xlsx() {
    let app = spawn_app().await;
    let [a, _, _] = seed_points(&app).await;
    post(
        &app,
        "im_col",
        "/api/v1/flow/observations",
        &observation(a, "2025-03-03", "incoming", &[3, 2]),
    )
    .await;
    let breakdown = get_json(&app, "viewer", "/api/v1/flow/breakdown?dimension=corridor").await;
    assert_eq!(breakdown[0]["value"], "San Antonio|Cúcuta");
    for (format, content_type, starts) in [
        ("csv", "text/csv", "period_start,incoming"),
        (
            "hxl",
            "text/csv",
            "period_start,incoming,outgoing,transit,net,hours_observed\n#date+start",
        ),
        ("xlsx", "spreadsheetml", "PK"),
    ] {
        let response = app
            .api("viewer")
            .get(app.url(&format!(
                "/api/v1/flow/export?table=series&format={format}&interval=day"
            )))
            .send()
            .await
            .expect("export");
        assert_eq!(response.status(), 200);
        let ct = response.headers()["content-type"].to_str().unwrap_or("").to_owned();
        assert!(ct.contains(content_type), "{format}: {ct}");
        let bytes = response.bytes().await.expect("bytes");
        assert!(bytes.starts_with(starts.as_bytes()), "{format}");
    }
    for table in ["sex_age", "nationality", "next_destination", "points"] {
        let response = app
            .api("viewer")
            .get(app.url(&format!("/api/v1/flow/export?table={table}&format=csv")))
            .send()
            .await
            .expect("export");
        assert_eq!(response.status(), 200, "{table}");
    }
    let unknown = app
        .api("viewer")
        .get(app.url("/api/v1/flow/export?table=secrets"))
        .send()
        .await
        .expect("export");
    assert_eq!(error_code(unknown).await, "not_found");
}

fn answers(consent: bool) -> Value {
    json!({"consent": consent, "sex": "female", "age": 16, "nationality": "VEN", "separated_child": true,
           "consent_follow_up": true, "contact": "+57 300 000 0000", "needs": ["food", "legal"]})
}

#[tokio::test]
async fn surveys_need_consent_and_flagged_cases_reach_only_protection_officers() {
    let app = spawn_app().await;
    let [a, _, _] = seed_points(&app).await;
    let refused = post(
        &app,
        "enumerator",
        "/api/v1/fms/interviews",
        &json!({"point": a, "date": "2025-03-03", "answers": answers(false)}),
    )
    .await;
    assert_eq!(refused.status(), 422);
    let body: Value = refused.json().await.expect("json");
    assert_eq!(body["error"]["problems"][0]["where"], "consent");
    let saved = post(
        &app,
        "enumerator",
        "/api/v1/fms/interviews",
        &json!({"point": a, "date": "2025-03-03", "answers": answers(true)}),
    )
    .await;
    assert_eq!(saved.status(), 201);
    let saved: Value = saved.json().await.expect("json");
    assert_eq!(saved["flagged"], true);
    assert!(saved["caveat"].as_str().unwrap_or("").contains("not representative"));

    let queue = get_json(&app, "protection", "/api/v1/protection/cases").await;
    assert_eq!(queue["total"], 1);
    let case_id = queue["items"][0]["id"].as_i64().expect("case id");
    assert_eq!(queue["items"][0]["risk_flags"][0], "unaccompanied_or_separated_child");
    for who in ["im_col", "viewer", "enumerator", "im_per"] {
        let response = app
            .api(who)
            .get(app.url(&format!("/api/v1/protection/cases/{case_id}")))
            .send()
            .await
            .expect("case");
        assert_eq!(response.status(), 403, "{who}");
    }
    let case = get_json(&app, "protection", &format!("/api/v1/protection/cases/{case_id}")).await;
    assert_eq!(case["answers"]["contact"], "+57 300 000 0000");
    assert_eq!(case["openings"].as_array().map(Vec::len), Some(1));
    let case = get_json(&app, "admin", &format!("/api/v1/protection/cases/{case_id}")).await;
    let openers: Vec<&str> = case["openings"]
        .as_array()
        .expect("openings")
        .iter()
        .filter_map(|o| o["username"].as_str())
        .collect();
    assert_eq!(openers, ["admin", "protection"], "every opening, newest first");
    let followed = post(
        &app,
        "protection",
        &format!("/api/v1/protection/cases/{case_id}/follow-up"),
        &json!({"status": "referred", "note": "ICBF"}),
    )
    .await;
    assert_eq!(followed.status(), 200);
    let audit = get_json(&app, "admin", "/api/v1/audit?entity=protection_case&action=read").await;
    let reads = audit["items"].as_array().expect("items");
    let case_text = case_id.to_string();
    assert!(
        reads
            .iter()
            .any(|e| e["summary"] == "opened protection case" && e["entity_id"].as_str() == Some(case_text.as_str()))
    );

    // Aggregates: small counts hidden, the caveat everywhere, no personal answer anywhere.
    let indicators = get_json(&app, "viewer", "/api/v1/fms/indicators").await;
    assert!(
        indicators["caveat"]
            .as_str()
            .unwrap_or("")
            .contains("not representative")
    );
    let text = indicators.to_string();
    assert!(!text.contains("+57"), "a contact leaked into the indicators");
    let export = app
        .api("viewer")
        .get(app.url("/api/v1/fms/indicators/export?table=needs&format=hxl"))
        .send()
        .await
        .expect("export")
        .text()
        .await
        .expect("text");
    assert!(
        export.contains("#meta+caveat") && export.contains("not representative"),
        "{export}"
    );
    assert!(export.contains("<5") && !export.contains("+57"), "{export}");
    assert_eq!(
        app.api("viewer")
            .get(app.url("/api/v1/fms/interviews"))
            .send()
            .await
            .expect("list")
            .status(),
        403,
        "viewers never see individual interviews"
    );
    let list = get_json(&app, "im_col", "/api/v1/fms/interviews").await;
    assert_eq!(list["total"], 1);
}

#[tokio::test]
async fn the_published_official_table_imports_through_the_api() {
    let app = spawn_app().await;
    let path = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../../tests/fixtures/unhcr-americas/ven_officialfiguresborders.xlsx"
    );
    let bytes = std::fs::read(path).expect("tests/fixtures/unhcr-americas holds the published table");
    let form = || {
        reqwest::multipart::Form::new().part(
            "file",
            reqwest::multipart::Part::bytes(bytes.clone()).file_name("ven_officialfiguresborders.xlsx"),
        )
    };
    let refused = app
        .api("im_col")
        .post(app.url("/api/v1/flow/official/import"))
        .multipart(form())
        .send()
        .await
        .expect("import");
    assert_eq!(refused.status(), 403, "the file holds Ecuador and Peru too");
    let response = app
        .api("admin")
        .post(app.url("/api/v1/flow/official/import"))
        .multipart(form())
        .send()
        .await
        .expect("import");
    assert_eq!(response.status(), 200);
    let body: Value = response.json().await.expect("json");
    assert_eq!(
        (body["imported"].as_i64(), body["not_reported"].as_i64()),
        (Some(1004), Some(310)),
        "{body}"
    );
    let figures = get_json(&app, "viewer_per", "/api/v1/flow/official").await;
    assert!(figures.as_array().expect("list").iter().all(|f| f["country"] == "PER"));
}

/// The pages, as a person uses them.
mod pages;
