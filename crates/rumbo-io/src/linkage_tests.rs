use rumbo_domain::linkage::{FieldComparison, ScoredPair};

use super::*;

const HEADER: &str =
    "id,organisation,given_names,first_surname,second_surname,birth_date,sex,document,nationality,person\n";

#[test]
fn reads_the_contract_format_with_an_hxl_row_and_a_truth_column() {
    let text = format!(
        "{HEADER}#beneficiary+code,#org+code,#beneficiary+name+given,,,#date+birth,#beneficiary+sex,,,\n\
         1,ACNUR,María José,Pérez,González,1990-03-05,female,V-12.345.678,ven,p1\n\
         2,HIAS,Maria,Perez,,,,,,p1\n"
    );
    let records = read_people(text.as_bytes()).expect("read");
    assert_eq!(records.len(), 2);
    let first = &records[0];
    assert_eq!(first.key, "1");
    assert_eq!(first.source, "ACNUR");
    assert_eq!(first.given_names, "María José");
    assert_eq!(first.second_surname.as_deref(), Some("González"));
    assert_eq!(first.birth_date.map(|d| d.to_string()), Some("1990-03-05".into()));
    assert_eq!(first.sex, Some(Sex::Female));
    assert_eq!(first.document.as_deref(), Some("V-12.345.678"));
    assert_eq!(first.nationality.as_deref(), Some("VEN"));
    let second = &records[1];
    assert_eq!(
        (second.second_surname.clone(), second.birth_date, second.sex),
        (None, None, None)
    );
    assert_eq!((second.document.clone(), second.nationality.clone()), (None, None));
}

#[test]
fn bad_values_are_reported_at_their_row_and_column() {
    let text = format!(
        "{HEADER}1,A,Ana,Paz,,1990-02-30,female,,,\n\
         2,A,Ana,Paz,,1990-02-03,alien,,VENEZUELA,\n\
         ,A,Ana,Paz,,,,,,\n\
         2,A,Ana,Paz,,,,,,\n"
    );
    let rejected = read_people(text.as_bytes()).expect_err("bad rows");
    let places: Vec<&str> = rejected.problems.iter().map(|p| p.location.as_str()).collect();
    assert_eq!(
        places,
        vec![
            "row 2, column birth_date",
            "row 3, column sex",
            "row 3, column nationality",
            "row 4, column id",
            "row 5, column id"
        ]
    );
    assert!(
        rejected.problems[4].problem.contains("row 3"),
        "{:?}",
        rejected.problems[4]
    );
    // No name leaks into a problem.
    assert!(
        rejected
            .problems
            .iter()
            .all(|p| !p.problem.contains("Ana") && !p.problem.contains("Paz"))
    );
}

#[test]
fn a_missing_column_is_named() {
    let rejected = read_people(b"id,given_names,first_surname,sex\n1,Ana,Paz,female\n").expect_err("no birth_date");
    assert_eq!(rejected.problems.len(), 1);
    assert_eq!(rejected.problems[0].location, "header");
    assert!(rejected.problems[0].problem.contains("birth_date"));
    assert!(read_people(b"").is_err());
    assert!(read_people(&[0xFF, 0xFE, 0x41]).is_err());
}

