use std::collections::HashMap;

use reqwest::header::{AUTHORIZATION, HeaderMap, HeaderValue};
use reqwest::redirect::Policy;
use rumbo_domain::access::{Grant, Role, Scope};
use rumbo_domain::audit::Actor;
use rumbo_domain::country::Iso3;
use rumbo_store::Store;
use rumbo_store::organisations::OrganisationInput;
use rumbo_store::testing::TestDatabase;
use rumbo_store::users::NewUser;
use rumbo_web::{AppState, ServerConfig};

pub const PASSWORD: &str = "password for tests";

/// A seeded account: who they are and how to act as them.
#[derive(Debug, Clone)]
pub struct Account {
    pub id: i64,
    pub username: String,
    pub organisation_id: i64,
    pub token: String,
}

/// A running Rumbo on a fresh database, with:
/// - organisations `UNHCR` (regional), `IOM` (regional), `NGO-A` (COL), `NGO-B` (COL), `NGO-P` (PER);
/// - accounts `admin` (platform admin, region, UNHCR), `im_col` (IM officer, COL, IOM),
///   `im_per` (IM officer, PER, IOM), `manager` (organisation manager, COL, NGO-A),
///   `enumerator` (COL, NGO-A), `protection` (protection officer, COL, NGO-A),
///   `viewer` (COL, NGO-B), `viewer_per` (PER, NGO-P); all with password [`PASSWORD`].
pub struct TestApp {
    pub address: String,
    pub store: Store,
    pub organisations: HashMap<&'static str, i64>,
    pub accounts: HashMap<&'static str, Account>,
    _db: TestDatabase,
}

pub fn iso(code: &str) -> Iso3 {
    Iso3::parse(code).expect("valid ISO3")
}

pub async fn spawn_app() -> TestApp {
    spawn_app_with(ServerConfig::default()).await
}

pub async fn spawn_app_with(config: ServerConfig) -> TestApp {
    // Server-side errors (an internal error's cause, above all) show in a failing test's output.
    let _ = tracing_subscriber::fmt()
        .with_test_writer()
        .with_env_filter("warn")
        .try_init();
    let (store, db) = TestDatabase::store().await.expect("test database");
    let system = Actor::system("test");
    let mut organisations = HashMap::new();
    for (acronym, kind, country) in [
        ("UNHCR", "un_agency", None),
        ("IOM", "un_agency", None),
        ("NGO-A", "national_ngo", Some("COL")),
        ("NGO-B", "national_ngo", Some("COL")),
        ("NGO-P", "national_ngo", Some("PER")),
    ] {
        let input = OrganisationInput {
            name: format!("{acronym} test organisation"),
            acronym: acronym.into(),
            kind: kind.into(),
            country: country.map(Into::into),
            is_active: true,
            ..Default::default()
        };
        let org = store.create_organisation(&system, &input).await.expect("organisation");
        organisations.insert(acronym, org.id);
    }
    let mut accounts = HashMap::new();
    for (username, role, country, org) in [
        ("admin", Role::PlatformAdmin, None, "UNHCR"),
        ("im_col", Role::ImOfficer, Some("COL"), "IOM"),
        ("im_per", Role::ImOfficer, Some("PER"), "IOM"),
        ("manager", Role::OrganisationManager, Some("COL"), "NGO-A"),
        ("enumerator", Role::Enumerator, Some("COL"), "NGO-A"),
        ("protection", Role::ProtectionOfficer, Some("COL"), "NGO-A"),
        ("viewer", Role::Viewer, Some("COL"), "NGO-B"),
        ("viewer_per", Role::Viewer, Some("PER"), "NGO-P"),
    ] {
        let organisation_id = organisations[org];
        let user = store
            .create_user(
                &system,
                &NewUser {
                    username: username.into(),
                    display_name: format!("Test {username}"),
                    email: Some(format!("{username}@example.org")),
                    organisation_id,
                    password: PASSWORD.into(),
                    language: None,
                    grants: vec![Grant {
                        role,
                        scope: Scope::from_country(country.map(iso)),
                    }],
                },
            )
            .await
            .expect("user");
        let (token, _) = store
            .create_api_token(&system, user.id, "tests", None)
            .await
            .expect("token");
        accounts.insert(
            username,
            Account {
                id: user.id,
                username: username.into(),
                organisation_id,
                token,
            },
        );
    }

    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.expect("bind");
    let address = format!("http://{}", listener.local_addr().expect("address"));
    let state = AppState::new(store.clone(), config);
    tokio::spawn(async move {
        let _ = rumbo_web::serve(state, listener).await;
    });
    TestApp {
        address,
        store,
        organisations,
        accounts,
        _db: db,
    }
}

