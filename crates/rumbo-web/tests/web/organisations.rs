//! Organisations and coordination platforms: the directory, the profile, the forms.

use rumbo_domain::audit::{Actor, AuditAction, Entity};
use rumbo_domain::organisation::PlatformKind;
use rumbo_store::Page;
use rumbo_store::audit::AuditQuery;
use rumbo_store::organisations::OrganisationInput;

use super::helpers::{TestApp, iso, spawn_app};

async fn page(client: &reqwest::Client, url: String) -> (u16, String) {
    let response = client.get(url).send().await.expect("request");
    (response.status().as_u16(), response.text().await.expect("body"))
}

/// Adds the Colombian national platform GIFMM with NGO-A and NGO-B as members.
async fn gifmm(app: &TestApp) {
    let system = Actor::system("test");
    app.store
        .create_platform(
            &system,
            "GIFMM-COL",
            "GIFMM Colombia",
            PlatformKind::National,
            &[iso("COL")],
        )
        .await
        .expect("platform");
    app.store
        .create_platform(
            &system,
            "CARIBE",
            "Caribbean platform",
            PlatformKind::SubRegional,
            &[iso("ABW"), iso("CUW")],
        )
        .await
        .expect("platform");
    for acronym in ["NGO-A", "NGO-B"] {
        let id = app.organisations[acronym];
        let input = OrganisationInput {
            name: format!("{acronym} test organisation"),
            acronym: acronym.into(),
            kind: "national_ngo".into(),
            country: Some("COL".into()),
            platforms: vec!["GIFMM-COL".into()],
            is_active: true,
            ..Default::default()
        };
        app.store
            .update_organisation(&system, id, &input)
            .await
            .expect("member");
    }
}

#[tokio::test]
async fn the_directory_filters_and_pages() {
    let app = spawn_app().await;
    gifmm(&app).await;
    for n in 0..50 {
        let input = OrganisationInput {
            name: format!("Donante {n:02}"),
            acronym: format!("DON-{n:02}"),
            kind: "donor".into(),
            is_active: true,
            ..Default::default()
        };
        app.store
            .create_organisation(&Actor::system("test"), &input)
            .await
            .expect("organisation");
    }
    let (viewer, _) = app.browser("viewer").await;
    let (status, html) = page(&viewer, app.url("/organisations")).await;
    assert_eq!(status, 200);
    assert!(html.contains("55 resultados") && html.contains("offset=50"), "paged");
    let (_, second) = page(&viewer, app.url("/organisations?offset=50")).await;
    assert!(second.contains("NGO-P") && second.contains("UNHCR") && !second.contains(">DON-01<"));

    let cases: [(&str, &[&str], &[&str]); 4] = [
        ("?kind=un_agency", &["IOM", "UNHCR"], &["NGO-A", "DON-00"]),
        ("?country=PER", &["NGO-P"], &["NGO-A", "IOM"]),
        ("?platform=GIFMM-COL", &["NGO-A", "NGO-B"], &["NGO-P", "IOM"]),
        ("?q=ngo-p", &["NGO-P"], &["NGO-A"]),
    ];
    for (query, shown, hidden) in cases {
        let (status, html) = page(&viewer, app.url(&format!("/organisations{query}"))).await;
        assert_eq!(status, 200, "{query}");
        for acronym in shown {
            assert!(html.contains(&format!(">{acronym}</a>")), "{query} shows {acronym}");
        }
        for acronym in hidden {
            assert!(!html.contains(&format!(">{acronym}</a>")), "{query} hides {acronym}");
        }
    }
    let (_, html) = page(&viewer, app.url("/organisations?kind=un_agency")).await;
    assert!(html.contains("Agencia de la ONU"), "type labels from the catalogue");
    assert!(
        !html.contains("Registrar una organización"),
        "a viewer registers nothing"
    );
}

#[tokio::test]
async fn the_profile_shows_platforms_users_and_an_edit_link_to_those_allowed() {
    let app = spawn_app().await;
    gifmm(&app).await;
    let ngo_a = app.organisations["NGO-A"];
    let (manager, _) = app.browser("manager").await;
    let (status, html) = page(&manager, app.url(&format!("/organisations/{ngo_a}"))).await;
    assert_eq!(status, 200);
    assert!(html.contains("NGO-A test organisation") && html.contains("GIFMM Colombia"));
    assert!(
        html.contains(&format!("/users?organisation={ngo_a}\">3</a>")),
        "three active accounts"
    );
    assert!(html.contains(&format!("/organisations/{ngo_a}/edit")));
    let (viewer, _) = app.browser("viewer").await;
    let (_, html) = page(&viewer, app.url(&format!("/organisations/{ngo_a}"))).await;
    assert!(!html.contains("/edit") && html.contains(">3<"));
    assert_eq!(page(&viewer, app.url("/organisations/999999")).await.0, 404);
}

