//! R4V over HTTP: the real 5W export imports (text repaired, rules reported), corrections are
//! audited and re-run the rules, partners reach only their own reports, imports are whole or
//! the valid rows, consolidation is public with small counts suppressed, and figures, targets,
//! funding, needs and overlaps reach the dashboards.

/// The information exchange protocol, figures and the libhxl check of exports.
mod exchange;
/// The R4V pages.
mod pages;

use serde_json::{Value, json};

use super::geography::{import_colombia, upload};
use super::helpers::{TestApp, error_code, spawn_app};

pub fn fixture(name: &str) -> Vec<u8> {
    let path = format!("{}/../../tests/fixtures/r4v-5w/{name}", env!("CARGO_MANIFEST_DIR"));
    std::fs::read(&path).unwrap_or_else(|e| panic!("{path}: {e}"))
}

pub async fn json_of(response: reqwest::Response) -> Value {
    response.json().await.expect("JSON body")
}

/// A 5W CSV in R4V's English template; each row: country, admin1, admin2, appealing org, month,
/// sector, indicator, new beneficiaries (all in destination; half girls, half women).
/// (country, admin1, admin2, appealing organisation, month, sector, indicator, new beneficiaries)
pub type Report<'a> = (&'a str, &'a str, &'a str, &'a str, &'a str, &'a str, &'a str, i64);

pub fn five_w_csv(rows: &[Report]) -> Vec<u8> {
    let mut csv = String::from(
        "Country,Admin1,Admin2,Appealing_org,Implementation,Month,Subsector,Indicator,Activity_Name,RMRPActivity,CVA,\
         Total_monthly,New_beneficiaries,IN_DESTINATION,Girls,Women\n",
    );
    for (country, admin1, admin2, org, month, sector, indicator, new) in rows {
        let girls = new / 2;
        csv.push_str(&format!(
            "{country},{admin1},{admin2},{org},No,{month},{sector},{indicator},Activity,Yes,No,{new},{new},{new},{girls},{}\n",
            new - girls
        ));
    }
    csv.into_bytes()
}

pub async fn import_5w(app: &TestApp, who: &str, bytes: Vec<u8>, fields: &[(&str, &str)]) -> reqwest::Response {
    upload(app, who, "/api/v1/r4v/activities/import", bytes, "5w.csv", fields).await
}

/// R4V's real export imports whole: its double-encoded text is repaired and reported cell by
/// cell, and the 19 rules are reported with their ids — including Mexico's and Panama's admin
/// areas, which this database does not hold (rule 2), without failing.
#[tokio::test]
async fn the_real_5w_export_imports_with_its_text_repaired_and_its_rules_reported() {
    let app = spawn_app().await;
    let response = upload(
        &app,
        "admin",
        "/api/v1/r4v/activities/import",
        fixture("Activities_5W_2024.xlsx"),
        "Activities_5W_2024.xlsx",
        &[],
    )
    .await;
    assert_eq!(response.status(), 200, "{}", response.text().await.unwrap_or_default());
    let intake = json_of(response).await;
    assert_eq!(intake["accepted"], 50);
    assert_eq!(intake["rows_read"], 50);
    let repairs = intake["repairs"].as_array().expect("repairs");
    assert!(
        repairs.iter().any(|r| r["where"] == "row 4, column Admin1"
            && r["before"] == "Nuevo LeÃ³n"
            && r["after"] == "Nuevo León"),
        "{repairs:?}"
    );
    let rules: Vec<u64> = intake["per_rule"]
        .as_array()
        .expect("rules")
        .iter()
        .map(|r| r["rule"].as_u64().unwrap_or(0))
        .collect();
    assert!(
        rules.contains(&2),
        "no admin areas of Mexico or Panama are stored: {rules:?}"
    );
    assert!(
        rules.contains(&4),
        "UN-Habitat and RET are not organisations here: {rules:?}"
    );
    assert!(rules.contains(&10), "a CVA row without value: {rules:?}");

    let listed = json_of(
        app.api("admin")
            .get(app.url("/api/v1/r4v/activities?country=MEX&limit=100"))
            .send()
            .await
            .expect("list"),
    )
    .await;
    assert_eq!(listed["total"], 47);
    let fields: Vec<&Value> = listed["items"]
        .as_array()
        .expect("items")
        .iter()
        .map(|i| &i["fields"]["admin1"])
        .collect();
    assert!(fields.iter().any(|a| *a == "Nuevo León"), "stored repaired");

    let report = json_of(
        app.api("admin")
            .get(app.url("/api/v1/r4v/errors"))
            .send()
            .await
            .expect("report"),
    )
    .await;
    let unhcr = report
        .as_array()
        .expect("orgs")
        .iter()
        .find(|o| o["organisation"] == "UNHCR")
        .expect("UNHCR");
    assert!(unhcr["reports"].as_i64().unwrap_or(0) > 30);
    assert!(
        unhcr["rules"]
            .as_array()
            .expect("rules")
            .iter()
            .any(|r| r["rule"] == 2 && r["name"] == "countryadmincheck")
    );

    let submission = intake["submission_id"].as_i64().expect("id");
    let provenance = json_of(
        app.api("admin")
            .get(app.url(&format!("/api/v1/r4v/submissions/{submission}")))
            .send()
            .await
            .expect("get"),
    )
    .await;
    assert_eq!(provenance["file_name"], "Activities_5W_2024.xlsx");
    assert_eq!(provenance["sha256"].as_str().map(str::len), Some(64));
    assert_eq!(provenance["status"], "accepted");
}

