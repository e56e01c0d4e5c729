use reqwest::multipart::{Form, Part};
use rumbo_domain::audit::AuditAction;
use rumbo_store::Page;
use rumbo_store::audit::AuditQuery;
use serde_json::Value;

use super::seed::seed;
use crate::helpers::spawn_app;

fn file(text: &str) -> Form {
    Form::new().part("file", Part::bytes(text.as_bytes().to_vec()).file_name("registro.csv"))
}

#[tokio::test]
async fn an_import_is_whole_or_nothing_with_every_problem_by_row_and_column() {
    let app = spawn_app().await;
    seed(&app).await;
    let bad = "household,desk,population_group,consent_registration,relationship,given_names,first_surname,sex,birth_date,nationality,document_type,document_number
F1,COL-TST-RDA,in_destination,yes,head,Ana,Rojas,F,2031-01-01,VEN,venezuelan_cedula,V-30.000.001
F2,COL-TST-RDA,in_destination,yes,head,Luis,Mora,M,1980-01-01,VEN,pep,12
F3,COL-TST-RDB,in_destination,yes,head,Eva,Díaz,F,1980-01-01,VEN,,
F4,NOWHERE,in_destination,yes,head,Pia,Gil,F,1980-01-01,VEN,,
";
    let response = app
        .api("enumerator")
        .post(app.url("/api/v1/registration/import"))
        .multipart(file(bad))
        .send()
        .await
        .expect("request");
    assert_eq!(response.status(), 422);
    let error: Value = response.json().await.expect("json");
    let problems: Vec<String> = error["error"]["problems"]
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
    assert!(
        problems[0].starts_with("row 2, column birth_date: the date of birth is in the future"),
        "{problems:#?}"
    );
    assert!(
        problems[1].starts_with("row 3, column document_number: a PEP number"),
        "{problems:#?}"
    );
    assert_eq!(
        problems.len(),
        2,
        "the file's own problems first; desks are checked once the rows are right"
    );

    let desks_wrong = "household,desk,population_group,consent_registration,relationship,given_names,first_surname,sex,birth_date,nationality
F3,COL-TST-RDB,in_destination,yes,head,Eva,Díaz,F,1980-01-01,VEN
F4,NOWHERE,in_destination,yes,head,Pia,Gil,F,1980-01-01,VEN
";
    let error: Value = app
        .api("enumerator")
        .post(app.url("/api/v1/registration/import"))
        .multipart(file(desks_wrong))
        .send()
        .await
        .expect("request")
        .json()
        .await
        .expect("json");
    let places: Vec<&str> = error["error"]["problems"]
        .as_array()
        .expect("problems")
        .iter()
        .map(|p| p["where"].as_str().unwrap_or(""))
        .collect();
    assert_eq!(
        places,
        ["household F3 (row 2), column desk", "household F4 (row 3), column desk"]
    );
    assert_eq!(
        app.store.household_count().await.expect("count"),
        3,
        "nothing was imported"
    );

    let good = "household,desk,population_group,consent_registration,consent_sharing,relationship,given_names,first_surname,second_surname,sex,birth_date,estimated_age,nationality,needs,document_type,document_number
F1,COL-TST-RDA,in_destination,yes,yes,head,Ana,Rojas,Pérez,F,1985-01-01,,VEN,WR,venezuelan_cedula,V-30.000.001
F1,,,,,child,Sofía,Rojas,,F,,7,VEN,,,
F2,COL-TST-RDA,in_transit,yes,no,head,Luis,Mora,,M,1980-01-01,,VEN,,venezuelan_cedula,V-10.000.001
";
    let summary: Value = app
        .api("enumerator")
        .post(app.url("/api/v1/registration/import"))
        .multipart(file(good))
        .send()
        .await
        .expect("request")
        .json()
        .await
        .expect("json");
    assert_eq!(summary["households"], 2);
    assert_eq!(summary["people"], 3);
    assert_eq!(summary["flagged"], 1, "V-10.000.001 is the seeded household's cédula");
    assert_eq!(summary["scored"], 2);
}

#[tokio::test]
async fn exports_with_names_need_a_purpose_and_are_audited() {
    let app = spawn_app().await;
    seed(&app).await;
    let pseudonymous = app
        .api("protection")
        .get(app.url("/api/v1/registration/export?country=COL"))
        .send()
        .await
        .expect("request");
    assert_eq!(pseudonymous.status(), 200);
    let text = pseudonymous.text().await.expect("csv");
    assert!(
        text.contains("H-") && !text.contains("Marisela") && !text.contains("given_names"),
        "{text}"
    );

    let personal = app
        .api("protection")
        .get(app.url("/api/v1/registration/export?country=COL&purpose=case_management"))
        .send()
        .await
        .expect("request");
    assert_eq!(personal.status(), 200);
    let text = personal.text().await.expect("csv");
    assert!(text.contains("Marisela") && text.contains("V10000001"), "{text}");
    assert!(!text.contains("Beatriz"), "NGO-B's household is not NGO-A's to export");

    let exports = app
        .store
        .audit_entries(
            &AuditQuery {
                action: Some(AuditAction::Export),
                ..Default::default()
            },
            Page::default(),
        )
        .await
        .expect("audit")
        .0;
    let summaries: Vec<&str> = exports.iter().map(|e| e.summary.as_str()).collect();
    assert!(
        summaries
            .iter()
            .any(|s| s.ends_with("with personal data, for case_management")),
        "{summaries:?}"
    );
    assert!(summaries.iter().any(|s| s.ends_with("pseudonymised")), "{summaries:?}");
}
