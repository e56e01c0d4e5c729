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

#[test]
fn keys_are_made_once_and_personal_exports_need_them_and_a_purpose() {
    let dir = std::env::temp_dir().join(format!("rumbo-cli-keys-{}", std::process::id()));
    std::fs::create_dir_all(&dir).expect("folder");
    let keys = dir.join("rumbo.keys");
    let keys = keys.to_str().expect("utf-8 path");
    let db = format!("sqlite://{}", dir.join("rumbo.db").display());
    let (ok, text) = rumbo(&["keys", "generate", "--output", keys]);
    assert!(ok, "{text}");
    let (ok, text) = rumbo(&["keys", "generate", "--output", keys]);
    assert!(!ok && text.contains("never replaces"), "{text}");
    let (ok, text) = rumbo(&["keys", "status", "--database", &db, "--data-key-file", keys]);
    assert!(ok && text.contains("current data key"), "{text}");

    let out = dir.join("people.csv");
    let out = out.to_str().expect("utf-8 path");
    let (ok, text) = rumbo(&[
        "registration",
        "export",
        "-o",
        out,
        "--purpose",
        "because",
        "--database",
        &db,
    ]);
    assert!(
        !ok && text.contains("distribution"),
        "an unknown purpose names the known ones: {text}"
    );
    let (ok, text) = rumbo(&[
        "registration",
        "export",
        "-o",
        out,
        "--purpose",
        "verification",
        "--database",
        &db,
    ]);
    assert!(!ok && text.contains("data keys"), "{text}");
    let (ok, text) = rumbo(&["registration", "export", "-o", out, "--database", &db]);
    assert!(ok && text.contains("pseudonymous"), "{text}");
    let written = std::fs::read_to_string(out).expect("export");
    assert!(
        written.starts_with("household,") && !written.contains("given_names"),
        "{written}"
    );
    let (ok, text) = rumbo(&["registration", "export", "-o", out, "--database", &db]);
    assert!(!ok && text.contains("exists already"), "{text}");
    std::fs::remove_dir_all(&dir).expect("clean up");
}