/// Admin areas match whatever the accents, case or P-code partners write.
#[tokio::test]
async fn admin_areas_match_without_accents_and_by_pcode() {
    let app = spawn_app().await;
    import_colombia(&app).await;
    let csv = five_w_csv(&[
        (
            "Colombia",
            "NORTE DE SANTANDER",
            "cucuta",
            "NGO-A",
            "2024-01",
            "Education",
            "EDU1",
            10,
        ),
        (
            "COL",
            "co54",
            "Villa del Rosario",
            "NGO-A",
            "2024-01",
            "Education",
            "EDU1",
            4,
        ),
        ("COL", "Atlantis", "", "NGO-A", "2024-01", "Education", "EDU1", 6),
    ]);
    let response = import_5w(&app, "manager", csv, &[]).await;
    assert_eq!(response.status(), 200, "{}", response.text().await.unwrap_or_default());
    let listed = json_of(
        app.api("manager")
            .get(app.url("/api/v1/r4v/activities"))
            .send()
            .await
            .expect("list"),
    )
    .await;
    let items = listed["items"].as_array().expect("items");
    let by_new = |n: &str| {
        items
            .iter()
            .find(|i| i["fields"]["new_beneficiaries"] == n)
            .expect("row")
    };
    assert_eq!(by_new("10")["adm1_pcode"], "CO54");
    assert_eq!(by_new("10")["adm2_pcode"], "CO54001");
    assert_eq!(by_new("10")["rules_broken"], json!([]));
    assert_eq!(by_new("4")["adm2_pcode"], "CO54874");
    assert_eq!(by_new("6")["rules_broken"], json!([2]));
}