#[test]
fn pairs_and_clusters_out() {
    let records: Vec<PersonRecord> = ["10", "9", "x", "100"]
        .iter()
        .map(|k| PersonRecord {
            key: (*k).into(),
            ..PersonRecord::default()
        })
        .collect();
    let pair = ScoredPair {
        left: 0,
        right: 1,
        probability: 0.987_654_321,
        weight: 12.345_67,
        fields: FIELDS
            .iter()
            .map(|f| FieldComparison {
                field: f,
                level: "exact",
                weight: 1.5,
            })
            .collect(),
    };
    // Fields out of their order, or missing, are still written under their own names.
    let mut shuffled = pair.clone();
    shuffled.fields.reverse();
    shuffled.fields.truncate(5);
    shuffled.fields[0].weight = -2.0;
    let mut out = Vec::new();
    write_pairs_csv(&records, &[pair, shuffled], &mut out).expect("write");
    let text = String::from_utf8(out).expect("utf8");
    assert_eq!(
        text,
        "left_id,right_id,probability,weight,given_names,surnames,birth_date,sex,document,nationality\n\
         10,9,0.987654,12.346,1.500,1.500,1.500,1.500,1.500,1.500\n\
         10,9,0.987654,12.346,0.000,1.500,1.500,1.500,1.500,-2.000\n"
    );
    let mut out = Vec::new();
    write_clusters_csv(&records, &[vec![0, 1, 3], vec![2]], &mut out).expect("write");
    let text = String::from_utf8(out).expect("utf8");
    assert_eq!(text, "id,cluster\n10,9\n9,9\nx,x\n100,9\n");
}

#[test]
fn rows_keep_their_numbers_past_hxl_blank_and_refused_rows() {
    let text = "id;given_names;first_surname;birth_date;sex\n\
                #beneficiary+code;;;;\n\
                a;Ana;Paz;05/03/1990;f\n\
                \n\
                ;;;;\n\
                b;Luis;Rojas;1990-13-01;male;extra\n\
                a;Ana;Paz; 1990-03-05 ;female\n\
                c;José;Díaz;1990-3-5;\n";
    let rejected = read_people(text.as_bytes()).expect_err("bad rows");
    let problems: Vec<(&str, &str)> = rejected
        .problems
        .iter()
        .map(|p| (p.location.as_str(), p.problem.as_str()))
        .collect();
    assert_eq!(problems.len(), 2, "{problems:?}");
    // The row with more values than columns is refused as a whole, before the values' problems.
    // Rows as a spreadsheet (or an editor) shows them: an empty line is a row too.
    assert_eq!(problems[0].0, "row 6");
    assert!(problems[0].1.contains("6 values"), "{problems:?}");
    assert_eq!(problems[1], ("row 7, column id", "repeats the id of row 3"));

    let fixed = text
        .replace(";extra", "")
        .replace("1990-13-01", "1990-12-01")
        .replace("\na;Ana;Paz; 1990", "\nd;Ana;Paz; 1990");
    let records = read_people(fixed.as_bytes()).expect("valid");
    let dates: Vec<String> = records
        .iter()
        .map(|r| r.birth_date.map(|d| d.to_string()).unwrap_or_default())
        .collect();
    assert_eq!(dates, ["1990-03-05", "1990-12-01", "1990-03-05", "1990-03-05"]);
    assert_eq!(records[0].sex, Some(Sex::Female));
}

#[test]
fn a_long_value_and_a_bad_encoding_are_located() {
    let long = "x".repeat(MAX_VALUE + 1);
    let text = format!("{HEADER}1,A,{long},Paz,,,,,,\n2,A,Ana,Paz,,,,,,\n");
    let rejected = read_people(text.as_bytes()).expect_err("too long");
    assert_eq!(rejected.problems.len(), 1);
    assert_eq!(rejected.problems[0].location, "row 2, column given_names");
    let mut bytes = format!("{HEADER}1,A,Ana,Paz,,,,,,\n").into_bytes();
    bytes.extend_from_slice(b"2,A,Mar\xeda,Paz,,,,,,\n");
    let rejected = read_people(&bytes).expect_err("latin-1");
    assert!(rejected.problems[0].location.starts_with("line 3"), "{rejected:?}");
}

