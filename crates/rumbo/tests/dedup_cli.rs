//! `rumbo dedup` on a small CSV file, through the real binary: the duplicates a desk makes are
//! found, the files come out in the contract's format, and a broken file is refused with the
//! row and column of each problem.

use std::path::Path;
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

const HEADER: &str =
    "id,organisation,given_names,first_surname,second_surname,birth_date,sex,document,nationality,person\n";

/// Forty people, a third of them registered again at another organisation with the errors of
/// the field, and one of them three times.
fn people() -> String {
    let given = [
        "María José",
        "Luis Alberto",
        "Yorbelis",
        "Carlos",
        "Ana Karina",
        "José Gregorio",
        "Daniela",
        "Wilmer",
    ];
    let surnames = [
        "Pérez",
        "González",
        "Rodríguez",
        "Hernández",
        "Arreaza",
        "Quintero",
        "Colmenares",
        "Briceño",
        "Urdaneta",
    ];
    let mut text = String::from(HEADER);
    let mut id = 0;
    for p in 0..40usize {
        let g = given[p % given.len()];
        let s1 = surnames[(p * 5) % surnames.len()];
        let s2 = surnames[(p * 7 + 2) % surnames.len()];
        let (y, m, d) = (1960 + p % 40, 1 + p % 12, 1 + (p * 11) % 28);
        let sex = if p % 2 == 0 { "female" } else { "male" };
        id += 1;
        text.push_str(&format!(
            "{id},ACNUR,{g},{s1},{s2},{y}-{m:02}-{d:02},{sex},V-{}.{:03}.{:03},VEN,p{p}\n",
            10 + p,
            p * 7 % 1000,
            p * 13 % 1000
        ));
        if p % 3 == 0 {
            id += 1;
            // Accents and case lost, surnames swapped, the document without dots.
            text.push_str(&format!(
                "{id},HIAS,{},{},{},{y}-{m:02}-{d:02},{sex},V{}{:03}{:03},VEN,p{p}\n",
                g.to_uppercase(),
                s2.to_lowercase(),
                s1.to_lowercase(),
                10 + p,
                p * 7 % 1000,
                p * 13 % 1000
            ));
        }
        if p == 6 {
            id += 1;
            // Second given name and surname left off, no document, day and month swapped.
            let first = g.split(' ').next().unwrap_or(g);
            text.push_str(&format!("{id},NRC,{first},{s1},,{y}-{d:02}-{m:02},{sex},,VEN,p{p}\n"));
        }
    }
    text
}

fn read(path: &Path) -> String {
    std::fs::read_to_string(path).expect("read output")
}

#[test]
fn finds_the_duplicates_of_a_csv_file() {
    let dir = tempfile::tempdir().expect("temp dir");
    let input = dir.path().join("people.csv");
    std::fs::write(&input, people()).expect("write input");
    let pairs = dir.path().join("pairs.csv");
    let clusters = dir.path().join("clusters.csv");
    let (ok, text) = rumbo(&[
        "dedup",
        "--input",
        input.to_str().expect("path"),
        "--pairs-out",
        pairs.to_str().expect("path"),
        "--clusters-out",
        clusters.to_str().expect("path"),
    ]);
    assert!(ok, "{text}");
    assert!(text.contains("Read 55 records"), "{text}");
    assert!(text.contains("candidate pairs") && text.contains("Seconds:"), "{text}");

    let pairs = read(&pairs);
    let mut lines = pairs.lines();
    assert_eq!(
        lines.next(),
        Some("left_id,right_id,probability,weight,given_names,surnames,birth_date,sex,document,nationality")
    );
    let found: Vec<(String, String)> = lines
        .map(|l| {
            let cells: Vec<&str> = l.split(',').collect();
            assert_eq!(cells.len(), 10, "{l}");
            let p: f64 = cells[2].parse().expect("probability");
            assert!((0.5..=1.0).contains(&p), "{l}");
            (cells[0].to_owned(), cells[1].to_owned())
        })
        .collect();
    // 14 people registered twice, one of them three times: 13 + 3 true pairs.
    let truth = truth();
    let true_found = found.iter().filter(|(a, b)| truth[a] == truth[b]).count();
    assert_eq!(true_found, 16, "{found:?}");
    assert_eq!(found.len(), 16, "{found:?}");

    let clusters = read(&clusters);
    let rows: Vec<(String, String)> = clusters
        .lines()
        .skip(1)
        .map(|l| {
            let (id, cluster) = l.split_once(',').expect("two columns");
            (id.to_owned(), cluster.to_owned())
        })
        .collect();
    assert_eq!(rows.len(), 55);
    for (id, cluster) in &rows {
        assert_eq!(truth[id], truth[cluster], "record {id} in cluster {cluster}");
    }
    let persons: std::collections::HashSet<&String> = rows.iter().map(|(_, c)| c).collect();
    assert_eq!(persons.len(), 40);
    // The person registered three times is one cluster, named by its smallest id.
    let thrice: Vec<&(String, String)> = rows.iter().filter(|(id, _)| truth[id] == "p6").collect();
    assert_eq!(thrice.len(), 3);
    assert!(thrice.iter().all(|(_, c)| c == "9"), "{thrice:?}");
}

fn truth() -> std::collections::HashMap<String, String> {
    people()
        .lines()
        .skip(1)
        .map(|l| {
            let cells: Vec<&str> = l.split(',').collect();
            (cells[0].to_owned(), cells[9].to_owned())
        })
        .collect()
}

#[test]
fn a_broken_file_is_refused_with_row_and_column() {
    let dir = tempfile::tempdir().expect("temp dir");
    let input = dir.path().join("people.csv");
    std::fs::write(
        &input,
        format!("{HEADER}1,A,Ana,Paz,,1990-13-01,female,,,p1\n2,A,Ana,Paz,,1990-01-01,x,,,p1\n"),
    )
    .expect("write");
    let pairs = dir.path().join("pairs.csv");
    let (ok, text) = rumbo(&[
        "dedup",
        "--input",
        input.to_str().expect("path"),
        "--pairs-out",
        pairs.to_str().expect("path"),
        "--clusters-out",
        dir.path().join("c.csv").to_str().expect("path"),
    ]);
    assert!(!ok);
    assert!(text.contains("row 2, column birth_date"), "{text}");
    assert!(text.contains("row 3, column sex"), "{text}");
    assert!(!text.contains("panicked"), "{text}");
    assert!(!pairs.exists(), "nothing is written from a refused file");

    let (ok, text) = rumbo(&[
        "dedup",
        "--input",
        "/no/such/file.csv",
        "--pairs-out",
        "p",
        "--clusters-out",
        "c",
    ]);
    assert!(!ok);
    assert!(text.contains("cannot read /no/such/file.csv"), "{text}");
    let (ok, text) = rumbo(&[
        "dedup",
        "--input",
        "x",
        "--pairs-out",
        "p",
        "--clusters-out",
        "c",
        "--threshold",
        "2",
    ]);
    assert!(!ok);
    assert!(text.contains("not a probability"), "{text}");
}