/// A correction runs the rules again, keeps the old and new values, and is in the audit log.
#[tokio::test]
async fn corrections_are_audited_and_run_the_rules_again() {
    let app = spawn_app().await;
    let mut report = json!({"country": "COL", "admin1": "CO54", "appealing_org": "NGO-A", "implementation": false,
        "sector": "education", "indicator": "EDU1", "activity_name": "Enrolment", "rmrp_activity": true, "cva": false,
        "total_monthly": 20, "new_beneficiaries": 20, "in_destination": 20, "girls": 10, "boys": 10});
    let created = app
        .api("manager")
        .post(app.url("/api/v1/r4v/activities"))
        .json(&report)
        .send()
        .await
        .expect("create");
    assert_eq!(created.status(), 201);
    let created = json_of(created).await;
    assert_eq!(
        created["rules_broken"],
        json!([2, 7]),
        "no month; no admin areas stored"
    );
    let id = created["id"].as_i64().expect("id");

    report["month"] = json!("2024-02");
    let updated = app
        .api("manager")
        .put(app.url(&format!("/api/v1/r4v/activities/{id}")))
        .json(&report)
        .send()
        .await
        .expect("update");
    assert_eq!(updated.status(), 200);
    assert_eq!(json_of(updated).await["rules_broken"], json!([2]));

    let history = json_of(
        app.api("manager")
            .get(app.url(&format!("/api/v1/r4v/activities/{id}/history")))
            .send()
            .await
            .expect("history"),
    )
    .await;
    let change = &history[0];
    assert_eq!(change["fields"], "month");
    assert_eq!(change["before"]["month"], Value::Null);
    assert_eq!(change["after"]["month"], "2024-02");
    assert_eq!(change["username"], "manager");
    assert_eq!(change["rules_broken_before"], json!([2, 7]));

    let audit = json_of(
        app.api("admin")
            .get(app.url(&format!("/api/v1/audit?entity=activity_5w&entity_id={id}")))
            .send()
            .await
            .expect("audit"),
    )
    .await;
    let summaries: Vec<&str> = audit["items"]
        .as_array()
        .expect("items")
        .iter()
        .filter_map(|e| e["summary"].as_str())
        .collect();
    assert!(
        summaries.iter().any(|s| s.starts_with("corrected month")),
        "{summaries:?}"
    );

    // Partners see their own; IM officers their country's; nobody else.
    for (who, status) in [
        ("enumerator", 200),
        ("im_col", 200),
        ("viewer", 403),
        ("im_per", 403),
        ("viewer_per", 403),
    ] {
        let got = app
            .api(who)
            .get(app.url(&format!("/api/v1/r4v/activities/{id}")))
            .send()
            .await
            .expect("get")
            .status();
        assert_eq!(got, status, "{who}");
    }
    let broken = json!({"country": "COL", "girls": -3, "month": "soon"});
    let refused = app
        .api("manager")
        .put(app.url(&format!("/api/v1/r4v/activities/{id}")))
        .json(&broken)
        .send()
        .await
        .expect("update");
    assert_eq!(refused.status(), 422);
    let body = json_of(refused).await;
    let places: Vec<&str> = body["error"]["problems"]
        .as_array()
        .expect("problems")
        .iter()
        .filter_map(|p| p["where"].as_str())
        .collect();
    assert_eq!(places, ["girls", "month"]);
}

/// A partner cannot import another partner's reports, nor reports in a country it does not
/// work in; an IM officer can for their country.
#[tokio::test]
async fn partners_import_only_their_own_reports() {
    let app = spawn_app().await;
    let other = five_w_csv(&[("COL", "CO54", "", "NGO-B", "2024-01", "Education", "EDU1", 3)]);
    assert_eq!(import_5w(&app, "manager", other.clone(), &[]).await.status(), 403);
    assert_eq!(import_5w(&app, "im_col", other, &[]).await.status(), 200);
    let peru = five_w_csv(&[("PER", "Lima", "", "NGO-A", "2024-01", "Education", "EDU1", 3)]);
    assert_eq!(import_5w(&app, "manager", peru.clone(), &[]).await.status(), 403);
    assert_eq!(import_5w(&app, "im_col", peru, &[]).await.status(), 403);
    let listed = json_of(
        app.api("viewer")
            .get(app.url("/api/v1/r4v/activities"))
            .send()
            .await
            .expect("list"),
    )
    .await;
    assert_eq!(listed["total"], 1, "NGO-B's viewer sees NGO-B's report only");
}

/// A file with an unreadable row is refused whole, naming the row and column; the submitter
/// may import the valid rows instead, and download the others with their reasons.
#[tokio::test]
async fn imports_are_whole_or_the_valid_rows_with_the_others_listed() {
    let app = spawn_app().await;
    let mut csv = String::from_utf8(five_w_csv(&[(
        "COL",
        "CO54",
        "",
        "NGO-A",
        "2024-01",
        "Education",
        "EDU1",
        8,
    )]))
    .expect("utf8");
    csv.push_str("COL,CO54,,NGO-A,No,2024-01,Education,EDU1,Activity,Yes,No,8,ocho,8,4,4\n");
    let refused = import_5w(&app, "manager", csv.clone().into_bytes(), &[]).await;
    assert_eq!(refused.status(), 422);
    let body = json_of(refused).await;
    assert_eq!(body["error"]["problems"][0]["where"], "row 3, column New_beneficiaries");
    let listed = json_of(
        app.api("manager")
            .get(app.url("/api/v1/r4v/activities"))
            .send()
            .await
            .expect("list"),
    )
    .await;
    assert_eq!(listed["total"], 0, "nothing was imported");

    let partial = import_5w(&app, "manager", csv.into_bytes(), &[("mode", "valid_rows")]).await;
    assert_eq!(partial.status(), 200);
    let intake = json_of(partial).await;
    assert_eq!(intake["accepted"], 1);
    assert_eq!(intake["rejected"][0]["where"], "row 3, column New_beneficiaries");
    let id = intake["submission_id"].as_i64().expect("id");
    let problems = app
        .api("manager")
        .get(app.url(&format!("/api/v1/r4v/submissions/{id}/problems")))
        .send()
        .await
        .expect("csv");
    assert_eq!(problems.status(), 200);
    let text = problems.text().await.expect("text");
    assert!(
        text.contains("row 3, column New_beneficiaries") && text.contains("'ocho' is not a number"),
        "{text}"
    );
    assert_eq!(
        app.api("viewer")
            .get(app.url(&format!("/api/v1/r4v/submissions/{id}")))
            .send()
            .await
            .expect("get")
            .status(),
        403
    );
    let garbage = import_5w(&app, "manager", b"\x00\x01 not a table".to_vec(), &[]).await;
    assert_eq!(error_code(garbage).await, "rejected");
}