/// Files without quotes are read in parts on several threads: the records are those one
/// thread reads, in the same order, wherever the cuts fall.
#[test]
fn reading_in_parts_gives_the_records_read_whole() {
    let mut many = String::from(HEADER);
    for k in 0..40 {
        many.push_str(&format!(
            "{k},ORG{},Ana María,Pérez,{},199{}-0{}-1{},{},V-{k}{k},{}\n",
            k % 3,
            if k % 4 == 0 { "" } else { "Díaz" },
            k % 10,
            1 + k % 9,
            k % 10,
            if k % 2 == 0 { "female" } else { "m" },
            if k % 5 == 0 { "" } else { "col" },
        ));
        if k % 7 == 0 {
            many.push_str("\n,,,,,,,,,\n");
        }
    }
    let texts = [
        many.clone(),
        many.replace('\n', "\r\n"),
        many.trim_end().to_owned(),
        format!("{HEADER}#beneficiary+code,#org+code,,,,,,,,\n1,A,Ana,Paz,,05/03/1990,f,,,\n2,B,Luis,Rojas,,,,,,"),
        "id;given_names;first_surname;birth_date;sex\na;Ana;Paz;1990-03-05;f\n\nb;Luis;Rojas;;\n".to_owned(),
        HEADER.to_owned(),
    ];
    for text in &texts {
        let whole = read_whole(text).expect("valid");
        for parts in 1..=6 {
            assert_eq!(
                read_in_parts(text, parts).as_ref(),
                Some(&whole),
                "{parts} parts of {text:?}"
            );
        }
        assert_eq!(read_people(text.as_bytes()).expect("valid"), whole);
    }
}

/// Line feeds counted in runs as one by one, across the runs' edges.
#[test]
fn line_ends_are_counted() {
    for len in [0, 1, 254, 255, 256, 1000] {
        for text in ["\n".repeat(len), "a\n".repeat(len), format!("{}\n", "é".repeat(len))] {
            let expected = text.bytes().filter(|b| *b == b'\n').count();
            assert_eq!(line_ends(text.as_bytes()), expected, "{len}");
        }
    }
}

/// `female` and `male` are read without the general parse: every way of writing sex is read as
/// that parse reads it.
#[test]
fn sex_is_read_as_the_general_parse_reads_it() {
    use rumbo_domain::Vocabulary;
    use rumbo_domain::registration::people::Sex;
    let written = [
        "female", "male", "other", "FEMALE", "Male", " female ", "f", "M", "mujer", "homem",
    ];
    let mut text = String::from(HEADER);
    for (k, sex) in written.iter().enumerate() {
        text.push_str(&format!("{k},A,Ana,Paz,,,{sex},,,\n"));
    }
    for records in [
        read_in_parts(&text, 2).expect("in parts"),
        read_whole(&text).expect("whole"),
    ] {
        for (record, sex) in records.iter().zip(written) {
            assert_eq!(record.sex, Some(Sex::parse(sex).expect("a sex")), "{sex:?}");
        }
    }
}