#[tokio::test]
async fn the_platforms_page_lists_countries_and_members() {
    let app = spawn_app().await;
    gifmm(&app).await;
    let (viewer, _) = app.browser("viewer_per").await;
    let (status, html) = page(&viewer, app.url("/organisations/platforms")).await;
    assert_eq!(status, 200);
    assert!(html.contains("GIFMM-COL") && html.contains("Colombia"));
    assert!(html.contains(">NGO-A</a>") && html.contains(">NGO-B</a>") && !html.contains(">NGO-P</a>"));
    assert!(html.contains("CARIBE") && html.contains("Aruba") && html.contains("Curazao"));
    assert!(html.contains("Plataforma nacional") && html.contains("Plataforma subregional"));
}

#[tokio::test]
async fn an_im_officer_registers_organisations_in_their_country_through_the_form() {
    let app = spawn_app().await;
    gifmm(&app).await;
    let (im, csrf) = app.browser("im_col").await;
    let (status, html) = page(&im, app.url("/organisations/new")).await;
    assert_eq!(status, 200);
    assert!(
        html.contains("value=\"COL\"") && !html.contains("value=\"PER\""),
        "only their country"
    );
    assert!(html.contains("GIFMM-COL"), "platforms to tick");

    let form = |name: &'static str, acronym: &'static str, country: &'static str, website: &'static str| {
        im.post(app.url("/organisations"))
            .form(&[
                ("csrf", csrf.as_str()),
                ("name", name),
                ("acronym", acronym),
                ("kind", "national_ngo"),
                ("country", country),
                ("website", website),
                ("platform", "GIFMM-COL"),
                ("active", "1"),
            ])
            .send()
    };
    let bad = form("", "KEEP-ME", "COL", "javascript:alert(1)").await.expect("post");
    assert_eq!(bad.status(), 422);
    let html = bad.text().await.expect("html");
    assert!(html.contains("value=\"KEEP-ME\"") && html.contains("value=\"javascript:alert(1)\""));
    assert!(html.contains("Este campo es obligatorio") && html.contains("http:// o https://"));
    assert!(
        html.contains("value=\"GIFMM-COL\" checked"),
        "the ticked platform stays ticked"
    );

    let abroad = form("Peruvian NGO", "PERU-1", "PER", "").await.expect("post");
    assert_eq!(abroad.status(), 422);
    assert!(
        abroad
            .text()
            .await
            .expect("html")
            .contains("no permiten registrar organizaciones en este país")
    );

    let taken = form("Copy", "NGO-B", "COL", "").await.expect("post");
    assert_eq!(taken.status(), 422);
    assert!(taken.text().await.expect("html").contains("ya usa esta sigla"));

    let good = form("Fundación Nueva", "FUNUE", "COL", "https://funue.example.org")
        .await
        .expect("post");
    assert_eq!(good.status(), 303);
    let location = good.headers()["location"].to_str().expect("location").to_owned();
    let (_, html) = page(&im, app.url(&location)).await;
    assert!(html.contains("Fundación Nueva") && html.contains("GIFMM Colombia"));
    assert!(html.contains("href=\"https://funue.example.org\""));
}

#[tokio::test]
async fn a_manager_keeps_their_own_profile_up_to_date_and_it_is_audited() {
    let app = spawn_app().await;
    gifmm(&app).await;
    let ngo_a = app.organisations["NGO-A"];
    let (manager, csrf) = app.browser("manager").await;
    let (status, html) = page(&manager, app.url(&format!("/organisations/{ngo_a}/edit"))).await;
    assert_eq!(status, 200);
    assert!(html.contains("value=\"NGO-A test organisation\"") && html.contains("value=\"GIFMM-COL\" checked"));
    let saved = manager
        .post(app.url(&format!("/organisations/{ngo_a}")))
        .form(&[
            ("csrf", csrf.as_str()),
            ("name", "Asociación NGO-A"),
            ("acronym", "NGO-A"),
            ("kind", "national_ngo"),
            ("country", "COL"),
            ("website", "https://ngo-a.example.org"),
            ("active", "1"),
        ])
        .send()
        .await
        .expect("post");
    assert_eq!(saved.status(), 303);
    let organisation = app.store.organisation(ngo_a).await.expect("organisation");
    assert_eq!(organisation.name, "Asociación NGO-A");
    assert!(organisation.platforms.is_empty(), "the unticked platform was left");
    let (entries, _) = app
        .store
        .audit_entries(
            &AuditQuery {
                action: Some(AuditAction::Update),
                entity: Some(Entity::Organisation),
                entity_id: Some(ngo_a.to_string()),
                user_id: Some(app.account("manager").id),
                ..Default::default()
            },
            Page::default(),
        )
        .await
        .expect("audit");
    assert_eq!(entries.len(), 1);
    assert_eq!(entries[0].summary, "changed name, website, platforms");

    let other = app.organisations["NGO-B"];
    let refused = manager
        .post(app.url(&format!("/organisations/{other}")))
        .form(&[
            ("csrf", csrf.as_str()),
            ("name", "Taken over"),
            ("acronym", "NGO-B"),
            ("kind", "donor"),
        ])
        .send()
        .await
        .expect("post");
    assert_eq!(refused.status(), 403);
}
