//! The information exchange protocol, population figures with their provenance and history,
//! and a check that Rumbo's HXL exports parse with the reference implementation, libhxl.

use serde_json::Value;

use super::super::geography::{import_colombia, upload};
use super::super::helpers::TestApp;
use super::super::helpers::spawn_app;
use super::{five_w_csv, import_5w, json_of};

const FIGURES: &str = "country,figure_type,value,source,reference_date,publication_date,method_notes,method_changed\n\
    #country+code,#indicator+type,#affected+num,#meta+source,#date+reference,#date+published,#description+method,#status+method_changed\n\
    COL,refugees_migrants,2875743,Migración Colombia,2023-12-31,2024-02-15,,no\n\
    COL,refugees_migrants,2861000,Migración Colombia,2024-06-30,2024-08-01,Registry of the temporary protection statute,yes\n\
    ECU,refugees_migrants,444778,Ministerio de Gobierno,2024-05-31,2024-06-20,,no\n";

/// Figures are added with their provenance, never overwritten; the feed is public and shows
/// the latest official figure per country and a regional total labelled with its dates.
#[tokio::test]
async fn population_figures_keep_history_and_label_regional_totals() {
    let app = spawn_app().await;
    let response = upload(
        &app,
        "admin",
        "/api/v1/r4v/exchange",
        FIGURES.as_bytes().to_vec(),
        "figures.csv",
        &[("dataset", "population_figures")],
    )
    .await;
    assert_eq!(response.status(), 200, "{}", response.text().await.unwrap_or_default());
    assert_eq!(json_of(response).await["accepted"], 3);
    let again = upload(
        &app,
        "admin",
        "/api/v1/r4v/figures/import",
        FIGURES.as_bytes().to_vec(),
        "figures.csv",
        &[],
    )
    .await;
    let again = json_of(again).await;
    assert_eq!(
        (again["accepted"].as_i64(), again["unchanged"].as_i64()),
        (Some(0), Some(3)),
        "sent twice, stored once"
    );

    let feed = json_of(
        app.anonymous()
            .get(app.url("/api/v1/r4v/public/figures?history=true"))
            .send()
            .await
            .expect("feed"),
    )
    .await;
    let current = feed["current"].as_array().expect("current");
    let col = current.iter().find(|f| f["country"] == "COL").expect("COL");
    assert_eq!(col["value"], 2_861_000);
    assert_eq!(col["method_changed"], true);
    assert_eq!(feed["regional"][0]["total"], 2_861_000 + 444_778);
    assert_eq!(
        feed["regional"][0]["label"],
        "combines figures dated 2024-05-31 to 2024-06-30"
    );
    assert_eq!(feed["history"].as_array().map(Vec::len), Some(3));
    let csv = app
        .anonymous()
        .get(app.url("/api/v1/r4v/public/figures?format=csv"))
        .send()
        .await
        .expect("csv")
        .text()
        .await
        .expect("text");
    assert!(csv.starts_with("country,figure_type,value"), "{csv}");

    // IM officers load figures for their own country only; partners not at all.
    let peru = FIGURES.replace("ECU,", "PER,");
    let only_colombia: String = FIGURES.lines().take(3).collect::<Vec<_>>().join("\n");
    assert_eq!(
        upload(
            &app,
            "im_col",
            "/api/v1/r4v/figures/import",
            peru.into_bytes(),
            "f.csv",
            &[]
        )
        .await
        .status(),
        403
    );
    assert_eq!(
        upload(
            &app,
            "im_col",
            "/api/v1/r4v/figures/import",
            only_colombia.into_bytes(),
            "f.csv",
            &[]
        )
        .await
        .status(),
        200
    );
    assert_eq!(
        upload(
            &app,
            "manager",
            "/api/v1/r4v/figures/import",
            FIGURES.as_bytes().to_vec(),
            "f.csv",
            &[]
        )
        .await
        .status(),
        403
    );
}