/// A quote (a value may then span lines) or any problem sends the file to the reader that
/// numbers rows and reports every problem.
#[test]
fn a_file_with_quotes_or_problems_is_read_whole() {
    let long = "x".repeat(MAX_VALUE + 1);
    for text in [
        format!("{HEADER}1,A,\"Ana\nMaría\",Paz,,,,,,\n"),
        format!("{HEADER}1,A,Ana,Paz,,1990-02-30,,,,\n"),
        format!("{HEADER}1,A,Ana,Paz,,,alien,,,\n"),
        format!("{HEADER}1,A,Ana,Paz,,,,,VENEZUELA,\n"),
        format!("{HEADER}1,A,Ana,Paz,,,,,,\n,A,Ana,Paz,,,,,,\n"),
        format!("{HEADER}1,A,Ana,Paz,,,,,,\n2,A,Ana,Paz,,,,,,,extra\n"),
        format!("{HEADER}1,A,{long},Paz,,,,,,\n"),
        format!("{HEADER}1,A,Ana,Paz,,,,,,\n2,B,Luis,Rojas,,,,,,\n1,C,Ana,Paz,,,,,,\n"),
        "id,given_names,first_surname,birth_date\n1,Ana,Paz,\n".to_owned(),
        "id,id,given_names,first_surname,birth_date,sex\n1,1,Ana,Paz,,\n".to_owned(),
        // A lone carriage return ends a row, as old Mac files end them.
        format!("{HEADER}1,A,Ana,Paz,,,,,,\r2,B,Luis,Rojas,,,,,,\r"),
        // A quote in the header, or in the last row only.
        format!("{}1,A,Ana,Paz,,,,,,\n", HEADER.replacen("id", "\"id\"", 1)),
        format!("{HEADER}1,A,Ana,Paz,,,,,,\n2,B,Luis,Rojas,,,,,,\n3,C,\"Luz\",Rojas,,,,,,\n"),
    ] {
        for parts in 1..=3 {
            assert_eq!(read_in_parts(&text, parts), None, "{text:?}");
        }
    }
    let lone = format!("{HEADER}1,A,Ana,Paz,,,,,,\r\r2,B,Luis,Rojas,,,,,,\r");
    let keys: Vec<String> = read_people(lone.as_bytes())
        .expect("valid")
        .into_iter()
        .map(|r| r.key)
        .collect();
    assert_eq!(keys, ["1", "2"]);
    let quoted = format!("{HEADER}1,A,\"Ana\nMaría\",Paz,,,,,,\n");
    assert_eq!(
        read_people(quoted.as_bytes()).expect("valid")[0].given_names,
        "Ana\nMaría"
    );
}

/// Cluster rows are formatted in runs on several threads: the file is the one a single writer
/// makes, row for row, across the runs' seams.
#[test]
fn clusters_of_many_records_are_written_in_order() {
    let n = 2 * CLUSTER_ROWS_PER_RUN + 7;
    let records: Vec<PersonRecord> = (0..n)
        .map(|k| PersonRecord {
            key: if k % 5 == 0 { format!("r,{k}") } else { k.to_string() },
            ..PersonRecord::default()
        })
        .collect();
    let clusters: Vec<Vec<usize>> = (0..n).step_by(2).map(|k| (k..(k + 2).min(n)).collect()).collect();
    let mut out = Vec::new();
    write_clusters_csv(&records, &clusters, &mut out).expect("write");
    let mut expected = csv::Writer::from_writer(Vec::new());
    expected.write_record(["id", "cluster"]).expect("header");
    for (k, record) in records.iter().enumerate() {
        let first = &records[k - k % 2].key;
        let second = records.get(k - k % 2 + 1).map_or(first, |r| &r.key);
        let smallest = if id_order(first.as_bytes()) <= id_order(second.as_bytes()) {
            first
        } else {
            second
        };
        expected.write_record([record.key.as_str(), smallest]).expect("row");
    }
    assert_eq!(out, expected.into_inner().expect("flushed"));
}

proptest::proptest! {
    /// The quick path for `YYYY-MM-DD` gives the general parse's date whenever it answers, and
    /// answers for every valid date so written.
    #[test]
    fn iso_dates_read_as_the_general_parse_reads_them(
        y in 0u16..10_000, m in 0u8..15, d in 0u8..33, noise in "[0-9/ -]{0,11}"
    ) {
        let written = format!("{y:04}-{m:02}-{d:02}");
        let general = parse_optional_date("birth_date", &written).ok().flatten();
        proptest::prop_assert_eq!(iso_date(&written), general);
        if let Some(date) = iso_date(&noise) {
            proptest::prop_assert_eq!(parse_optional_date("birth_date", &noise).ok().flatten(), Some(date));
        }
    }
}

