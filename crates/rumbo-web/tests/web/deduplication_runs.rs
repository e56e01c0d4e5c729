//! Runs of the linkage engine over HTTP: asked for and answered at once (202 and where to
//! follow it), run by the server's worker in the background until their pairs are in the
//! queue; one run per country whichever instance is asked; a failed run says why on its page
//! in Spanish, English and Portuguese; a run a stopped server left running is marked failed by
//! the next server to start.

use std::time::Duration;

use rumbo_domain::audit::Actor;
use rumbo_domain::linkage::LinkageSettings;
use rumbo_store::timestamp;
use serde_json::{Value, json};
use sqlx::Row;

use super::helpers::{TestApp, iso, spawn_app};
use super::registration::seed::{household, member, seed};

const GIVEN: &[&str] = &[
    "María José",
    "Luis Alberto",
    "Carmen Rosa",
    "José Gregorio",
    "Ana Karina",
    "Yorman",
    "Daniela",
    "Wilmer",
    "Yusmary",
    "Jesús Manuel",
    "Génesis",
    "Franklin",
];
const SURNAMES: &[&str] = &[
    "Pérez",
    "González",
    "Rodríguez",
    "Hernández",
    "Rivas",
    "Mendoza",
    "Salazar",
    "Torrealba",
    "Briceño",
    "Guevara",
    "Colmenares",
    "Urdaneta",
];

/// Thirty-six people registered once each at NGO-A's desk, and Yusmary again at NGO-B's with
/// her surnames swapped and no document: enough for the engine to train on and find her.
async fn register_people(app: &TestApp) {
    let seeded = seed(app).await;
    let system = Actor::system("test");
    let person = |given: &str, first: &str, second: &str, born: &str, cedula: Option<String>| {
        let mut input = household("x", "V-1");
        let mut head = member("head", given, "female", born);
        head.first_surname = first.into();
        head.second_surname = second.into();
        head.documents = input.members[0].documents.clone();
        match cedula {
            Some(number) => head.documents[0].number = number,
            None => head.documents.clear(),
        }
        input.members = vec![head];
        input
    };
    for (i, given) in GIVEN.iter().enumerate() {
        for j in 0..3 {
            let born = format!(
                "{}-{:02}-{:02}",
                1960 + i * 3 + j * 7,
                1 + (i + j) % 12,
                1 + (i * 5 + j) % 28
            );
            let input = person(
                given,
                SURNAMES[(i + j * 5) % SURNAMES.len()],
                SURNAMES[(i * 7 + j + 3) % SURNAMES.len()],
                &born,
                Some(format!("V-{}", 14_000_000 + i * 1000 + j)),
            );
            app.store
                .register_household(&system, &seeded.desk_a, &input)
                .await
                .expect("registered");
        }
    }
    let again = person("Yusmary", SURNAMES[11], SURNAMES[8], "1984-09-13", None);
    app.store
        .register_household(&system, &seeded.desk_b, &again)
        .await
        .expect("registered");
}

/// A finished run over Colombia, as the command line records it: `{run:COL}`.
pub async fn seed_run(app: &TestApp) -> Vec<(String, String)> {
    let run = app
        .store
        .run_deduplication(&Actor::system("cli"), iso("COL"), &LinkageSettings::default())
        .await
        .expect("run");
    vec![("{run:COL}".to_owned(), run.run_id.to_string())]
}