/// Consolidated figures are public, record their method, never add monthly totals across
/// months, and hide counts from 1 to 4.
#[tokio::test]
async fn consolidation_is_public_without_double_counting_and_small_counts_hidden() {
    let app = spawn_app().await;
    import_colombia(&app).await;
    let csv = five_w_csv(&[
        ("COL", "CO54", "", "NGO-A", "2024-01", "Education", "EDU1", 40),
        ("COL", "CO54", "", "NGO-A", "2024-01", "Health", "HEA1", 100),
        ("COL", "CO54", "", "NGO-A", "2024-02", "Health", "HEA1", 30),
        ("COL", "CO08", "", "NGO-A", "2024-02", "Health", "HEA1", 3),
    ]);
    assert_eq!(import_5w(&app, "im_col", csv, &[]).await.status(), 200);
    let app = &app;
    let get = |query: &str| {
        let url = app.url(&format!("/api/v1/r4v/public/consolidated?{query}"));
        async move { json_of(app.anonymous().get(url).send().await.expect("public")).await }
    };
    let year = get("year=2024&level=country&sector=intersector").await;
    assert_eq!(
        year[0]["people"], 133,
        "maxsector: Jan max(100, 40) + Feb 30 + Atlántico 3 — per cell"
    );
    assert_eq!(year[0]["method"], "maxsector");
    assert_eq!(year[0]["period"], "2024-01/2024-12");
    assert_eq!(
        year[0]["monthly_total"],
        Value::Null,
        "a volume is never added across months"
    );
    let summed = get("year=2024&level=country&sector=intersector&method=sum").await;
    assert_eq!(summed[0]["people"], 173);
    let atlantico = get("year=2024&level=admin1").await;
    let small = atlantico
        .as_array()
        .expect("rows")
        .iter()
        .find(|o| o["admin1"] == "CO08" && o["sector"] == "intersector")
        .expect("CO08");
    assert_eq!(small["people"], Value::Null, "3 people is suppressed");
    let monthly = get("from=2024-01&to=2024-01&level=region&sector=intersector").await;
    assert_eq!(monthly[0]["monthly_total"], 140);
    let csv = app
        .anonymous()
        .get(app.url("/api/v1/r4v/public/consolidated?year=2024&format=csv"))
        .send()
        .await
        .expect("csv");
    assert_eq!(csv.status(), 200);
    let text = csv.text().await.expect("text");
    assert!(
        text.lines()
            .nth(1)
            .is_some_and(|l| l.starts_with("#meta+level,#meta+platform,#country+code,#adm1+code")),
        "{text}"
    );
    // The exact figures are for IM officers of the country.
    assert_eq!(
        app.api("im_col")
            .get(app.url("/api/v1/r4v/consolidated?year=2024"))
            .send()
            .await
            .expect("get")
            .status(),
        200
    );
    assert_eq!(
        app.api("manager")
            .get(app.url("/api/v1/r4v/consolidated?year=2024"))
            .send()
            .await
            .expect("get")
            .status(),
        403
    );
    assert_eq!(
        app.api("im_per")
            .get(app.url("/api/v1/r4v/consolidated?country=COL"))
            .send()
            .await
            .expect("get")
            .status(),
        403
    );
}

