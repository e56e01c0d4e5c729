use super::*;

fn read(text: &str) -> Vec<(String, AdminArea)> {
    read_pcodes(text.as_bytes()).expect("read")
}

fn problems(text: &[u8]) -> Vec<String> {
    read_pcodes(text)
        .expect_err("rejected")
        .problems
        .iter()
        .map(ToString::to_string)
        .collect()
}

#[test]
fn one_area_per_row_with_an_hxl_row_and_semicolons() {
    let areas = read(
        "PCode;Level;Parent_PCode;Country;Name_ES;Name_EN;Name_PT\n\
         #adm+code;;;#country+code;;;\n\
         CO54;1;;COL;Norte de Santander;;\n\
         CO54001;2;CO54;CO;Cúcuta;Cucuta;Cúcuta\n\
         BR14;1;;;;;Roraima\n",
    );
    assert_eq!(areas.len(), 3);
    assert_eq!(areas[0].0, "row 3");
    let cucuta = &areas[1].1;
    assert_eq!(
        (cucuta.pcode.as_str(), cucuta.level.get(), cucuta.country.as_str()),
        ("CO54001", 2, "COL")
    );
    assert_eq!(cucuta.parent.as_ref().map(Pcode::as_str), Some("CO54"));
    assert_eq!(cucuta.names.en.as_deref(), Some("Cucuta"));
    assert_eq!(areas[2].1.country.as_str(), "BRA", "country from the P-code");
    assert!(areas.iter().all(|(_, a)| a.boundary.is_none()));
}

#[test]
fn every_bad_row_is_named_with_its_column() {
    let listed = problems(
        "pcode,level,parent_pcode,country,name_es\n\
         CO54,1,,COL,Norte\n\
         CO54,1,,COL,Otra vez\n\
         CO-5,1,,COL,Mal\n\
         CO05,4,,COL,Nivel\n\
         CO05001,2,,COL,Huérfano\n\
         CO08,1,CO05,COL,Con padre\n\
         CO11,1,,XYZ,País\n\
         CO13,1,,COL,\n\
         CO15,uno,,COL,Texto\n"
            .as_bytes(),
    );
    let expect = [
        "row 3, column pcode: P-code CO54 is already at row 2",
        "row 4, column pcode: 'CO-5' is not a P-code",
        "row 5, column level: admin level 4 is not supported",
        "row 6, column parent_pcode: missing: a level-2 area needs the P-code of its level-1 parent",
        "row 7, column parent_pcode: a level-1 area's parent is its country",
        "row 8, column country: 'XYZ' is not a country Rumbo knows",
        "row 9: no name",
        "row 10, column level: 'uno' is not an admin level",
    ];
    for wanted in expect {
        assert!(
            listed.iter().any(|p| p.starts_with(wanted)),
            "{wanted} not in {listed:#?}"
        );
    }
    assert_eq!(listed.len(), expect.len(), "{listed:#?}");
}

#[test]
fn wrong_columns_and_empty_files() {
    assert_eq!(
        problems(b"code,nombre\nCO54,Norte\n"),
        [
            "header: the column 'pcode' is missing (or give one P-code column per level: adm1_pcode, adm2_pcode, adm3_pcode)"
        ]
    );
    assert_eq!(
        problems(b"pcode,name_es\nCO54,Norte\n"),
        ["header: the column 'level' is missing"]
    );
    assert_eq!(problems(b"pcode,level\n"), ["file: the file has a header but no rows"]);
    assert_eq!(problems(b""), ["file: the file is empty"]);
    assert!(problems(b"pcode,level\nCO\xf1,1\n")[0].starts_with("line 2, byte 14: the file is not UTF-8"));
}

#[test]
fn one_row_per_lowest_area_with_ancestors() {
    let areas = read(
        "country,adm1_pcode,adm1_name_es,adm2_pcode,adm2_name_es,adm2_name_en\n\
         #country+code,#adm1+code,#adm1+name+i_es,#adm2+code,#adm2+name+i_es,#adm2+name+i_en\n\
         COL,CO54,Norte de Santander,CO54001,Cúcuta,Cucuta\n\
         COL,CO54,Norte de Santander,CO54874,Villa del Rosario,\n\
         COL,CO05,,CO05001,Medellín,\n",
    );
    let pcodes: Vec<(&str, &str, u8)> = areas
        .iter()
        .map(|(place, a)| (place.as_str(), a.pcode.as_str(), a.level.get()))
        .collect();
    // CO05 has no name in the file: it must already be known, so it is not produced.
    assert_eq!(
        pcodes,
        [
            ("row 3", "CO54", 1),
            ("row 3", "CO54001", 2),
            ("row 4", "CO54874", 2),
            ("row 5", "CO05001", 2)
        ]
    );
    assert_eq!(areas[3].1.parent.as_ref().map(Pcode::as_str), Some("CO05"));

    // Tagged only with HXL, under headers in another language.
    let tagged = read("País,Código,Nombre\n#country+code,#adm1+code,#adm1+name\nCO,CO54,Norte de Santander\n");
    assert_eq!(tagged[0].1.names.es.as_deref(), Some("Norte de Santander"));

    let listed = problems(
        "adm1_pcode,adm1_name_es,adm2_pcode,adm2_name_es\nCO54,Norte,CO54001,Cúcuta\nCO54,Norte,CO54001,Otra\n,,,\nCO54,Norte,,\n"
            .as_bytes(),
    );
    // A department's own row (row 5) may follow rows that only mentioned it.
    assert_eq!(listed, ["row 3, column adm2_pcode: P-code CO54001 is already at row 2"]);
}