/// Field weights are formatted once and copied after: every row holds its own weights, for
/// weights that repeat, that differ by a bit, and that share a slot.
#[test]
fn repeated_field_weights_are_written_as_formatted() {
    let records: Vec<PersonRecord> = (0..2)
        .map(|k| PersonRecord {
            key: k.to_string(),
            ..PersonRecord::default()
        })
        .collect();
    let weight = |k: usize| match k % 7 {
        0 => 0.0,
        1 => -0.0,
        2 => 1.0005,
        3 => f64::from_bits(1.0005_f64.to_bits() + 1),
        4 => -12.3456,
        5 => 1e300,
        _ => k as f64 * 0.37,
    };
    let pairs: Vec<ScoredPair> = (0..5000)
        .map(|k| ScoredPair {
            left: 0,
            right: 1,
            probability: 0.5,
            weight: 1.0,
            fields: FIELDS
                .iter()
                .enumerate()
                .map(|(f, field)| FieldComparison {
                    field,
                    level: "exact",
                    weight: weight(k * 3 + f),
                })
                .collect(),
        })
        .collect();
    let mut out = Vec::new();
    write_pairs_csv(&records, &pairs, &mut out).expect("write");
    let text = String::from_utf8(out).expect("utf8");
    for (k, line) in text.lines().skip(1).enumerate() {
        let expected: Vec<String> = (0..FIELDS.len()).map(|f| format!("{:.3}", weight(k * 3 + f))).collect();
        assert_eq!(line, format!("0,1,0.500000,1.000,{}", expected.join(",")), "row {k}");
    }
    assert_eq!(text.lines().count(), 5001);
}

/// The household column, under any of its names or its hashtag, each organisation's number
/// as written; empty is none. Its weight is written when the records have households.
#[test]
fn the_household_column_is_read_and_its_weight_written() {
    for (name, tag) in [
        ("household", ""),
        ("hogar", ""),
        ("case", "#beneficiary+code+household"),
    ] {
        let text = format!(
            "id,organisation,given_names,first_surname,birth_date,sex,{name}\n\
             #beneficiary+code,#org+code,,,,,{tag}\n\
             1,ACNUR,Ana,Paz,,female,H-0042\n\
             2,HIAS,Ana,Paz,,female,\n"
        );
        let records = read_people(text.as_bytes()).expect("read");
        assert_eq!(records[0].household.as_deref(), Some("H-0042"), "{name}");
        assert_eq!(records[1].household, None, "{name}");
        let pair = ScoredPair {
            left: 0,
            right: 1,
            probability: 0.9,
            weight: 4.0,
            fields: vec![FieldComparison {
                field: HOUSEHOLD_FIELD,
                level: "several_others_matched",
                weight: 4.0,
            }],
        };
        let mut out = Vec::new();
        write_pairs_csv(&records, &[pair], &mut out).expect("write");
        let text = String::from_utf8(out).expect("utf8");
        assert!(text.starts_with("left_id,right_id,probability,weight,given_names,surnames,birth_date,sex,document,nationality,household\n1,2,0.900000,4.000,0.000,0.000,0.000,0.000,0.000,0.000,4.000\n"), "{text}");
    }
    let without = read_people(format!("{HEADER}1,A,Ana,Paz,,,,,,p1\n").as_bytes()).expect("read");
    assert_eq!(without[0].household, None);
}

/// A file with the headers a Spanish-speaking office writes.
#[test]
fn spanish_headers_are_read() {
    let text = "id,Organización,Nombres,Primer apellido,Segundo apellido,Fecha nacimiento,Sexo,Documento,Nacionalidad,Código hogar\n\
                7,ACNUR,María José,González,Pérez,1990-03-05,F,V-12.345.678,VEN,A-1\n";
    let records = read_people(text.as_bytes()).expect("read");
    let r = &records[0];
    assert_eq!(
        (r.source.as_str(), r.given_names.as_str(), r.first_surname.as_str()),
        ("ACNUR", "María José", "González")
    );
    assert_eq!(r.second_surname.as_deref(), Some("Pérez"));
    assert_eq!(r.birth_date.map(|d| d.to_string()).as_deref(), Some("1990-03-05"));
    assert_eq!(
        (r.document.as_deref(), r.household.as_deref()),
        (Some("V-12.345.678"), Some("A-1"))
    );
}
