//! `rumbo dedup --database`: the engine over the store through the real binary. What a run
//! files is tested in rumbo-store (tests/registration/deduplication.rs); here, the command's
//! own contract: it needs the data keys, checks the country, and writes the pairs and clusters
//! files in the file mode's columns.

use std::process::Command;

fn rumbo(args: &[&str]) -> (bool, String) {
    let output = Command::new(env!("CARGO_BIN_EXE_rumbo"))
        .args(args)
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
fn a_run_over_the_store_needs_the_keys_checks_the_country_and_writes_both_files() {
    let dir = tempfile::tempdir().expect("temp dir");
    let path = |name: &str| dir.path().join(name).to_str().expect("utf-8 path").to_owned();
    let (keys, pairs, clusters) = (path("rumbo.keys"), path("pairs.csv"), path("clusters.csv"));
    let db = format!("sqlite://{}", path("rumbo.db"));
    let (ok, text) = rumbo(&["keys", "generate", "--output", &keys]);
    assert!(ok, "{text}");

    let base = [
        "dedup",
        "--database",
        &db,
        "--pairs-out",
        &pairs,
        "--clusters-out",
        &clusters,
    ];
    let (ok, text) = rumbo(&base);
    assert!(!ok && text.contains("data keys"), "{text}");
    let mut with_keys = base.to_vec();
    with_keys.extend(["--data-key-file", &keys]);
    let mut bad = with_keys.clone();
    bad.extend(["--country", "Colombia"]);
    let (ok, text) = rumbo(&bad);
    assert!(!ok && text.contains("Colombia"), "{text}");
    let mut col = with_keys.clone();
    col.extend(["--country", "COL"]);
    let (ok, text) = rumbo(&col);
    assert!(ok, "{text}");
    assert!(
        text.contains("COL: fewer than two people are registered in COL (0): there is nothing to compare yet"),
        "{text}"
    );
    let written = std::fs::read_to_string(&pairs).expect("pairs");
    assert_eq!(
        written.lines().next(),
        Some("left_id,right_id,probability,weight,given_names,surnames,birth_date,sex,document,nationality")
    );
    let written = std::fs::read_to_string(&clusters).expect("clusters");
    assert_eq!(written.lines().next(), Some("id,cluster"));

    let (ok, text) = rumbo(&[
        "dedup",
        "--database",
        &db,
        "--input",
        &pairs,
        "--pairs-out",
        &pairs,
        "--clusters-out",
        &clusters,
    ]);
    assert!(!ok && text.contains("cannot be used with"), "{text}");
}
