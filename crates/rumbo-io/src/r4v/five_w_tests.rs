use super::*;

fn fixture(name: &str) -> Vec<u8> {
    let path = format!("{}/../../tests/fixtures/r4v-5w/{name}", env!("CARGO_MANIFEST_DIR"));
    std::fs::read(&path).unwrap_or_else(|e| panic!("{path}: {e}"))
}

/// R4V's real export: 50 reports from Mexico and Panama, with double-encoded text.
#[test]
fn the_real_export_reads_and_its_mojibake_is_repaired() {
    let file = read_five_w(&fixture("Activities_5W_2024.xlsx")).expect("reads");
    assert_eq!(file.rows_read, 50);
    assert_eq!(file.rows.len(), 50, "{:?}", file.rejected);
    let first = &file.rows[0];
    assert_eq!(first.number, 2);
    assert_eq!(first.activity.country.map(|c| c.to_string()).as_deref(), Some("MEX"));
    assert_eq!(first.activity.month.map(|m| m.to_string()).as_deref(), Some("2023-01"));
    assert_eq!(first.activity.cva, Some(true));
    assert_eq!(first.activity.value_usd, Some(880.0));
    assert_eq!(first.activity.new_beneficiaries, Some(2));
    assert_eq!(
        first.activity.age_gender,
        [Some(0), Some(0), Some(1), Some(1), Some(0), Some(0)]
    );
    let leon = file
        .repairs
        .iter()
        .find(|r| r.location == "row 4, column Admin1")
        .expect("Nuevo León repaired");
    assert_eq!(
        (leon.before.as_str(), leon.after.as_str()),
        ("Nuevo LeÃ³n", "Nuevo León")
    );
    assert_eq!(file.rows[2].activity.admin1.as_deref(), Some("Nuevo León"));
    assert!(
        file.repairs.iter().all(|r| !r.after.contains('Ã')),
        "{:?}",
        file.repairs
    );
    assert!(
        file.repairs.len() > 20,
        "repairs in names and descriptions: {}",
        file.repairs.len()
    );
    // A value of blanks is no value (rule 10 will say so), not an unreadable cell.
    assert_eq!(file.rows[11].activity.value_usd, None);
    assert_eq!(
        file.rows
            .iter()
            .filter(|r| r.activity.country.map(|c| c.to_string()).as_deref() == Some("PAN"))
            .count(),
        3
    );
}

#[test]
fn spanish_labels_and_unreadable_cells_are_located() {
    let csv = "País;Departamento;Organización solicitante;Mes;Sector;Indicador;Nuevos beneficiarios;Niñas;TM\n\
               Colombia;Norte de Santander;NRC;2024-02;Educación;EDU1;12;12;No\n\
               Perú;Lima;NRC;febrero;Salud;HEA1;doce;;quizás\n\
               Narnia;X;NRC;2024-02;Salud;HEA1;1;;No\n";
    let file = read_five_w(csv.as_bytes()).expect("reads");
    assert_eq!(file.rows.len(), 1);
    let a = &file.rows[0].activity;
    assert_eq!(a.admin1.as_deref(), Some("Norte de Santander"));
    assert_eq!(a.new_beneficiaries, Some(12));
    assert_eq!(a.age_gender[0], Some(12));
    assert_eq!(a.cva, Some(false));
    let problems: Vec<String> = file.problems().iter().map(ToString::to_string).collect();
    assert!(
        problems.contains(&"row 3, column Nuevos beneficiarios: 'doce' is not a number".to_owned()),
        "{problems:?}"
    );
    assert!(
        problems.iter().any(|p| p.starts_with("row 3, column Mes:")),
        "{problems:?}"
    );
    assert!(
        problems.iter().any(|p| p.starts_with("row 3, column TM:")),
        "{problems:?}"
    );
    assert!(
        problems
            .iter()
            .any(|p| p.starts_with("row 4, column País:") && p.contains("Narnia")),
        "{problems:?}"
    );
}

#[test]
fn hxl_tagged_files_are_read_by_hashtag() {
    let csv = "a,b,c,d,e,f\n#country+code,#adm1+code,#date+month,#reached+new,#reached+f+children,#org+prog+name\n\
               COL,CO54,2024-03,7,7,NRC\n";
    let file = read_five_w(csv.as_bytes()).expect("reads");
    let a = &file.rows[0].activity;
    assert_eq!(file.rows[0].number, 3);
    assert_eq!(a.admin1.as_deref(), Some("CO54"));
    assert_eq!(a.age_gender[0], Some(7));
    assert_eq!(a.new_beneficiaries, Some(7));
    assert_eq!(a.appealing_org.as_deref(), Some("NRC"));
}

#[test]
fn a_file_without_country_or_month_columns_is_refused() {
    let err = read_five_w(b"Indicator,Girls\nx,1\n").expect_err("refused");
    assert_eq!(err.problems.len(), 2);
    assert!(err.problems[0].problem.contains("country"));
}

/// A blank line is a row as a spreadsheet shows it, in every part and with either line end.
#[test]
fn large_files_read_in_parts_count_blank_lines_as_rows() {
    for end in ["\n", "\r\n"] {
        let mut csv = format!("Country,Admin1,Month,Activity_Description,New_beneficiaries{end}");
        let (mut row, mut expected) = (1, Vec::new());
        for n in 0..60_000 {
            if n % 9_000 == 0 {
                csv.push_str(end);
                row += 1;
            }
            let description = if n % 7 == 0 { "\"two\nlines\"" } else { "plain" };
            csv.push_str(&format!("Peru,Lima,2024-01,{description},{n}{end}"));
            row += 1;
            expected.push(row);
        }
        assert!(csv.len() > parts::PARALLEL_FROM, "{} bytes", csv.len());
        let file = read_five_w(csv.as_bytes()).expect("reads");
        let numbers: Vec<usize> = file.rows.iter().map(|r| r.number).collect();
        assert!(numbers == expected, "line end {end:?}: rows numbered otherwise");
    }
}

/// A large file is read in parts on every core; rows, problems and repairs keep their numbers,
/// and quoted line breaks never cut a record.
#[test]
fn large_files_read_in_parts_keep_their_row_numbers() {
    let mut csv = String::from("Country,Admin1,Month,Activity_Description,New_beneficiaries\n");
    let rows = 60_000;
    for n in 0..rows {
        let description = if n % 7 == 0 {
            "\"two\nlines, \"\"quoted\"\"\""
        } else {
            "plain"
        };
        let new = if n == 45_000 { "many".to_owned() } else { n.to_string() };
        let admin1 = if n == 50_000 { "Nuevo LeÃ³n" } else { "Lima" };
        csv.push_str(&format!("Peru,{admin1},2024-01,{description},{new}\n"));
    }
    assert!(csv.len() > parts::PARALLEL_FROM, "{} bytes", csv.len());
    let file = read_five_w(csv.as_bytes()).expect("reads");
    assert_eq!(file.rows_read, rows);
    assert_eq!(file.rows.len(), rows - 1);
    for (i, row) in file.rows.iter().enumerate().take(44_999) {
        assert_eq!(row.number, i + 2);
        assert_eq!(row.activity.new_beneficiaries, Some(i as i64));
    }
    assert_eq!(file.rejected[0].0, 45_002);
    assert_eq!(file.rejected[0].1[0].location, "row 45002, column New_beneficiaries");
    assert_eq!(file.repairs[0].location, "row 50002, column Admin1");
    assert_eq!(file.rows[100].activity.activity_description, Some("plain".into()));
    assert_eq!(
        file.rows[0].activity.activity_description.as_deref(),
        Some("two\nlines, \"quoted\"")
    );
}
