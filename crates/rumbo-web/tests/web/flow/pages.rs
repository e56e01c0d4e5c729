//! The flow monitoring pages through a signed-in browser session: the count form, the import
//! with its choice, the dashboard, the interview form and the protection queue.

use super::seed_points;
use crate::helpers::spawn_app;

#[tokio::test]
async fn an_enumerator_records_on_the_form_and_the_dashboard_shows_it() {
    let app = spawn_app().await;
    let [a, b, _] = seed_points(&app).await;
    let (client, csrf) = app.browser("enumerator").await;
    let form = client
        .get(app.url("/flow/record"))
        .send()
        .await
        .expect("form")
        .text()
        .await
        .expect("html");
    assert!(
        form.contains("COL-FM-A") && !form.contains("COL-FM-B"),
        "only the assigned point is offered"
    );
    let mut fields: Vec<(String, String)> = vec![
        ("csrf".into(), csrf.clone()),
        ("point".into(), a.to_string()),
        ("date".into(), "2025-03-03".into()),
        ("start_time".into(), "06:00".into()),
        ("hours".into(), "12".into()),
        ("direction".into(), "incoming".into()),
    ];
    for (size, nationality, breakdown) in [
        ("3", "VEN", ["0", "1", "0", "1", "0", "0", "0", "0", "1", "0"]),
        ("", "", [""; 10]),
    ] {
        fields.push(("size".into(), size.into()));
        fields.push(("nationality".into(), nationality.into()));
        fields.push(("transport".into(), "on_foot".into()));
        fields.push(("previous_point".into(), "COL-FM-B".into()));
        fields.push(("next_destination".into(), "COL-FM-A".into()));
        fields.push(("final_destination".into(), "PER".into()));
        for (i, b) in breakdown.iter().enumerate() {
            fields.push((format!("b{i}"), (*b).into()));
        }
    }
    let saved = client
        .post(app.url("/flow/record"))
        .form(&fields)
        .send()
        .await
        .expect("post");
    assert_eq!(saved.status(), 303);
    let elsewhere: Vec<(String, String)> = fields
        .iter()
        .map(|(k, v)| (k.clone(), if k == "point" { b.to_string() } else { v.clone() }))
        .collect();
    assert_eq!(
        client
            .post(app.url("/flow/record"))
            .form(&elsewhere)
            .send()
            .await
            .expect("post")
            .status(),
        403
    );
    let mismatch: Vec<(String, String)> = fields
        .iter()
        .map(|(k, v)| (k.clone(), if k == "size" && v == "3" { "5".into() } else { v.clone() }))
        .collect();
    let refused = client
        .post(app.url("/flow/record"))
        .form(&mismatch)
        .send()
        .await
        .expect("post");
    assert_eq!(refused.status(), 422);
    assert!(refused.text().await.expect("html").contains("adds up to 3"));

    let page = client
        .get(app.url("/flow?interval=day"))
        .send()
        .await
        .expect("dashboard")
        .text()
        .await
        .expect("html");
    assert!(
        page.contains("<svg class=\"flow-chart\""),
        "the chart is drawn on the server"
    );
    assert!(
        page.contains("table=series&amp;format=xlsx"),
        "every table has its exports"
    );
    assert!(page.contains("COL-FM-B → COL-FM-A"), "the corridor is listed");
    let corridors: serde_json::Value = app
        .api("viewer")
        .get(app.url("/api/v1/flow/corridors"))
        .send()
        .await
        .expect("corridors")
        .json()
        .await
        .expect("json");
    assert_eq!(corridors["features"][0]["properties"]["people"], 3);
}