impl TestApp {
    pub fn url(&self, path: &str) -> String {
        format!("{}{path}", self.address)
    }

    /// A second server process-equivalent on the same database, with its own connection pool,
    /// as a second `rumbo serve` behind a load balancer would be. Returns its base address.
    pub async fn second_instance(&self) -> String {
        let store = Store::connect(&self._db.url).await.expect("second pool");
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.expect("bind");
        let address = format!("http://{}", listener.local_addr().expect("address"));
        tokio::spawn(async move {
            let _ = rumbo_web::serve(AppState::new(store, ServerConfig::default()), listener).await;
        });
        address
    }

    /// A second server on the same database that holds the data keys too, so that its worker
    /// runs de-duplication; it shares this app's store (the database decides what is shared).
    pub async fn second_instance_with_keys(&self) -> String {
        let store = self.store.clone();
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.expect("bind");
        let address = format!("http://{}", listener.local_addr().expect("address"));
        tokio::spawn(async move {
            let _ = rumbo_web::serve(AppState::new(store, ServerConfig::default()), listener).await;
        });
        address
    }

    pub fn account(&self, who: &str) -> &Account {
        self.accounts
            .get(who)
            .unwrap_or_else(|| panic!("no seeded account {who}"))
    }

    /// An API client authenticated with `who`'s personal token.
    pub fn api(&self, who: &str) -> reqwest::Client {
        let mut headers = HeaderMap::new();
        let value = format!("Bearer {}", self.account(who).token);
        headers.insert(AUTHORIZATION, HeaderValue::from_str(&value).expect("header"));
        reqwest::Client::builder()
            .default_headers(headers)
            .redirect(Policy::none())
            .build()
            .expect("client")
    }

    /// A client with no credentials that does not follow redirects.
    pub fn anonymous(&self) -> reqwest::Client {
        reqwest::Client::builder()
            .cookie_store(true)
            .redirect(Policy::none())
            .build()
            .expect("client")
    }

    /// A browser-like client signed in as `who` through the sign-in form, and the session's
    /// CSRF token for posting forms.
    pub async fn browser(&self, who: &str) -> (reqwest::Client, String) {
        let client = self.anonymous();
        let response = client
            .post(self.url("/login"))
            .form(&[("username", who), ("password", PASSWORD), ("next", "/")])
            .send()
            .await
            .expect("sign in");
        assert_eq!(response.status(), 303, "sign-in as {who} should redirect");
        let page = client
            .get(self.url("/"))
            .send()
            .await
            .expect("home")
            .text()
            .await
            .expect("html");
        let csrf = csrf_token(&page).expect("the page carries a CSRF token");
        (client, csrf)
    }
}

/// The CSRF token of the first form in an HTML page.
pub fn csrf_token(html: &str) -> Option<String> {
    let start = html.find("name=\"csrf\" value=\"")? + "name=\"csrf\" value=\"".len();
    let end = html[start..].find('"')? + start;
    Some(html[start..end].to_owned())
}

/// The `code` of an API error body.
pub async fn error_code(response: reqwest::Response) -> String {
    let body: serde_json::Value = response.json().await.expect("JSON error body");
    body["error"]["code"].as_str().unwrap_or_default().to_owned()
}
