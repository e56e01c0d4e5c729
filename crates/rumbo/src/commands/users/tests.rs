//! The account commands against a fresh database (SQLite, or PostgreSQL when
//! RUMBO_TEST_POSTGRES_URL is set), with the password given on a fake standard input.

use rumbo_domain::audit::AuditAction;
use rumbo_store::audit::AuditQuery;
use rumbo_store::testing::TestDatabase;

use super::*;

fn db(test: &TestDatabase) -> DatabaseArg {
    DatabaseArg {
        database: test.url.clone(),
    }
}

async fn register(test: &TestDatabase, acronym: &str) {
    organisation(OrganisationCommand::Create {
        db: db(test),
        acronym: acronym.into(),
        name: format!("{acronym} test"),
        kind: "un_agency".into(),
        country: None,
        website: None,
    })
    .await
    .expect("organisation");
}

fn create(test: &TestDatabase, username: &str, organisation: &str, roles: &[&str]) -> UserCommand {
    UserCommand::Create {
        db: db(test),
        username: username.into(),
        name: "Ana Admin".into(),
        organisation: organisation.into(),
        roles: roles.iter().map(|r| (*r).to_owned()).collect(),
        email: None,
        language: Some("pt".into()),
        password_stdin: true,
    }
}

#[tokio::test]
async fn the_first_administrator_is_created_with_a_password_from_stdin() {
    let test = TestDatabase::create().await.expect("database");
    let missing = user(
        create(&test, "admin", "UNHCR", &["platform_admin"]),
        &mut &b"x\n"[..],
        false,
    )
    .await
    .expect_err("no organisations yet");
    assert!(missing.to_string().contains("rumbo organisation create"), "{missing}");

    register(&test, "UNHCR").await;
    let out = user(
        create(&test, "admin", "unhcr", &["platform_admin"]),
        &mut &b"a long passphrase\n"[..],
        false,
    )
    .await
    .expect("created");
    assert!(out.contains("platform_admin"), "{out}");

    let store = db(&test).open().await.expect("store");
    let id = store
        .user_id_by_username("admin")
        .await
        .expect("lookup")
        .expect("exists");
    assert_eq!(
        store
            .sign_in(&Actor::system("test"), "admin", "a long passphrase")
            .await
            .expect("sign in"),
        Ok(id),
        "the trailing newline is not part of the password"
    );
    let (created, _) = store
        .audit_entries(
            &AuditQuery {
                action: Some(AuditAction::Create),
                ..Default::default()
            },
            Page::default(),
        )
        .await
        .expect("audit");
    assert!(created.iter().all(|e| e.channel == "cli"));
}

#[tokio::test]
async fn mistakes_get_clear_messages_and_change_nothing() {
    let test = TestDatabase::create().await.expect("database");
    register(&test, "IOM").await;
    let wrong_org = user(
        create(&test, "ana", "NRC", &[]),
        &mut &b"a long passphrase\n"[..],
        false,
    )
    .await
    .expect_err("unknown organisation");
    assert!(wrong_org.to_string().contains("known ones: IOM"), "{wrong_org}");

    let bad_role = user(
        create(&test, "ana", "IOM", &["boss:COL"]),
        &mut &b"a long passphrase\n"[..],
        false,
    )
    .await
    .expect_err("unknown role");
    let chain = format!("{bad_role:#}");
    assert!(chain.contains("im_officer") && chain.contains("enumerator"), "{chain}");

    let short = user(create(&test, "ana", "IOM", &[]), &mut &b"short\n"[..], false)
        .await
        .expect_err("short password");
    assert!(short.to_string().contains("at least"), "{short}");

    let unknown = user(
        UserCommand::SetPassword {
            db: db(&test),
            username: "nobody".into(),
            password_stdin: true,
        },
        &mut &b"a long passphrase\n"[..],
        false,
    )
    .await
    .expect_err("unknown user");
    assert!(
        unknown.to_string().contains("no user has the username 'nobody'"),
        "{unknown}"
    );

    let mut from_argument = create(&test, "ana", "IOM", &[]);
    if let UserCommand::Create { password_stdin, .. } = &mut from_argument {
        *password_stdin = false;
    }
    let refused = user(from_argument, &mut &b"a long passphrase\n"[..], false)
        .await
        .expect_err("no terminal and no --password-stdin");
    assert!(refused.to_string().contains("--password-stdin"), "{refused}");

    let store = db(&test).open().await.expect("store");
    assert!(store.user_id_by_username("ana").await.expect("lookup").is_none());
}

#[tokio::test]
async fn roles_tokens_and_deactivation() {
    let test = TestDatabase::create().await.expect("database");
    register(&test, "IOM").await;
    user(
        create(&test, "ana", "IOM", &["viewer:COL"]),
        &mut &b"a long passphrase\n"[..],
        false,
    )
    .await
    .expect("created");
    let grant = |command| async { user(command, &mut &b""[..], false).await };
    grant(UserCommand::Grant {
        db: db(&test),
        username: "ana".into(),
        grant: "im_officer:per".into(),
    })
    .await
    .expect("granted");
    grant(UserCommand::Revoke {
        db: db(&test),
        username: "ana".into(),
        grant: "viewer:COL".into(),
    })
    .await
    .expect("revoked");
    let not_held = grant(UserCommand::Revoke {
        db: db(&test),
        username: "ana".into(),
        grant: "viewer:COL".into(),
    })
    .await
    .expect_err("no longer held");
    assert_eq!(not_held.to_string(), "ana does not hold viewer:COL");
    let listed = grant(UserCommand::List {
        db: db(&test),
        organisation: Some("IOM".into()),
        role: None,
        all: false,
    })
    .await
    .expect("list");
    assert!(
        listed.contains("im_officer:PER") && !listed.contains("viewer:COL"),
        "{listed}"
    );

    let printed = token(TokenCommand::Create {
        db: db(&test),
        username: "ana".into(),
        name: "bench".into(),
        expires_days: Some(30),
    })
    .await
    .expect("token");
    let secret = printed.trim();
    assert!(
        secret.starts_with("rumbo_") && !secret.contains(' '),
        "only the token: {printed}"
    );
    let store = db(&test).open().await.expect("store");
    let id = store.user_id_by_username("ana").await.expect("lookup").expect("exists");
    assert_eq!(store.api_token_user(secret).await.expect("lookup"), Some(id));
    let tokens = token(TokenCommand::List {
        db: db(&test),
        username: "ana".into(),
    })
    .await
    .expect("list");
    assert!(tokens.contains("bench") && tokens.contains("valid") && !tokens.contains(secret));

    grant(UserCommand::Deactivate {
        db: db(&test),
        username: "ana".into(),
    })
    .await
    .expect("deactivated");
    assert_eq!(
        store.api_token_user(secret).await.expect("lookup"),
        None,
        "a deactivated account's tokens stop working"
    );
}