/// A dataset without hashtags, or with a bad cell, is refused naming where; the refusal is
/// recorded with the file's checksum.
#[tokio::test]
async fn exchange_datasets_are_checked_per_cell_and_their_provenance_kept() {
    let app = spawn_app().await;
    let untagged = "country,figure_type,value\nCOL,refugees_migrants,1\n";
    let response = upload(
        &app,
        "im_col",
        "/api/v1/r4v/exchange",
        untagged.as_bytes().to_vec(),
        "plain.csv",
        &[("dataset", "population_figures")],
    )
    .await;
    assert_eq!(response.status(), 422);
    let body = json_of(response).await;
    assert!(
        body["error"]["problems"][0]["problem"]
            .as_str()
            .unwrap_or("")
            .contains("#country+code")
    );
    let bad = FIGURES.replace("444778", "lots");
    let response = upload(
        &app,
        "im_col",
        "/api/v1/r4v/exchange",
        bad.into_bytes(),
        "bad.csv",
        &[("dataset", "population_figures")],
    )
    .await;
    let body = json_of(response).await;
    assert_eq!(body["error"]["problems"][0]["where"], "row 5, column value");
    let flows = "date,country,point,direction,total\n#date,#country+code,#loc+code,#meta+direction,#affected+total\n2024-03-01,COL,COL-CUC-SB,entry,1520\n";
    let response = upload(
        &app,
        "im_col",
        "/api/v1/r4v/exchange",
        flows.as_bytes().to_vec(),
        "flows.csv",
        &[("dataset", "flow_counts")],
    )
    .await;
    assert_eq!(response.status(), 200, "{}", response.text().await.unwrap_or_default());
    let list = json_of(
        app.api("im_col")
            .get(app.url("/api/v1/r4v/submissions"))
            .send()
            .await
            .expect("list"),
    )
    .await;
    let statuses: Vec<&str> = list["items"]
        .as_array()
        .expect("items")
        .iter()
        .filter_map(|s| s["status"].as_str())
        .collect();
    assert_eq!(statuses, ["accepted", "rejected", "rejected"]);
    assert!(
        list["items"]
            .as_array()
            .expect("items")
            .iter()
            .all(|s| s["sha256"].as_str().map(str::len) == Some(64))
    );
    let schemas = json_of(
        app.anonymous()
            .get(app.url("/api/v1/r4v/exchange/schemas"))
            .send()
            .await
            .expect("schemas"),
    )
    .await;
    assert_eq!(schemas.as_array().map(Vec::len), Some(4));
    assert_eq!(
        app.api("im_col")
            .post(app.url("/api/v1/r4v/exchange"))
            .multipart(
                reqwest::multipart::Form::new()
                    .text("dataset", "gossip")
                    .part("file", reqwest::multipart::Part::bytes(b"x".to_vec()))
            )
            .send()
            .await
            .expect("post")
            .status(),
        422
    );
}

/// The Python interpreter with libhxl to check exports with: `RUMBO_LIBHXL_PYTHON` when set
/// (CI installs libhxl into a virtual environment and sets it: then a missing libhxl fails the
/// test), else `python3` if it can import hxl, else none (the test says so and skips).
fn libhxl_python() -> Option<String> {
    if let Ok(python) = std::env::var("RUMBO_LIBHXL_PYTHON")
        && !python.trim().is_empty()
    {
        let ok = std::process::Command::new(&python)
            .args(["-c", "import hxl"])
            .stderr(std::process::Stdio::null())
            .status()
            .is_ok_and(|s| s.success());
        assert!(
            ok,
            "RUMBO_LIBHXL_PYTHON={python} cannot import hxl (pip install libhxl)"
        );
        return Some(python);
    }
    let ok = std::process::Command::new("python3")
        .args(["-c", "import hxl"])
        .stderr(std::process::Stdio::null())
        .status()
        .is_ok_and(|s| s.success());
    ok.then(|| "python3".to_owned())
}

/// Parses `csv` with libhxl and returns, as JSON, the hashtags it read and its rows as dicts
/// keyed by hashtag.
fn parse_with_libhxl(python: &str, csv: &str) -> Value {
    let dir = tempfile::tempdir().expect("temp dir");
    let path = dir.path().join("export.csv");
    std::fs::write(&path, csv).expect("write");
    let script = "import hxl, json, sys\n\
                  source = hxl.data(sys.argv[1], hxl.InputOptions(allow_local=True))\n\
                  tags = [c.display_tag for c in source.columns]\n\
                  rows = [dict(zip(tags, r.values)) for r in source]\n\
                  print(json.dumps({'tags': tags, 'rows': rows}))\n";
    let output = std::process::Command::new(python)
        .args(["-c", script, path.to_str().expect("path")])
        .output()
        .expect("python runs");
    assert!(
        output.status.success(),
        "libhxl failed: {}",
        String::from_utf8_lossy(&output.stderr)
    );
    serde_json::from_slice(&output.stdout).expect("JSON from the script")
}

async fn text(app: &TestApp, who: &str, path: &str) -> String {
    let client = if who == "anonymous" {
        app.anonymous()
    } else {
        app.api(who)
    };
    let response = client.get(app.url(path)).send().await.expect("get");
    assert_eq!(response.status(), 200, "{path}");
    response.text().await.expect("text")
}

