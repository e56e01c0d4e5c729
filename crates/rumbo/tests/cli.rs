//! The binary as an operator meets it: help, and clear messages for database URLs that cannot
//! work. (Cargo builds `target/*/rumbo` for these tests; the browser test reuses that binary.)

use std::process::Command;

fn rumbo(args: &[&str]) -> (bool, String) {
    let output = Command::new(env!("CARGO_BIN_EXE_rumbo"))
        .args(args)
        .env_remove("RUMBO_DATABASE_URL")
        .output()
        .expect("run rumbo");
    let text = format!(
        "{}{}",
        String::from_utf8_lossy(&output.stdout),
        String::from_utf8_lossy(&output.stderr)
    );
    (output.status.success(), text)
}

#[test]
fn help_lists_the_subcommands() {
    let (ok, text) = rumbo(&["--help"]);
    assert!(ok, "{text}");
    for command in ["serve", "demo", "migrate", "user", "token", "import", "export"] {
        assert!(text.contains(command), "help should mention {command}: {text}");
    }
}

#[test]
fn a_database_url_of_another_kind_is_refused_with_the_accepted_forms() {
    let (ok, text) = rumbo(&["migrate", "--database", "mysql://root:secret@localhost/rumbo"]);
    assert!(!ok);
    assert!(text.contains("sqlite://") && text.contains("postgres://"), "{text}");
    assert!(!text.contains("secret"), "the password must not be echoed: {text}");
}

#[test]
fn a_typo_in_the_sqlite_folder_is_named() {
    let (ok, text) = rumbo(&["migrate", "--database", "sqlite:///no/such/folder/rumbo.db"]);
    assert!(!ok);
    assert!(
        text.contains("/no/such/folder") && text.contains("does not exist"),
        "{text}"
    );
}

#[test]
fn an_unreachable_postgres_server_is_named_without_its_password() {
    // Port 9 (discard) on loopback: nothing listens there, so the connection is refused at once.
    let (ok, text) = rumbo(&["migrate", "--database", "postgres://rumbo:hunter2@127.0.0.1:9/rumbo"]);
    assert!(!ok);
    assert!(
        text.contains("cannot reach the database") && text.contains("127.0.0.1:9"),
        "{text}"
    );
    assert!(!text.contains("hunter2"), "the password must not be echoed: {text}");
}

#[test]
fn migrate_creates_and_upgrades_a_sqlite_database() {
    let folder = tempfile::tempdir().expect("temp folder");
    let url = format!("sqlite://{}/rumbo.db", folder.path().display());
    let (ok, text) = rumbo(&["migrate", "--database", &url]);
    assert!(ok, "{text}");
    assert!(folder.path().join("rumbo.db").exists());
    let (ok, text) = rumbo(&["migrate", "--database", &url]);
    assert!(ok, "running it again is harmless: {text}");
}
