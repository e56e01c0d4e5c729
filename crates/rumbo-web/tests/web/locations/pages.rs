//! The location pages, as people use them: lists with filters, the form with its errors beside
//! each field, the detail page with its map, retiring and deleting, and the import page.

use reqwest::multipart::{Form, Part};

use super::{LIST, post};
use crate::geography::import_colombia;
use crate::geography::pages::page;
use crate::helpers::spawn_app;

#[tokio::test]
async fn lists_and_details_render_for_everyone_and_forms_only_for_im_officers() {
    let app = spawn_app().await;
    import_colombia(&app).await;
    let created = post(&app, "im_col", &super::bridge()).await;
    let id = super::json(created).await["id"].as_i64().expect("id");
    let (viewer, _) = app.browser("viewer").await;

    let (status, html) = page(&viewer, &app, "/locations").await;
    assert_eq!(status, 200);
    assert!(html.contains("COL-CUC-SB") && html.contains("Paso fronterizo") && html.contains("CO54 › CO54001"));
    assert!(!html.contains("/locations/new"), "no link to create for a viewer");
    let (status, _) = page(&viewer, &app, "/locations?offset=9223372036854775807").await;
    assert_eq!(status, 200, "an absurd offset is an empty page");
    let (status, _) = page(&viewer, &app, "/geography/COL?offset=9223372036854775807&level=9").await;
    assert_eq!(status, 200);
    let (_, html) = page(&viewer, &app, "/locations?kind=site").await;
    assert!(!html.contains("COL-CUC-SB"));
    let (status, html) = page(&viewer, &app, "/locations?admin_area=not%20a%20pcode").await;
    assert_eq!(status, 200);
    assert!(html.contains(r#"class="alert""#), "a bad filter is said, not a failure");

    let (status, html) = page(&viewer, &app, &format!("/locations/{id}")).await;
    assert_eq!(status, 200);
    assert!(html.contains(r#"data-point="7.5,-72.5""#) && html.contains("Cúcuta"));
    assert!(html.contains(r#"data-context="/api/v1/admin-areas/geojson?pcode=CO54001""#));
    assert!(!html.contains(r#"name="code""#), "no edit form for a viewer");
    assert_eq!(page(&viewer, &app, "/locations/new").await.0, 403);
    assert_eq!(page(&viewer, &app, "/locations/import").await.0, 403);
    assert_eq!(page(&viewer, &app, "/locations/999999").await.0, 404);
    assert_eq!(page(&viewer, &app, "/locations/abc").await.0, 404);

    let (enumerator, csrf) = app.browser("enumerator").await;
    let refused = enumerator
        .post(app.url("/locations/new"))
        .form(&[
            ("csrf", csrf.as_str()),
            ("code", "X1"),
            ("name", "X"),
            ("kind", "site"),
            ("country", "COL"),
            ("lat", "7"),
            ("lon", "-72"),
        ])
        .send()
        .await
        .expect("post");
    assert_eq!(refused.status(), 403);
}

#[tokio::test]
async fn the_form_shows_each_error_beside_its_field_and_keeps_what_was_typed() {
    let app = spawn_app().await;
    import_colombia(&app).await;
    let (im, csrf) = app.browser("im_col").await;
    let (status, html) = page(&im, &app, "/locations/new").await;
    assert_eq!(status, 200);
    assert!(html.contains(r#"<option value="COL" selected>"#));

    let bad = [
        ("csrf", csrf.as_str()),
        ("code", "COL CUC"),
        ("name", "Puente <b>Simón</b>"),
        ("kind", "border_crossing"),
        ("country", "COL"),
        ("lat", "siete"),
        ("lon", "-72,5"),
    ];
    let response = im
        .post(app.url("/locations/new"))
        .form(&bad)
        .send()
        .await
        .expect("post");
    assert_eq!(response.status(), 422);
    let html = response.text().await.expect("html");
    assert_eq!(
        html.matches(r#"class="field-error""#).count(),
        2,
        "code and lat: {html}"
    );
    assert!(html.contains("Indique la latitud en grados decimales"), "{html}");
    assert!(
        html.contains(r#"value="Puente &#60;b&#62;Simón&#60;/b&#62;""#),
        "kept, and escaped: {html}"
    );

    let good = [
        ("csrf", csrf.as_str()),
        ("code", "COL-CUC-SB"),
        ("name", "Puente Simón Bolívar"),
        ("kind", "border_crossing"),
        ("country", "COL"),
        ("lat", "7,5"),
        ("lon", "-72,5"),
        ("organisation_id", ""),
        ("notes", ""),
    ];
    let response = im
        .post(app.url("/locations/new"))
        .form(&good)
        .send()
        .await
        .expect("post");
    assert_eq!(response.status(), 303);
    let location = response.headers()["location"].to_str().expect("location").to_owned();
    let response = im
        .post(app.url("/locations/new"))
        .form(&good)
        .send()
        .await
        .expect("post");
    assert_eq!(response.status(), 422, "a second location with the same code");
    assert!(
        response
            .text()
            .await
            .expect("html")
            .contains("Otro lugar ya tiene este código")
    );

    let (status, html) = page(&im, &app, &location).await;
    assert_eq!(status, 200);
    assert!(
        html.contains(r#"name="code" value="COL-CUC-SB""#),
        "the edit form is filled"
    );
    let mut edit = good.to_vec();
    edit[2] = ("name", "Puente Internacional Simón Bolívar");
    let saved = im.post(app.url(&location)).form(&edit).send().await.expect("post");
    assert_eq!(saved.status(), 303);
    let (_, html) = page(&im, &app, &format!("{location}?saved=1")).await;
    assert!(html.contains("Puente Internacional Simón Bolívar") && html.contains("Guardado."));

    let delete = |im: &reqwest::Client| {
        im.post(app.url(&format!("{location}/delete")))
            .form(&[("csrf", csrf.as_str())])
            .send()
    };
    assert_eq!(
        delete(&im).await.expect("post").status(),
        409,
        "active locations are not deleted"
    );
    let retired = im
        .post(app.url(&format!("{location}/active")))
        .form(&[("csrf", csrf.as_str()), ("active", "0")])
        .send()
        .await
        .expect("post");
    assert_eq!(retired.status(), 303);
    let (_, html) = page(&im, &app, &location).await;
    assert!(html.contains("desactivado") && html.contains("/delete"));
    assert_eq!(delete(&im).await.expect("post").status(), 303);
    assert_eq!(page(&im, &app, &location).await.0, 404);
}

#[tokio::test]
async fn the_import_page_lists_every_problem_of_a_refused_list() {
    let app = spawn_app().await;
    let (im, csrf) = app.browser("im_col").await;
    assert_eq!(page(&im, &app, "/locations/import").await.0, 200);
    let post = |text: &str| {
        let form = Form::new().part("file", Part::bytes(text.as_bytes().to_vec()).file_name("lista.csv"));
        im.post(app.url(&format!("/locations/import?csrf={csrf}")))
            .multipart(form)
            .send()
    };
    let refused = post("code,name,kind,country,lat,lon\nA1,Uno,site,COL,95,-72.5\nA2,Dos,airport,COL,7,-72\n")
        .await
        .expect("post");
    assert_eq!(refused.status(), 422);
    let html = refused.text().await.expect("html");
    assert!(
        html.contains("row 2, column lat") && html.contains("row 3, column kind"),
        "{html}"
    );
    let imported = post(LIST).await.expect("post");
    assert_eq!(imported.status(), 200);
    assert!(
        imported
            .text()
            .await
            .expect("html")
            .contains("Importado: 2 lugares nuevos")
    );
}