/// Targets, FTS funding and people in need feed the dashboards; overlaps are listed for
/// coordinators.
#[tokio::test]
async fn targets_funding_needs_and_overlaps_reach_the_dashboards() {
    let app = spawn_app().await;
    import_colombia(&app).await;
    let csv = five_w_csv(&[
        ("COL", "CO54", "CO54001", "NGO-A", "2024-03", "Food Security", "FS1", 50),
        ("COL", "CO54", "CO54001", "NGO-B", "2024-03", "Food Security", "FS1", 20),
    ]);
    assert_eq!(import_5w(&app, "im_col", csv, &[]).await.status(), 200);
    let targets = "year,organisation,country,sector,indicator,activity,in_destination,women,budget_in_kind_usd,budget_cva_usd\n\
                   2024,NGO-A,COL,food_security,FS1,Food kits,200,200,10000,5000\n";
    let response = upload(
        &app,
        "im_col",
        "/api/v1/r4v/targets/import",
        targets.as_bytes().to_vec(),
        "targets.csv",
        &[],
    )
    .await;
    assert_eq!(response.status(), 200, "{}", response.text().await.unwrap_or_default());
    let bad_targets = "year,organisation,country,sector\n2024,NGO-P,PER,food_security\n";
    assert_eq!(
        upload(
            &app,
            "im_col",
            "/api/v1/r4v/targets/import",
            bad_targets.as_bytes().to_vec(),
            "t.csv",
            &[]
        )
        .await
        .status(),
        403
    );
    let fts = "id,amountUSD,budgetYear,srcOrganization,destOrganization,destLocations,destGlobalClusters,status\n\
               F-1,\"7,500\",2024,ECHO,NGO-A test organisation,Colombia,Food Security,paid\n";
    assert_eq!(
        upload(
            &app,
            "im_col",
            "/api/v1/r4v/funding/import",
            fts.as_bytes().to_vec(),
            "fts.csv",
            &[]
        )
        .await
        .status(),
        200
    );
    let needs = "country,adm1,sector,type,pin\n#country+code,#adm1+code,#sector+code,#population+type,#inneed\n\
                 COL,CO54,intersector,in_destination,1000\n";
    let response = upload(
        &app,
        "im_col",
        "/api/v1/r4v/needs/import",
        needs.as_bytes().to_vec(),
        "needs-2024.csv",
        &[],
    )
    .await;
    assert_eq!(response.status(), 200, "{}", response.text().await.unwrap_or_default());
    let survey = "country,adm1_pcode,population_type,size,weight,wash:water,food_security:meals\n\
                  COL,CO08,in_transit,4,10,yes,no\n";
    let response = upload(
        &app,
        "im_col",
        "/api/v1/r4v/needs/compute",
        survey.as_bytes().to_vec(),
        "survey.csv",
        &[("year", "2024")],
    )
    .await;
    assert_eq!(response.status(), 200, "{}", response.text().await.unwrap_or_default());

    let d = json_of(
        app.api("viewer")
            .get(app.url("/api/v1/r4v/dashboard?year=2024"))
            .send()
            .await
            .expect("dashboard"),
    )
    .await;
    let line = |list: &str, key: &str| {
        d[list]
            .as_array()
            .expect(list)
            .iter()
            .find(|l| l["key"] == key)
            .cloned()
            .unwrap_or(Value::Null)
    };
    assert_eq!(line("reached_by_partner", "NGO-A")["achieved"], 50.0);
    assert_eq!(line("reached_by_partner", "NGO-A")["percent"], 25.0);
    assert_eq!(line("reached_by_sector", "food_security")["achieved"], 70.0);
    assert_eq!(line("funded_by_partner", "NGO-A")["achieved"], 7500.0);
    assert_eq!(line("funded_by_partner", "NGO-A")["planned"], 15000.0);
    assert_eq!(line("funded_by_partner", "NGO-A")["percent"], 50.0);
    assert_eq!(
        line("reached_against_need", "COL")["planned"],
        1040.0,
        "1000 imported + 40 computed"
    );

    let overlaps = json_of(
        app.api("im_col")
            .get(app.url("/api/v1/r4v/overlaps"))
            .send()
            .await
            .expect("overlaps"),
    )
    .await;
    assert_eq!(overlaps[0]["area"], "CO54001");
    assert_eq!(overlaps[0]["organisations"], json!(["NGO-A", "NGO-B"]));
    assert_eq!(
        app.api("manager")
            .get(app.url("/api/v1/r4v/overlaps"))
            .send()
            .await
            .expect("get")
            .status(),
        403
    );
}
