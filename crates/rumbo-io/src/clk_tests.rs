use rumbo_domain::clk::Clk;

use super::*;

const PEOPLE_CSV: &str = "id,organisation,given_names,first_surname,second_surname,birth_date,sex,document,nationality
#id,#org,#x,#x,#x,#x,#x,#x,#x
P-1,ORG,María José,González,Pérez,1987-03-05,female,V-12.345.678,VEN
P-2,ORG,Luis,Ramírez,,,male,,VEN
";

#[test]
fn reads_people_with_an_hxl_row() {
    let people = read_people(PEOPLE_CSV.as_bytes()).expect("valid");
    assert_eq!(people.len(), 2);
    assert_eq!(people[0].0, "P-1");
    assert_eq!(people[0].1.document.as_deref(), Some("V-12.345.678"));
    assert_eq!(people[1].1.second_surname, None);
    assert_eq!(people[1].1.birth_date, None);
}

#[test]
fn people_problems_name_row_and_column() {
    let csv = "id,given_names,first_surname,birth_date,sex\nA,Ana,Rojas,1990-13-01,f\nA,Eva,Rojas,,robot\n,Eva,Paz,,\n";
    let problems = read_people(csv.as_bytes()).expect_err("bad").problems;
    let places: Vec<&str> = problems.iter().map(|p| p.location.as_str()).collect();
    assert_eq!(
        places,
        [
            "row 2, column birth_date",
            "row 3, column id",
            "row 3, column sex",
            "row 4, column id"
        ]
    );
    assert!(problems[1].problem.contains("row 2"));
    let missing = read_people(b"id,given_names\n1,Ana\n")
        .expect_err("no surname")
        .problems;
    assert_eq!(missing[0].problem, "the column 'first_surname' is missing");
}

#[test]
fn encodings_round_trip() {
    let rows = vec![("abc".to_owned(), Clk::EMPTY), ("def".to_owned(), Clk([u64::MAX; 16]))];
    let mut out = Vec::new();
    write_encodings(&rows, &mut out).expect("written");
    assert_eq!(read_encodings(&out).expect("read back"), rows);
}

#[test]
fn encoding_problems_name_row_and_column() {
    let good = STANDARD.encode([0u8; 128]);
    let short = STANDARD.encode([0u8; 100]);
    let csv = format!("pseudonym,clk\na,{good}\na,{good}\nb,not*base64\nc,{short}\n,{good}\n");
    let problems = read_encodings(csv.as_bytes()).expect_err("bad").problems;
    let found: Vec<(&str, &str)> = problems
        .iter()
        .map(|p| (p.location.as_str(), p.problem.as_str()))
        .collect();
    assert_eq!(found[0], ("row 3, column pseudonym", "the same pseudonym as row 2"));
    assert_eq!(found[1].0, "row 4, column clk");
    assert!(found[1].1.starts_with("not base64"));
    assert_eq!(
        found[2],
        ("row 5, column clk", "the encoding has 100 bytes; it must have 128")
    );
    assert_eq!(found[3], ("row 6, column pseudonym", "the pseudonym is empty"));
}