/// Reads the run at `url` until it has ended, for at most a minute (the worker runs it in the
/// background; a debug build links a handful of people in well under a second).
async fn ended(client: &reqwest::Client, url: &str) -> Value {
    for _ in 0..1200 {
        let run: Value = client
            .get(url)
            .send()
            .await
            .expect("request")
            .json()
            .await
            .expect("json");
        if run["status"] == "done" || run["status"] == "failed" {
            return run;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    panic!("the run at {url} did not end within a minute");
}

/// What a worker busy with a run over `country` on some instance looks like in the store.
async fn running_elsewhere(app: &TestApp, country: &str, heartbeat: &str) -> i64 {
    sqlx::query(
        "INSERT INTO deduplication_runs (country_iso3, requested_by, channel, requested_at, started_at, heartbeat_at,
             status, stage)
         VALUES ($1, $2, 'web', $3, $3, $3, 'running', 'linking') RETURNING id",
    )
    .bind(country)
    .bind(app.account("im_col").id)
    .bind(heartbeat)
    .fetch_one(app.store.pool())
    .await
    .expect("running run")
    .try_get("id")
    .expect("id")
}

async fn page(client: &reqwest::Client, url: &str, language: &str) -> String {
    let response = client
        .get(url)
        .header("accept-language", language)
        .send()
        .await
        .expect("request");
    assert_eq!(response.status(), 200, "{url}");
    response.text().await.expect("html")
}

#[tokio::test]
async fn a_run_asked_for_answers_at_once_and_its_pairs_reach_the_queue_in_the_background() {
    let app = spawn_app().await;
    register_people(&app).await;
    let im = app.api("im_col");
    let response = im
        .post(app.url("/api/v1/registration/duplicates/run"))
        .json(&json!({ "country": "COL" }))
        .send()
        .await
        .expect("request");
    assert_eq!(response.status(), 202);
    let location = response
        .headers()
        .get("location")
        .and_then(|l| l.to_str().ok())
        .expect("a Location to follow")
        .to_owned();
    let asked: Value = response.json().await.expect("json");
    assert_eq!(asked["already_requested"], false);
    assert_eq!(asked["run"]["status"], "queued");
    assert_eq!(asked["run"]["url"], location.as_str());
    assert_eq!(
        location,
        format!("/api/v1/registration/duplicates/runs/{}", asked["run"]["id"])
    );

    let run = ended(&im, &app.url(&location)).await;
    assert_eq!(run["status"], "done", "{run}");
    assert_eq!(run["stage"], "done");
    assert_eq!(run["channel"], "api");
    assert_eq!(run["requested_by_name"], "Test im_col");
    // The seed's three households of two, the thirty-six, and Yusmary again.
    assert_eq!(run["people"], 6 + 36 + 1);
    let suggested = run["suggested"].as_i64().expect("suggested");
    assert!(suggested >= 1, "{run}");
    let queue: Value = im
        .get(app.url("/api/v1/registration/duplicates?country=COL&kind=probable_match"))
        .send()
        .await
        .expect("request")
        .json()
        .await
        .expect("json");
    assert_eq!(queue["total"], suggested, "every suggestion is in the queue");

    let listed: Value = im
        .get(app.url("/api/v1/registration/duplicates/runs?country=COL"))
        .send()
        .await
        .expect("request")
        .json()
        .await
        .expect("json");
    assert_eq!(listed["total"], 1);
    assert_eq!(listed["items"][0]["id"], run["id"]);

    let audit: Vec<String> =
        sqlx::query("SELECT summary FROM audit_log WHERE summary LIKE '%de-duplication run%' ORDER BY id")
            .fetch_all(app.store.pool())
            .await
            .expect("audit")
            .iter()
            .map(|r| r.try_get("summary").expect("summary"))
            .collect();
    assert!(audit[0].starts_with("asked for de-duplication run"), "{audit:?}");
    assert!(audit.iter().any(|s| s.contains("finished")), "{audit:?}");
}

#[tokio::test]
async fn asking_again_while_a_run_is_under_way_returns_that_run_on_either_instance() {
    let app = spawn_app().await;
    seed(&app).await;
    let busy = running_elsewhere(&app, "COL", &rumbo_store::now()).await;
    let other = app.second_instance_with_keys().await;
    let im = app.api("im_col");
    let mut asks = Vec::new();
    for base in [&app.address, &other, &app.address, &other] {
        let ask = im
            .post(format!("{base}/api/v1/registration/duplicates/run"))
            .json(&json!({ "country": "COL" }))
            .send();
        asks.push(tokio::spawn(ask));
    }
    for ask in asks {
        let answer = ask.await.expect("task").expect("request");
        assert_eq!(answer.status(), 200, "not a second run");
        let body: Value = answer.json().await.expect("json");
        assert_eq!(body["already_requested"], true);
        assert_eq!(body["run"]["id"], busy);
        assert!(body["message"].as_str().is_some_and(|m| m.contains("already running")));
    }
    let runs: i64 = sqlx::query("SELECT COUNT(*) AS n FROM deduplication_runs")
        .fetch_one(app.store.pool())
        .await
        .expect("count")
        .try_get("n")
        .expect("n");
    assert_eq!(runs, 1);

    // The queue page's button says so too, and leads to that run.
    let (browser, csrf) = app.browser("im_col").await;
    let asked = browser
        .post(app.url("/registration/duplicates/run"))
        .form(&[("csrf", csrf.as_str()), ("country", "COL")])
        .send()
        .await
        .expect("request");
    assert_eq!(asked.status(), 303);
    let next = asked.headers()["location"].to_str().expect("location").to_owned();
    assert_eq!(next, format!("/registration/duplicates/runs/{busy}?asked=already"));
    let html = page(&browser, &app.url(&next), "en").await;
    assert!(html.contains("No second run was started"), "{html}");
    assert!(html.contains("http-equiv=\"refresh\""), "refreshes while running");
}

#[tokio::test]
async fn a_run_with_nothing_to_compare_fails_and_its_page_says_why_in_three_languages() {
    let app = spawn_app().await;
    let (browser, csrf) = app.browser("admin").await;
    let asked = browser
        .post(app.url("/registration/duplicates/run"))
        .form(&[("csrf", csrf.as_str()), ("country", "PER")])
        .send()
        .await
        .expect("request");
    assert_eq!(asked.status(), 303);
    let next = asked.headers()["location"].to_str().expect("location").to_owned();
    assert!(next.ends_with("?asked=new"), "{next}");
    let id = next
        .trim_start_matches("/registration/duplicates/runs/")
        .trim_end_matches("?asked=new")
        .to_owned();
    let run = ended(
        &app.api("admin"),
        &app.url(&format!("/api/v1/registration/duplicates/runs/{id}")),
    )
    .await;
    assert_eq!(run["status"], "failed");
    assert_eq!(run["failure"], "nothing_to_compare");
    assert!(
        run["message"]
            .as_str()
            .is_some_and(|m| m.contains("nothing to compare"))
    );

    let url = app.url(&format!("/registration/duplicates/runs/{id}"));
    for (language, status, why) in [
        ("es", "Fallida", "todavía no hay nada que comparar"),
        ("en", "Failed", "there is nothing to compare yet"),
        ("pt", "Falhou", "ainda não há nada a comparar"),
    ] {
        let html = page(&app.api("admin"), &url, language).await;
        assert!(html.contains(status) && html.contains(why), "{language}: {html}");
        assert!(
            !html.contains("http-equiv=\"refresh\""),
            "an ended run stops refreshing"
        );
    }
    let queue = page(
        &app.api("admin"),
        &app.url("/registration/duplicates?country=PER"),
        "en",
    )
    .await;
    assert!(
        queue.contains(&format!("/registration/duplicates/runs/{id}")),
        "recent runs listed"
    );
}

#[tokio::test]
async fn a_run_left_running_by_a_stopped_server_is_marked_failed_when_a_server_starts() {
    let app = spawn_app().await;
    let long_ago = timestamp(time::OffsetDateTime::now_utc() - Duration::from_secs(3600));
    let stale = running_elsewhere(&app, "COL", &long_ago).await;
    app.second_instance().await;
    let run = ended(
        &app.api("im_col"),
        &app.url(&format!("/api/v1/registration/duplicates/runs/{stale}")),
    )
    .await;
    assert_eq!(run["status"], "failed");
    assert_eq!(run["failure"], "interrupted");
    assert_eq!(run["stage"], "linking", "where it stopped");
    let html = page(
        &app.api("im_col"),
        &app.url(&format!("/registration/duplicates/runs/{stale}")),
        "en",
    )
    .await;
    assert!(
        html.contains("The server running it stopped before it finished"),
        "{html}"
    );
}
