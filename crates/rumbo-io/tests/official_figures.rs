//! The real official border movement table UNHCR published (ven_officialfiguresborders.xlsx,
//! MIT licence, copied into tests/fixtures/unhcr-americas/) reads whole.

use rumbo_io::official::read_official;
use rumbo_io::sheet::xlsx_to_csv;

#[test]
fn the_published_official_figures_read() {
    let path = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../../tests/fixtures/unhcr-americas/ven_officialfiguresborders.xlsx"
    );
    let bytes = std::fs::read(path).expect("tests/fixtures/unhcr-americas holds the published table");
    let text = xlsx_to_csv(&bytes).expect("xlsx");
    let table = read_official(&text).expect("every row reads");
    assert_eq!(
        table.figures.len() + table.not_reported,
        1314,
        "one figure per data row"
    );
    assert!(table.not_reported > 0, "Colombia's exits for some months are blank");
    let countries: std::collections::BTreeSet<&str> = table.figures.iter().map(|(_, f)| f.country.as_str()).collect();
    assert_eq!(countries.into_iter().collect::<Vec<_>>(), ["COL", "ECU", "PER"]);
    assert!(table.figures.iter().all(|(_, f)| f.month.starts_with("2020-")));
}
