//! The R4V pages: public overview, 5W entry and correction, import with repairs shown, error
//! report, figures, exchange, planning and overlaps, each for the roles that may.

use super::super::geography::upload;
use super::super::helpers::spawn_app;
use super::{five_w_csv, fixture, import_5w};

#[tokio::test]
async fn the_overview_is_public_and_the_work_pages_are_not() {
    let app = spawn_app().await;
    let anonymous = app.anonymous();
    let page = anonymous.get(app.url("/r4v")).send().await.expect("page");
    assert_eq!(page.status(), 200);
    let html = page.text().await.expect("html");
    assert!(html.contains("/api/v1/r4v/public/consolidated"), "links the open data");
    for path in ["/r4v/activities", "/r4v/figures", "/r4v/planning", "/r4v/exchange"] {
        assert_eq!(
            anonymous.get(app.url(path)).send().await.expect("page").status(),
            303,
            "{path}"
        );
    }
}

#[tokio::test]
async fn a_partner_enters_corrects_and_imports_5w_through_the_pages() {
    let app = spawn_app().await;
    let (browser, csrf) = app.browser("manager").await;
    let form = [
        ("csrf", csrf.as_str()),
        ("country", "COL"),
        ("admin1", "CO54"),
        ("appealing_org", "NGO-A"),
        ("implementation", "no"),
        ("month", "2024-04"),
        ("sector", "Education"),
        ("indicator", "EDU1"),
        ("activity_name", "Enrolment"),
        ("rmrp_activity", "yes"),
        ("cva", "no"),
        ("total_monthly", "9"),
        ("new_beneficiaries", "9"),
        ("in_destination", "9"),
        ("girls", "abc"),
    ];
    let refused = browser
        .post(app.url("/r4v/activities/new"))
        .form(&form)
        .send()
        .await
        .expect("post");
    assert_eq!(refused.status(), 422);
    assert!(refused.text().await.expect("html").contains("field-error"));
    let mut form = form.to_vec();
    form.retain(|(k, _)| *k != "girls");
    form.push(("girls", "9"));
    let created = browser
        .post(app.url("/r4v/activities/new"))
        .form(&form)
        .send()
        .await
        .expect("post");
    assert_eq!(created.status(), 303);
    let location = created.headers()["location"].to_str().expect("location").to_owned();
    let page = browser
        .get(app.url(&location))
        .send()
        .await
        .expect("detail")
        .text()
        .await
        .expect("html");
    assert!(
        page.contains("countryadmincheck"),
        "rule 2 shown by name: no admin areas here"
    );
    let path = location.split('?').next().expect("path").to_owned();
    form.retain(|(k, _)| *k != "month");
    form.push(("month", "2024-05"));
    let saved = browser.post(app.url(&path)).form(&form).send().await.expect("save");
    assert_eq!(saved.status(), 303);
    let page = browser
        .get(app.url(&path))
        .send()
        .await
        .expect("detail")
        .text()
        .await
        .expect("html");
    assert!(
        page.contains("2024-05") && page.contains("manager"),
        "the history names the change and who made it"
    );

    let list = browser
        .get(app.url("/r4v/activities?errors=1"))
        .send()
        .await
        .expect("list");
    assert_eq!(list.status(), 200);
    assert!(list.text().await.expect("html").contains("2024-05"));
    let errors = browser
        .get(app.url("/r4v/errors"))
        .send()
        .await
        .expect("errors")
        .text()
        .await
        .expect("html");
    assert!(errors.contains("NGO-A") && errors.contains("countryadmincheck"));

    let form = reqwest::multipart::Form::new().part(
        "file",
        reqwest::multipart::Part::bytes(fixture("Activities_5W_2024.xlsx")).file_name("5w.xlsx"),
    );
    let import = app.browser("admin").await;
    let page = import
        .0
        .post(app.url(&format!("/r4v/activities/import?csrf={}", import.1)))
        .multipart(form)
        .send()
        .await
        .expect("import");
    assert_eq!(page.status(), 200);
    let html = page.text().await.expect("html");
    assert!(
        html.contains("Nuevo LeÃ³n") && html.contains("Nuevo León"),
        "repairs shown before and after"
    );
}

#[tokio::test]
async fn coordination_pages_are_for_im_officers() {
    let app = spawn_app().await;
    let csv = five_w_csv(&[("COL", "CO54", "", "NGO-A", "2024-01", "Health", "HEA1", 12)]);
    assert_eq!(import_5w(&app, "im_col", csv, &[]).await.status(), 200);
    let figures = "country,figure_type,value,source,reference_date,publication_date\nCOL,refugees_migrants,2800000,Migración Colombia,2024-06-30,2024-08-01\n";
    assert_eq!(
        upload(
            &app,
            "im_col",
            "/api/v1/r4v/figures/import",
            figures.as_bytes().to_vec(),
            "f.csv",
            &[]
        )
        .await
        .status(),
        200
    );
    for (who, path, status) in [
        ("im_col", "/r4v/overlaps", 200),
        ("manager", "/r4v/overlaps", 403),
        ("viewer", "/r4v/planning?year=2024", 200),
        ("viewer", "/r4v/figures", 200),
        ("viewer", "/r4v/exchange", 200),
        ("viewer", "/r4v/indicators", 200),
        ("viewer", "/r4v/activities/new", 403),
        ("im_col", "/r4v/activities", 200),
        ("anonymous", "/r4v?year=2024&method=sum", 200),
    ] {
        let client = if who == "anonymous" {
            app.anonymous()
        } else {
            app.browser(who).await.0
        };
        let response = client.get(app.url(path)).send().await.expect("page");
        assert_eq!(response.status(), status, "{who} {path}");
    }
    let (browser, _) = app.browser("viewer").await;
    let figures = browser
        .get(app.url("/r4v/figures"))
        .send()
        .await
        .expect("page")
        .text()
        .await
        .expect("html");
    assert!(figures.contains("Migración Colombia"));
    let overview = app
        .anonymous()
        .get(app.url("/r4v?year=2024"))
        .send()
        .await
        .expect("page")
        .text()
        .await
        .expect("html");
    assert!(overview.contains("12"), "Colombia's 12 people reached, public");
}

#[tokio::test]
async fn the_openapi_document_describes_r4v() {
    let app = spawn_app().await;
    let doc: serde_json::Value = reqwest::get(app.url("/api/v1/openapi.json"))
        .await
        .expect("doc")
        .json()
        .await
        .expect("JSON");
    for path in [
        "/r4v/activities",
        "/r4v/activities/{id}",
        "/r4v/activities/{id}/history",
        "/r4v/activities/import",
        "/r4v/activities/validate",
        "/r4v/errors",
        "/r4v/exchange",
        "/r4v/exchange/schemas",
        "/r4v/submissions",
        "/r4v/submissions/{id}/problems",
        "/r4v/public/consolidated",
        "/r4v/public/figures",
        "/r4v/consolidated",
        "/r4v/figures/import",
        "/r4v/targets/import",
        "/r4v/funding/import",
        "/r4v/needs/import",
        "/r4v/needs/compute",
        "/r4v/dashboard",
        "/r4v/overlaps",
        "/r4v/indicators",
        "/r4v/indicators/import",
    ] {
        assert!(doc["paths"][path].is_object(), "{path} is documented");
    }
    assert!(
        doc["paths"]["/r4v/activities/import"]["post"]["requestBody"]["content"]["multipart/form-data"].is_object()
    );
}
