//! The geography pages and the map: they render for everyone signed in, with the text that
//! matters; the import page is only for those who may manage geography, and shows every
//! problem of a refused file.

use reqwest::multipart::{Form, Part};

use super::{colombia_adm1, import_colombia, square};
use crate::helpers::{TestApp, spawn_app};

/// The status and HTML of a page, with `&` in attributes unescaped (askama writes `&#38;`).
pub async fn page(client: &reqwest::Client, app: &TestApp, path: &str) -> (u16, String) {
    let response = client.get(app.url(path)).send().await.expect("page");
    let status = response.status().as_u16();
    let html = response.text().await.expect("html");
    (status, html.replace("&#38;", "&").replace("&amp;", "&"))
}

#[tokio::test]
async fn countries_country_and_area_pages_render_for_everyone_signed_in() {
    let app = spawn_app().await;
    import_colombia(&app).await;
    let (viewer, _) = app.browser("viewer").await;

    let (status, html) = page(&viewer, &app, "/geography").await;
    assert_eq!(status, 200);
    assert!(
        html.contains("Países y divisiones administrativas"),
        "Spanish by default"
    );
    assert!(html.contains(r#"<a href="/geography/COL">Colombia</a>"#));
    assert!(!html.contains("/geography/import"), "no import link for a viewer");

    let (status, html) = page(&viewer, &app, "/geography/col").await;
    assert_eq!(status, 200);
    assert!(html.contains("CO54001") && html.contains("Norte de Santander"));
    assert!(
        html.contains(r#"data-areas="/api/v1/admin-areas/geojson?country=COL&level=1""#),
        "{html}"
    );
    let (_, filtered) = page(&viewer, &app, "/geography/COL?level=2&q=rosario").await;
    assert!(filtered.contains("CO54874") && !filtered.contains("CO54001"));
    assert_eq!(page(&viewer, &app, "/geography/XYZ").await.0, 404);

    let (status, html) = page(&viewer, &app, "/geography/areas/CO54").await;
    assert_eq!(status, 200);
    assert!(html.contains("Nombre en español") && html.contains("Villa del Rosario"));
    assert!(html.contains(r#"data-areas="/api/v1/admin-areas/geojson?parent=CO54""#));
    assert!(html.contains(r#"src="/static/vendor/leaflet-1.9.4/leaflet.js""#));
    let (status, html) = page(&viewer, &app, "/geography/areas/CO54001").await;
    assert_eq!(status, 200);
    assert!(html.contains(r#"href="/geography/areas/CO54""#), "the parent is linked");
    assert_eq!(page(&viewer, &app, "/geography/areas/ZZ99").await.0, 404);

    let anonymous = app.anonymous().get(app.url("/geography")).send().await.expect("page");
    assert_eq!(anonymous.status(), 303);
}

#[tokio::test]
async fn the_map_page_and_its_scripts_are_served() {
    let app = spawn_app().await;
    let (viewer, _) = app.browser("viewer").await;
    let (status, html) = page(&viewer, &app, "/map").await;
    assert_eq!(status, 200);
    assert!(html.contains(r#"id="map""#));
    // A viewer of Colombia sees Colombia first.
    assert!(
        html.contains(r#"data-areas="/api/v1/admin-areas/geojson?country=COL&level=1""#),
        "{html}"
    );
    assert!(
        html.contains("data-labels=\"{&#34;"),
        "labels travel as JSON in an attribute"
    );
    let (_, region) = page(&viewer, &app, "/map?country=&level=2").await;
    assert!(region.contains(r#"data-areas="/api/v1/admin-areas/geojson?level=2""#));

    for (path, kind) in [
        ("/static/map.js", "javascript"),
        ("/static/vendor/leaflet-1.9.4/leaflet.js", "javascript"),
        ("/static/vendor/leaflet-1.9.4/leaflet.css", "css"),
        ("/static/vendor/leaflet-1.9.4/images/marker-icon.png", "png"),
        ("/static/vendor/leaflet-1.9.4/LICENSE", ""),
    ] {
        let response = viewer.get(app.url(path)).send().await.expect("asset");
        assert_eq!(response.status(), 200, "{path}");
        let content_type = response.headers()["content-type"].to_str().expect("type").to_owned();
        assert!(content_type.contains(kind), "{path}: {content_type}");
    }
}

#[tokio::test]
async fn the_import_page_is_for_im_officers_and_lists_every_problem() {
    let app = spawn_app().await;
    let (viewer, _) = app.browser("viewer").await;
    assert_eq!(page(&viewer, &app, "/geography/import").await.0, 403);

    let (im, csrf) = app.browser("im_col").await;
    let (status, html) = page(&im, &app, "/geography/import").await;
    assert_eq!(status, 200);
    assert!(html.contains(r#"enctype="multipart/form-data""#) && html.contains("?csrf="));
    assert!(
        html.contains(r#"<option value="COL""#) && !html.contains(r#"<option value="PER""#),
        "only its countries"
    );

    let post = |bytes: Vec<u8>, level: &str, token: &str| {
        let form = Form::new()
            .part("file", Part::bytes(bytes).file_name("col.geojson"))
            .text("level", level.to_owned())
            .text("format", "geojson");
        im.post(app.url(&format!("/geography/import?csrf={token}")))
            .multipart(form)
            .send()
    };
    let bad = super::collection(&[
        super::feature(
            serde_json::json!({"ADM1_PCODE": "CO54", "ADM1_ES": "x"}),
            r#"{"type":"Point","coordinates":[0,0]}"#,
        ),
        super::feature(serde_json::json!({"ADM1_ES": "y"}), &square(-73.0, 7.0, 1.0)),
    ]);
    let refused = post(bad, "1", &csrf).await.expect("post");
    assert_eq!(refused.status(), 422);
    let html = refused.text().await.expect("html");
    assert!(
        html.contains("feature 1 (geometry)") && html.contains("feature 2 (properties.ADM1_PCODE)"),
        "{html}"
    );
    assert!(html.contains(r#"<option value="1" selected>"#), "the choices are kept");

    let forged = post(colombia_adm1(), "1", "not-the-token").await.expect("post");
    assert_eq!(forged.status(), 403);
    let imported = post(colombia_adm1(), "1", &csrf).await.expect("post");
    assert_eq!(imported.status(), 200);
    assert!(
        imported
            .text()
            .await
            .expect("html")
            .contains("Importado: 2 divisiones nuevas")
    );
}
