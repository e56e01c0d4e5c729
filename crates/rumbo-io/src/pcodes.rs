//! P-code lists as CSV, in either of the two shapes they circulate in:
//!
//! - **one area per row**: `pcode, level, parent_pcode, country, name_es, name_en, name_pt`
//!   (a `name` column may stand for the name in the country's own language);
//! - **one row per lowest area, with its ancestors**, as COD-AB P-code sheets and Rumbo's own
//!   exports are: `country, adm1_pcode, adm1_name_es, ..., adm2_pcode, adm2_name_es, ...`. Each
//!   row then yields its lowest area and, when the row names them, its ancestors.
//!
//! Either may have an HXL row (`#country+code`, `#adm1+code`, `#adm1+name+i_es`...) under the
//! header. Areas from a P-code list have no boundary; import boundaries to place locations.

use std::collections::HashMap;

use rumbo_domain::country::Iso3;
use rumbo_domain::geography::{AdminArea, AdminLevel, Pcode};
use rumbo_domain::language::{Language, Names};

use crate::table::{ColumnSpec, Row, Table};
use crate::text::{Problems, Rejected, utf8};
use crate::{MAX_NAME, country_from_code, local_language, set_name};

const fn spec(
    name: &'static str,
    aliases: &'static [&'static str],
    hxl: Option<(&'static str, &'static [&'static str])>,
) -> ColumnSpec {
    ColumnSpec { name, aliases, hxl }
}

/// Narrow columns first, then wide ones: a column is claimed by the first spec it matches, so
/// `#adm1+name+i_es` goes to `adm1_name_es` before the plain `adm1_name` can take it.
const SPECS: &[ColumnSpec] = &[
    spec("pcode", &["p_code", "admin_pcode", "adm_pcode"], None),
    spec("level", &["admin_level", "adm_level", "nivel"], None),
    spec("parent_pcode", &["parent", "parent_p_code", "parent_code"], None),
    spec(
        "country",
        &["iso3", "country_code", "adm0_pcode", "iso"],
        Some(("country", &["code"])),
    ),
    spec("name_es", &[], None),
    spec("name_en", &[], None),
    spec("name_pt", &[], None),
    spec("name", &["ref_name", "name_ref"], None),
    spec(
        "adm1_pcode",
        &["admin1pcode", "adm1pcode", "admin1_pcode"],
        Some(("adm1", &["code"])),
    ),
    spec(
        "adm1_name_es",
        &["adm1_es", "admin1name_es"],
        Some(("adm1", &["name", "i_es"])),
    ),
    spec(
        "adm1_name_en",
        &["adm1_en", "admin1name_en"],
        Some(("adm1", &["name", "i_en"])),
    ),
    spec(
        "adm1_name_pt",
        &["adm1_pt", "admin1name_pt"],
        Some(("adm1", &["name", "i_pt"])),
    ),
    spec(
        "adm1_name",
        &["adm1_ref", "admin1name", "admin1refname"],
        Some(("adm1", &["name"])),
    ),
    spec(
        "adm2_pcode",
        &["admin2pcode", "adm2pcode", "admin2_pcode"],
        Some(("adm2", &["code"])),
    ),
    spec(
        "adm2_name_es",
        &["adm2_es", "admin2name_es"],
        Some(("adm2", &["name", "i_es"])),
    ),
    spec(
        "adm2_name_en",
        &["adm2_en", "admin2name_en"],
        Some(("adm2", &["name", "i_en"])),
    ),
    spec(
        "adm2_name_pt",
        &["adm2_pt", "admin2name_pt"],
        Some(("adm2", &["name", "i_pt"])),
    ),
    spec(
        "adm2_name",
        &["adm2_ref", "admin2name", "admin2refname"],
        Some(("adm2", &["name"])),
    ),
    spec(
        "adm3_pcode",
        &["admin3pcode", "adm3pcode", "admin3_pcode"],
        Some(("adm3", &["code"])),
    ),
    spec(
        "adm3_name_es",
        &["adm3_es", "admin3name_es"],
        Some(("adm3", &["name", "i_es"])),
    ),
    spec(
        "adm3_name_en",
        &["adm3_en", "admin3name_en"],
        Some(("adm3", &["name", "i_en"])),
    ),
    spec(
        "adm3_name_pt",
        &["adm3_pt", "admin3name_pt"],
        Some(("adm3", &["name", "i_pt"])),
    ),
    spec(
        "adm3_name",
        &["adm3_ref", "admin3name", "admin3refname"],
        Some(("adm3", &["name"])),
    ),
];

/// The columns holding one level's P-code and names in the wide shape.
struct LevelColumns {
    level: AdminLevel,
    pcode: (&'static str, Option<usize>),
    names: [(Language, &'static str, Option<usize>); 3],
    reference: Option<usize>,
}

/// Reads a P-code list into admin areas (without boundaries), each with where it came from
/// (`row 4`), or every problem found in it.
pub fn read_pcodes(bytes: &[u8]) -> Result<Vec<(String, AdminArea)>, Rejected> {
    let text = utf8(bytes)?;
    let mut problems = Problems::default();
    let table = Table::read(text, SPECS, &mut problems)?;
    let areas = if table.column("pcode").is_some() {
        table.require(&["level"], &mut problems);
        if !problems.is_empty() {
            return problems.finish(Vec::new());
        }
        narrow(&table, &mut problems)
    } else if table.column("adm1_pcode").is_some() {
        wide(&table, &mut problems)
    } else {
        problems.push(
            "header",
            "the column 'pcode' is missing (or give one P-code column per level: adm1_pcode, adm2_pcode, adm3_pcode)",
        );
        Vec::new()
    };
    if table.rows.is_empty() && problems.is_empty() {
        problems.push("file", "the file has a header but no rows");
    }
    problems.finish(areas)
}

fn narrow(table: &Table, problems: &mut Problems) -> Vec<(String, AdminArea)> {
    let col = |name| table.column(name);
    let mut areas = Vec::new();
    let mut seen: HashMap<Pcode, usize> = HashMap::new();
    for row in &table.rows {
        let at = |column: &str| format!("row {}, column {column}", row.number);
        let before = problems.count();
        let pcode = parse_pcode(row, col("pcode"), &at("pcode"), true, problems);
        let level = match row.get(col("level")).parse::<i64>() {
            Ok(n) => AdminLevel::new(n).map_err(|e| problems.push(at("level"), e)).ok(),
            Err(_) => {
                problems.push(
                    at("level"),
                    format!("'{}' is not an admin level (1, 2 or 3)", row.get(col("level"))),
                );
                None
            }
        };
        let parent = parse_pcode(row, col("parent_pcode"), &at("parent_pcode"), false, problems);
        match (level.and_then(AdminLevel::parent), &parent) {
            (Some(up), None) if level.is_some() => problems.push(
                at("parent_pcode"),
                format!(
                    "missing: a level-{} area needs the P-code of its level-{up} parent",
                    up.get() + 1
                ),
            ),
            (None, Some(_)) if level.is_some() => problems.push(
                at("parent_pcode"),
                "a level-1 area's parent is its country: leave parent_pcode empty",
            ),
            _ => {}
        }
        let country = parse_country(row, col("country"), pcode.as_ref(), &at("country"), problems);
        let mut names = Names::default();
        for (language, column) in [
            (Language::Es, "name_es"),
            (Language::En, "name_en"),
            (Language::Pt, "name_pt"),
        ] {
            if let Some(name) = parse_name(row, col(column), &at(column), problems) {
                set_name(&mut names, language, name);
            }
        }
        if names.is_empty()
            && let Some(name) = parse_name(row, col("name"), &at("name"), problems)
        {
            set_name(&mut names, country.map_or(Language::Es, local_language), name);
        }
        if names.is_empty() && pcode.is_some() {
            problems.push(
                format!("row {}", row.number),
                "no name: fill name_es, name_en or name_pt",
            );
        }
        if let Some(p) = &pcode
            && let Some(first) = seen.insert(p.clone(), row.number)
        {
            problems.push(at("pcode"), format!("P-code {p} is already at row {first}"));
        }
        if problems.count() != before {
            continue;
        }
        if let (Some(pcode), Some(level), Some(country)) = (pcode, level, country) {
            areas.push((
                format!("row {}", row.number),
                AdminArea {
                    pcode,
                    country,
                    level,
                    parent,
                    names,
                    boundary: None,
                },
            ));
        }
    }
    areas
}

fn wide(table: &Table, problems: &mut Problems) -> Vec<(String, AdminArea)> {
    let col = |name| table.column(name);
    let levels: Vec<LevelColumns> = AdminLevel::ALL
        .iter()
        .zip([
            [
                "adm1_pcode",
                "adm1_name_es",
                "adm1_name_en",
                "adm1_name_pt",
                "adm1_name",
            ],
            [
                "adm2_pcode",
                "adm2_name_es",
                "adm2_name_en",
                "adm2_name_pt",
                "adm2_name",
            ],
            [
                "adm3_pcode",
                "adm3_name_es",
                "adm3_name_en",
                "adm3_name_pt",
                "adm3_name",
            ],
        ])
        .map(|(level, [pcode, es, en, pt, reference])| LevelColumns {
            level: *level,
            pcode: (pcode, col(pcode)),
            names: [
                (Language::Es, es, col(es)),
                (Language::En, en, col(en)),
                (Language::Pt, pt, col(pt)),
            ],
            reference: col(reference),
        })
        .collect();

    // An area is defined by the row where it is the lowest level; rows below it only mention
    // it, and a mention is used only when no row defines it (an adm2 sheet alone carries the
    // departments too).
    let mut own: HashMap<Pcode, usize> = HashMap::new();
    let mut areas: Vec<(String, AdminArea)> = Vec::new();
    let mut index: HashMap<Pcode, usize> = HashMap::new();
    for row in &table.rows {
        let at = |column: &str| format!("row {}, column {column}", row.number);
        let before = problems.count();
        let Some(lowest) = levels.iter().rposition(|l| !row.get(l.pcode.1).is_empty()) else {
            problems.push(
                format!("row {}", row.number),
                "no P-code in adm1_pcode, adm2_pcode or adm3_pcode",
            );
            continue;
        };
        let mut found = Vec::new();
        let mut parent: Option<Pcode> = None;
        for columns in &levels[..=lowest] {
            let is_lowest = columns.level == levels[lowest].level;
            let Some(pcode) = parse_pcode(row, columns.pcode.1, &at(columns.pcode.0), true, problems) else {
                break;
            };
            let country = parse_country(row, col("country"), Some(&pcode), &at("country"), problems);
            let mut names = Names::default();
            for (language, column, index) in columns.names {
                if let Some(name) = parse_name(row, index, &at(column), problems) {
                    set_name(&mut names, language, name);
                }
            }
            if names.is_empty()
                && let Some(name) = parse_name(
                    row,
                    columns.reference,
                    &at(&format!("adm{}_name", columns.level)),
                    problems,
                )
            {
                set_name(&mut names, country.map_or(Language::Es, local_language), name);
            }
            if is_lowest {
                if names.is_empty() {
                    problems.push(
                        format!("row {}", row.number),
                        format!(
                            "no name for {pcode}: fill adm{0}_name_es, adm{0}_name_en or adm{0}_name_pt",
                            columns.level
                        ),
                    );
                }
                if let Some(first) = own.insert(pcode.clone(), row.number) {
                    problems.push(at(columns.pcode.0), format!("P-code {pcode} is already at row {first}"));
                }
            }
            if let Some(country) = country
                && (is_lowest || !names.is_empty())
            {
                found.push((
                    is_lowest,
                    AdminArea {
                        pcode: pcode.clone(),
                        country,
                        level: columns.level,
                        parent: parent.clone(),
                        names,
                        boundary: None,
                    },
                ));
            }
            parent = Some(pcode);
        }
        if problems.count() != before {
            continue;
        }
        for (is_lowest, area) in found {
            let place = format!("row {}", row.number);
            match index.get(&area.pcode) {
                Some(&i) if is_lowest => areas[i] = (place, area),
                Some(_) => {}
                None => {
                    index.insert(area.pcode.clone(), areas.len());
                    areas.push((place, area));
                }
            }
        }
    }
    areas
}

fn parse_pcode(row: &Row, index: Option<usize>, at: &str, required: bool, problems: &mut Problems) -> Option<Pcode> {
    match row.optional(index) {
        Some(raw) => Pcode::parse(raw).map_err(|e| problems.push(at, e)).ok(),
        None => {
            if required {
                problems.push(at, "missing: every area needs its P-code");
            }
            None
        }
    }
}

/// The row's country; when the cell is empty, the country whose ISO2 code starts the P-code
/// (COD P-codes do: CO54 is in Colombia).
fn parse_country(
    row: &Row,
    index: Option<usize>,
    pcode: Option<&Pcode>,
    at: &str,
    problems: &mut Problems,
) -> Option<Iso3> {
    match row.optional(index) {
        Some(raw) => country_from_code(raw).map_err(|e| problems.push(at, e)).ok(),
        None => {
            let pcode = pcode?;
            country_from_code(pcode.as_str().get(..2).unwrap_or(""))
                .map_err(|_| {
                    problems.push(
                        at,
                        format!("missing: say which country {pcode} is in (ISO3 code, such as COL)"),
                    )
                })
                .ok()
        }
    }
}

fn parse_name(row: &Row, index: Option<usize>, at: &str, problems: &mut Problems) -> Option<String> {
    let name = row.optional(index)?;
    if name.chars().count() > MAX_NAME {
        problems.push(at, format!("longer than {MAX_NAME} characters"));
        return None;
    }
    Some(name.to_owned())
}

#[cfg(test)]
#[path = "pcodes_tests.rs"]
mod tests;