#[tokio::test]
async fn a_file_with_problems_waits_for_the_users_choice() {
    let app = spawn_app().await;
    seed_points(&app).await;
    let (client, csrf) = app.browser("im_col").await;
    let file = "fmp,date,hours,direction,group_size,nationality\n\
                COL-FM-A,2025-03-03,12,incoming,4,VEN\n\
                COL-FM-A,2025-03-03,12,incoming,-1,VEN\n\
                COL-FM-B,2025-03-04,12,outgoing,2,COL\n";
    let form = reqwest::multipart::Form::new().part(
        "file",
        reqwest::multipart::Part::bytes(file.as_bytes().to_vec()).file_name("counts.csv"),
    );
    let response = client
        .post(app.url(&format!("/flow/import?csrf={csrf}")))
        .multipart(form)
        .send()
        .await
        .expect("upload");
    assert_eq!(response.status(), 422);
    let page = response.text().await.expect("html");
    assert!(
        page.contains("row 3, group_size") && page.contains("import-valid") && page.contains("import-nothing"),
        "{page}"
    );
    let id = page
        .split("/flow/import/")
        .nth(1)
        .and_then(|rest| rest.split('/').next())
        .expect("pending id")
        .to_owned();
    let rejected = client
        .get(app.url(&format!("/flow/import/{id}/rejected.csv")))
        .send()
        .await
        .expect("csv")
        .text()
        .await
        .expect("text");
    assert_eq!(
        rejected,
        "fmp,date,hours,direction,group_size,nationality,row,column,problem\nCOL-FM-A,2025-03-03,12,incoming,-1,VEN,3,group_size,-1 is negative: counts are zero or more\n"
    );
    let others = app.browser("admin").await;
    let stranger = others
        .0
        .get(app.url(&format!("/flow/import/{id}/rejected.csv")))
        .send()
        .await
        .expect("csv");
    assert_eq!(stranger.status(), 404, "a kept file is its uploader's");
    let done = client
        .post(app.url(&format!("/flow/import/{id}/valid")))
        .form(&[("csrf", csrf.as_str())])
        .send()
        .await
        .expect("valid");
    assert_eq!(done.status(), 200);
    let series: serde_json::Value = app
        .api("im_col")
        .get(app.url("/api/v1/flow/series?interval=month"))
        .send()
        .await
        .expect("series")
        .json()
        .await
        .expect("json");
    assert_eq!(
        (series[0]["incoming"].as_i64(), series[0]["outgoing"].as_i64()),
        (Some(4), Some(2))
    );
    let again = client
        .post(app.url(&format!("/flow/import/{id}/valid")))
        .form(&[("csrf", csrf.as_str())])
        .send()
        .await
        .expect("valid");
    assert_eq!(again.status(), 409, "a kept file is imported once");
}

#[tokio::test]
async fn interviews_on_the_form_reach_the_protection_queue() {
    let app = spawn_app().await;
    let [a, _, _] = seed_points(&app).await;
    let (client, csrf) = app.browser("enumerator").await;
    let base = [
        ("csrf", csrf.as_str()),
        ("point", "0"),
        ("date", "2025-03-03"),
        ("sex", "female"),
        ("age", "15"),
        ("nationality", "VEN"),
        ("unaccompanied_child", "1"),
        ("needs", "food"),
    ];
    let point = a.to_string();
    let without: Vec<(&str, &str)> = base
        .iter()
        .map(|(k, v)| (*k, if *k == "point" { point.as_str() } else { *v }))
        .collect();
    let refused = client
        .post(app.url("/fms/new"))
        .form(&without)
        .send()
        .await
        .expect("post");
    assert_eq!(refused.status(), 422);
    let page = refused.text().await.expect("html");
    assert!(page.contains("consent") && page.contains("class=\"caveat\""));
    let mut with = without.clone();
    with.push(("consent", "1"));
    assert_eq!(
        client
            .post(app.url("/fms/new"))
            .form(&with)
            .send()
            .await
            .expect("post")
            .status(),
        303
    );

    let (officer, _) = app.browser("protection").await;
    let queue = officer
        .get(app.url("/protection"))
        .send()
        .await
        .expect("queue")
        .text()
        .await
        .expect("html");
    assert!(
        queue.contains("Unaccompanied or separated child") || queue.contains("Niñez no acompañada"),
        "{queue}"
    );
    let case = queue
        .split("href=\"/protection/")
        .nth(1)
        .and_then(|r| r.split('"').next())
        .expect("case link")
        .to_owned();
    let opened = officer
        .get(app.url(&format!("/protection/{case}")))
        .send()
        .await
        .expect("case");
    assert_eq!(opened.status(), 200);
    let opened = opened.text().await.expect("html");
    assert!(
        opened.contains("· protection</li>"),
        "the officer's own opening is listed"
    );
    let fms = client
        .get(app.url("/fms"))
        .send()
        .await
        .expect("fms")
        .text()
        .await
        .expect("html");
    assert!(
        fms.contains("class=\"caveat\"") && fms.contains("&#60;5"),
        "caveat and suppressed counts: {}",
        &fms[fms.len().saturating_sub(3000)..]
    );
}
