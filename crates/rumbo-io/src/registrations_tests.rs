use time::macros::date;

use super::*;

const TODAY: Date = date!(2026 - 03 - 01);

const GOOD: &str = "household,desk,population_group,arrival_date,consent_registration,consent_sharing,relationship,given_names,first_surname,second_surname,sex,birth_date,estimated_age,nationality,phone,needs,document_type,document_number,meals
F-1,COL-CUC-RD,in_destination,2025-11-02,yes,sí,head,Yolanda,Quintero,Zambrano,F,1988-04-12,,VEN,+57 301 555 0199,WR,venezuelan_cedula,V-12.345.678,one_or_less
F-1,,,,,,child,Thiago,Quintero,,M,,6,VEN,,SM;DS,,,
F-2,COL-CUC-RD,in_transit,,yes,no,head,Ramón,Pérez,,male,1970-01-01,,COL,,,passport,AB123456,
";

fn problems(text: &str) -> Vec<String> {
    read_registrations(text.as_bytes(), TODAY)
        .expect_err("rejected")
        .problems
        .iter()
        .map(ToString::to_string)
        .collect()
}

#[test]
fn rows_of_one_household_become_one_household() {
    let records = read_registrations(GOOD.as_bytes(), TODAY).expect("read");
    assert_eq!(records.len(), 2);
    let first = &records[0];
    assert_eq!(first.place, "household F-1 (rows 2-3)");
    assert_eq!((first.key.as_str(), first.desk.as_str()), ("F-1", "COL-CUC-RD"));
    assert_eq!(first.rows, [2, 3]);
    assert_eq!(first.household.members.len(), 2);
    assert!(first.household.consent.sharing);
    assert_eq!(first.household.members[0].documents[0].number, "V12345678");
    assert!(first.household.members[1].birth.estimated);
    assert_eq!(first.household.members[1].needs.len(), 2);
    assert_eq!(first.household.details.conditions.answer(0), Some("one_or_less"));
    assert!(!records[1].household.consent.sharing);
}

#[test]
fn every_problem_is_named_by_row_and_column() {
    let text = "household,desk,population_group,consent_registration,relationship,given_names,first_surname,sex,birth_date,nationality,document_type,document_number
A,D1,in_destination,yes,head,Ana,Rojas,F,2030-01-01,VEN,venezuelan_cedula,12345678
B,D1,in_destination,no,head,Luis,Mora,M,1990-01-01,VEN,,
C,D1,in_destination,yes,head,Eva,Díaz,F,2012-01-01,VEN,,
D,D1,in_destination,yes,head,Pia,Gil,F,1980-01-01,VEN,,
D,D2,in_destination,yes,child,Leo,Gil,M,2015-01-01,VEN,,
,D1,in_destination,yes,head,Sin,Hogar,F,1980-01-01,VEN,,
";
    let listed = problems(text);
    assert_eq!(
        listed,
        [
            "row 6, column desk: differs from row 5 of the same household",
            "row 7, column household: give the household this person belongs to (rows with the same value form one household)",
        ],
        "grouping problems come first, alone"
    );
    let without_grouping: String = text
        .lines()
        .filter(|l| !l.starts_with(",") && !l.contains(",D2,"))
        .map(|l| format!("{l}\n"))
        .collect();
    let listed = problems(&without_grouping);
    let expected = [
        "row 2, column birth_date: the date of birth is in the future",
        "row 2, column document_number: a Venezuelan cédula number starts with V",
        "row 3, column consent_registration: consent to register is required",
        "row 4, column child_headed: the head of household is 14 years old",
    ];
    assert_eq!(listed.len(), expected.len(), "{listed:#?}");
    for (got, wanted) in listed.iter().zip(expected) {
        assert!(got.starts_with(wanted), "{got} should start with {wanted}");
    }
}

#[test]
fn missing_columns_and_empty_files_are_named() {
    assert_eq!(
        problems("household,desk\nA,D1\n"),
        [
            "header: the column 'relationship' is missing",
            "header: the column 'given_names' is missing",
            "header: the column 'first_surname' is missing",
            "header: the column 'sex' is missing",
            "header: the column 'nationality' is missing",
        ]
    );
    assert_eq!(
        problems("household,desk,relationship,given_names,first_surname,sex,nationality\n"),
        ["file: the file has a header but no rows"]
    );
}

#[test]
fn a_personal_export_imports_again_and_a_pseudonymous_one_has_no_names() {
    let records = read_registrations(GOOD.as_bytes(), TODAY).expect("read");
    let rows: Vec<ExportedPerson> = records
        .iter()
        .flat_map(|r| {
            r.household.members.iter().enumerate().map(|(i, m)| ExportedPerson {
                household: r.key.clone(),
                person: format!("P-{i}"),
                desk: r.desk.clone(),
                registration_date: "2026-02-01".into(),
                population_group: "in_destination".into(),
                consent: r.household.consent,
                conditions: vec![],
                relationship: rumbo_domain::Vocabulary::code(m.relationship).into(),
                given_names: m.name.given_names.clone(),
                first_surname: m.name.first_surname.clone(),
                second_surname: m.name.second_surname.clone().unwrap_or_default(),
                sex: rumbo_domain::Vocabulary::code(m.sex).into(),
                birth_date: rumbo_domain::registration::people::format_date(m.birth.date),
                birth_date_estimated: m.birth.estimated,
                nationality: m.nationality.to_string(),
                phone: m.phone.clone().unwrap_or_default(),
                document_type: m
                    .documents
                    .first()
                    .map(|d| rumbo_domain::Vocabulary::code(d.doc_type).to_owned())
                    .unwrap_or_default(),
                document_number: m.documents.first().map(|d| d.number.clone()).unwrap_or_default(),
                ..Default::default()
            })
        })
        .collect();
    let mut personal = Vec::new();
    write_registrations_csv(&rows, true, &mut personal).expect("written");
    let text = String::from_utf8(personal).expect("utf-8");
    assert!(
        text.lines()
            .nth(1)
            .is_some_and(|l| l.starts_with("#beneficiary+code+household"))
    );
    assert!(
        text.contains("'+57 301 555 0199"),
        "phones are guarded from spreadsheets"
    );
    let again = read_registrations(text.as_bytes(), TODAY).expect("imports again");
    assert_eq!(again.len(), 2);
    assert_eq!(again[0].household.members[0].name, records[0].household.members[0].name);
    assert!(again[0].household.members[1].birth.estimated);

    let mut pseudonymous = Vec::new();
    write_registrations_csv(&rows, false, &mut pseudonymous).expect("written");
    let text = String::from_utf8(pseudonymous).expect("utf-8");
    for secret in [
        "Yolanda",
        "Quintero",
        "555",
        "V12345678",
        "given_names",
        "document_number",
    ] {
        assert!(!text.contains(secret), "{secret} in a pseudonymous export");
    }
    assert!(text.contains("P-0"));
}
