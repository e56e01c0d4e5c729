//! The registration pages, as people use them: forms with problems beside their fields, a
//! household page with names or codes, and the changes made from it.

use super::seed::seed;
use crate::helpers::spawn_app;

#[tokio::test]
async fn the_registration_form_keeps_what_was_typed_and_names_each_problem() {
    let app = spawn_app().await;
    let s = seed(&app).await;
    let (client, csrf) = app.browser("enumerator").await;
    let form = client
        .get(app.url("/registration/households/new"))
        .send()
        .await
        .expect("request")
        .text()
        .await
        .expect("html");
    assert!(
        form.contains("COL-TST-RDA") && !form.contains("COL-TST-RDB"),
        "only desks of the user's organisation"
    );
    let desk = s.desk_a.id.to_string();
    let mut fields: Vec<(&str, &str)> = vec![
        ("csrf", &csrf),
        ("member_count", "2"),
        ("desk", &desk),
        ("population_group", "in_destination"),
        ("m0_relationship", "head"),
        ("m0_given_names", "Nelly"),
        ("m0_first_surname", "Paredes"),
        ("m0_sex", "female"),
        ("m0_birth_date", "2099-01-01"),
        ("m0_nationality", "VEN"),
        ("m0_document_type", "venezuelan_cedula"),
        ("m0_document_number", "12345678"),
    ];
    let refused = client
        .post(app.url("/registration/households/new"))
        .form(&fields)
        .send()
        .await
        .expect("request");
    assert_eq!(refused.status(), 422);
    let page = refused.text().await.expect("html");
    assert!(page.contains("value=\"Nelly\""), "what was typed is kept");
    assert!(
        page.contains("Consent to register is required") || page.contains("consentimiento para el registro"),
        "{page}"
    );
    assert!(page.contains("starts with V or E") || page.contains("empieza con V o E"));

    fields.retain(|(k, _)| !matches!(*k, "m0_birth_date" | "m0_document_number"));
    fields.extend([
        ("m0_birth_date", "1984-08-08"),
        ("m0_document_number", "V-14.141.414"),
        ("consent_registration", "1"),
    ]);
    let saved = client
        .post(app.url("/registration/households/new"))
        .form(&fields)
        .send()
        .await
        .expect("request");
    assert_eq!(saved.status(), 303);
    let location = saved.headers()["location"].to_str().expect("location").to_owned();
    assert!(location.contains("registered=1"), "{location}");
    let household = client
        .get(app.url(&location))
        .send()
        .await
        .expect("request")
        .text()
        .await
        .expect("html");
    assert!(household.contains("Nelly Paredes"), "the enumerator sees the name");
}

#[tokio::test]
async fn pages_show_codes_to_those_without_need_to_know_and_changes_go_through_the_household_page() {
    let app = spawn_app().await;
    let s = seed(&app).await;
    let (manager, _) = app.browser("manager").await;
    let page = manager
        .get(app.url(&format!("/registration/households/{}", s.household_a)))
        .send()
        .await
        .expect("request")
        .text()
        .await
        .expect("html");
    assert!(!page.contains("Marisela") && page.contains("H-"));
    let list = manager
        .get(app.url("/registration/households"))
        .send()
        .await
        .expect("request")
        .text()
        .await
        .expect("html");
    assert!(!list.contains("Marisela"));

    let (protection, csrf) = app.browser("protection").await;
    let action = format!("/registration/households/{}/action", s.household_a);
    let verified = protection
        .post(app.url(&action))
        .form(&[("csrf", csrf.as_str()), ("do", "verify")])
        .send()
        .await
        .expect("request");
    assert_eq!(verified.status(), 303);
    let unconfirmed = protection
        .post(app.url(&action))
        .form(&[("csrf", csrf.as_str()), ("do", "erase")])
        .send()
        .await
        .expect("request");
    let to = unconfirmed.headers()["location"].to_str().expect("location").to_owned();
    assert!(to.ends_with("problem=invalid"), "{to}");
    let page = protection
        .get(app.url(&format!("/registration/households/{}", s.household_a)))
        .send()
        .await
        .expect("request")
        .text()
        .await
        .expect("html");
    assert!(page.contains("Marisela"));
    for path in [
        "/registration",
        "/registration/models",
        "/registration/programmes",
        "/registration/export",
        "/registration/import",
    ] {
        let status = protection.get(app.url(path)).send().await.expect("request").status();
        assert_eq!(status, 200, "{path}");
    }
    let (im, _) = app.browser("im_col").await;
    for path in [
        "/registration/sharing",
        &format!("/registration/models/{}", s.model),
        &format!("/registration/programmes/{}", s.programme),
    ] {
        let status = im.get(app.url(path)).send().await.expect("request").status();
        assert_eq!(status, 200, "{path}");
    }
}