/// Rumbo's HXL exports (5W, consolidated figures, population figures) parse with libhxl,
/// hashtags and values intact.
#[tokio::test]
async fn hxl_exports_parse_with_libhxl() {
    let Some(python) = libhxl_python() else {
        eprintln!(
            "SKIPPED hxl_exports_parse_with_libhxl: python3 with libhxl is not available here \
             (pip install libhxl, or set RUMBO_LIBHXL_PYTHON to a python that has it; .ci/run does)"
        );
        return;
    };
    let app = spawn_app().await;
    import_colombia(&app).await;
    let csv = five_w_csv(&[(
        "COL",
        "Norte de Santander",
        "Cúcuta",
        "NGO-A",
        "2024-01",
        "Education",
        "EDU1",
        12,
    )]);
    assert_eq!(import_5w(&app, "manager", csv, &[]).await.status(), 200);
    upload(
        &app,
        "admin",
        "/api/v1/r4v/figures/import",
        FIGURES.as_bytes().to_vec(),
        "figures.csv",
        &[],
    )
    .await;

    let five_w = parse_with_libhxl(
        &python,
        &text(&app, "manager", "/api/v1/r4v/activities?format=csv").await,
    );
    let tags: Vec<&str> = five_w["tags"]
        .as_array()
        .expect("tags")
        .iter()
        .filter_map(Value::as_str)
        .collect();
    for tag in [
        "#country+code",
        "#adm1+code",
        "#org+prog+name",
        "#sector+code",
        "#indicator+code",
        "#reached+new",
        "#reached+f+children",
    ] {
        assert!(tags.contains(&tag), "{tag} in {tags:?}");
    }
    let row = &five_w["rows"][0];
    assert_eq!(row["#adm2+name"], "Cúcuta");
    assert_eq!(row["#adm1+code"], "CO54");
    assert_eq!(row["#reached+f+children"], "6");

    let consolidated = parse_with_libhxl(
        &python,
        &text(
            &app,
            "anonymous",
            "/api/v1/r4v/public/consolidated?year=2024&format=csv",
        )
        .await,
    );
    let region = consolidated["rows"]
        .as_array()
        .expect("rows")
        .iter()
        .find(|r| r["#meta+level"] == "region" && r["#sector+code"] == "intersector")
        .expect("region");
    assert_eq!(region["#reached+unique"], "12");
    assert_eq!(region["#meta+method"], "maxsector");

    let figures = parse_with_libhxl(
        &python,
        &text(&app, "anonymous", "/api/v1/r4v/public/figures?format=csv&history=true").await,
    );
    assert_eq!(figures["rows"].as_array().map(Vec::len), Some(3));
    assert_eq!(figures["rows"][0]["#country+code"], "COL");
}

/// A new plan year's indicators come in a file; the rules use them at once.
#[tokio::test]
async fn the_indicator_registry_grows_with_each_plan_year() {
    let app = spawn_app().await;
    let file =
        "code,sector,name_en,name_es,kind\nEDU9,education,# of teachers paid,# de docentes pagados,Capacity Building\n";
    let response = upload(
        &app,
        "admin",
        "/api/v1/r4v/indicators/import",
        file.as_bytes().to_vec(),
        "indicators-2026.csv",
        &[],
    )
    .await;
    assert_eq!(response.status(), 200, "{}", response.text().await.unwrap_or_default());
    assert_eq!(
        upload(
            &app,
            "im_col",
            "/api/v1/r4v/indicators/import",
            file.as_bytes().to_vec(),
            "i.csv",
            &[]
        )
        .await
        .status(),
        403
    );
    let bad = "code,sector,name_en,kind\nX1,nowhere,x,Direct Assistance\nX2,education,y,Magic\n";
    let response = upload(
        &app,
        "admin",
        "/api/v1/r4v/indicators/import",
        bad.as_bytes().to_vec(),
        "i.csv",
        &[],
    )
    .await;
    assert_eq!(response.status(), 422);
    let list = json_of(
        app.anonymous()
            .get(app.url("/api/v1/r4v/indicators"))
            .send()
            .await
            .expect("list"),
    )
    .await;
    let edu9 = list
        .as_array()
        .expect("list")
        .iter()
        .find(|i| i["code"] == "EDU9")
        .expect("EDU9");
    assert_eq!(edu9["kind"], "capacity_building");
    let report = serde_json::json!({"country": "COL", "appealing_org": "NGO-A", "month": "2026-01", "sector": "Educación",
        "indicator": "# de docentes pagados", "total_monthly": 0});
    let created = json_of(
        app.api("manager")
            .post(app.url("/api/v1/r4v/activities"))
            .json(&report)
            .send()
            .await
            .expect("create"),
    )
    .await;
    assert_eq!(
        created["indicator_code"], "EDU9",
        "matched by its Spanish name within its sector"
    );
    assert!(
        created["rules_broken"]
            .as_array()
            .expect("rules")
            .contains(&serde_json::json!(18))
    );
}
