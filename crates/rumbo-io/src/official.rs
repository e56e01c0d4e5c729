//! Official border movement tables, in the shape migration authorities and UNHCR publish them:
//! `Country, Mov Type, Border Point, Month_Year, Total_individuals` (as in
//! `ven_officialfiguresborders.xlsx`), from XLSX or CSV. Countries by name (in English, Spanish
//! or Portuguese) or code; movements such as `Entry from VEN` / `Exit to VEN` (or entry, exit,
//! entrada, salida, saída); months such as `January-20`, `enero-2020`, `2020-01` or a date.
//! A blank total means the authority reported no figure: the row is skipped and counted.

use rumbo_domain::country::{Iso3, known_countries};
use rumbo_domain::flow::official::{Movement, OfficialFigure};

use crate::country_from_code;
use crate::table::{ColumnSpec, Table};
use crate::text::{Problems, Rejected};

const SPECS: &[ColumnSpec] = &[
    ColumnSpec {
        name: "country",
        aliases: &["pais", "país", "country_name"],
        hxl: Some(("country", &[])),
    },
    ColumnSpec {
        name: "mov_type",
        aliases: &["movement", "movement_type", "tipo_movimiento", "type"],
        hxl: Some(("indicator", &["movement"])),
    },
    ColumnSpec {
        name: "border_point",
        aliases: &["point", "punto_fronterizo", "border_crossing"],
        hxl: Some(("loc", &["name"])),
    },
    ColumnSpec {
        name: "month_year",
        aliases: &["month", "mes", "date"],
        hxl: Some(("date", &["month"])),
    },
    ColumnSpec {
        name: "total_individuals",
        aliases: &["total", "individuals", "people"],
        hxl: Some(("population", &["total"])),
    },
];

/// What an official table holds: the figures, each with its row, and how many rows carried no
/// figure.
#[derive(Debug, Clone, PartialEq)]
pub struct OfficialTable {
    pub figures: Vec<(String, OfficialFigure)>,
    pub not_reported: usize,
}

/// Reads an official table from CSV text (an XLSX file is turned into CSV first).
pub fn read_official(text: &str) -> Result<OfficialTable, Rejected> {
    let mut problems = Problems::default();
    let table = Table::read(text, SPECS, &mut problems)?;
    table.require(
        &["country", "mov_type", "border_point", "month_year", "total_individuals"],
        &mut problems,
    );
    if !problems.is_empty() {
        return problems.finish(OfficialTable {
            figures: Vec::new(),
            not_reported: 0,
        });
    }
    let mut figures = Vec::new();
    let mut not_reported = 0;
    for row in &table.rows {
        let at = |c: &str| format!("row {}, column {c}", row.number);
        let cell = |c: &str| row.get(table.column(c));
        let country = country_by_name(cell("country"))
            .map_err(|e| problems.push(at("country"), e))
            .ok();
        let movement = movement(cell("mov_type"))
            .map_err(|e| problems.push(at("mov_type"), e))
            .ok();
        let point = cell("border_point");
        if point.is_empty() {
            problems.push(at("border_point"), "missing");
        } else if point.chars().count() > 200 {
            problems.push(at("border_point"), "is longer than 200 characters");
        }
        let month = month(cell("month_year"))
            .map_err(|e| problems.push(at("month_year"), e))
            .ok();
        let total = match cell("total_individuals") {
            "" => None,
            raw => match raw.parse::<f64>() {
                Ok(n) if n >= 0.0 && n.fract() == 0.0 => Some(n as i64),
                Ok(n) if n < 0.0 => {
                    problems.push(
                        at("total_individuals"),
                        format!("{raw} is negative: totals are zero or more"),
                    );
                    None
                }
                _ => {
                    problems.push(at("total_individuals"), format!("'{raw}' is not a whole number"));
                    None
                }
            },
        };
        match (country, movement, month, total) {
            (Some(country), Some(movement), Some(month), Some(total)) if !point.is_empty() => figures.push((
                format!("row {}", row.number),
                OfficialFigure {
                    country,
                    movement,
                    border_point: point.to_owned(),
                    month,
                    total,
                },
            )),
            (_, _, _, None) if cell("total_individuals").is_empty() => not_reported += 1,
            _ => {}
        }
    }
    problems.finish(OfficialTable { figures, not_reported })
}

fn fold(text: &str) -> String {
    text.trim()
        .to_lowercase()
        .chars()
        .map(|c| match c {
            'á' | 'à' | 'â' | 'ã' => 'a',
            'é' | 'ê' => 'e',
            'í' => 'i',
            'ó' | 'ô' | 'õ' => 'o',
            'ú' | 'ü' => 'u',
            'ç' => 'c',
            other => other,
        })
        .collect()
}

/// A country by its name in any of our languages, or by its ISO code.
pub fn country_by_name(raw: &str) -> Result<Iso3, String> {
    let wanted = fold(raw);
    known_countries()
        .into_iter()
        .find(|c| {
            [&c.names.en, &c.names.es, &c.names.pt]
                .iter()
                .any(|n| n.as_deref().map(fold) == Some(wanted.clone()))
        })
        .map(|c| c.iso3)
        .map_or_else(|| country_from_code(raw), Ok)
}

fn movement(raw: &str) -> Result<Movement, String> {
    let text = fold(raw);
    let first = text.split([' ', '_', '-']).next().unwrap_or("");
    match first {
        "entry" | "entries" | "entrada" | "entradas" | "in" | "incoming" => Ok(Movement::Entry),
        "exit" | "exits" | "salida" | "salidas" | "saida" | "saidas" | "out" | "outgoing" => Ok(Movement::Exit),
        _ => Err(format!(
            "'{}' is not a movement: use entry or exit (such as 'Entry from VEN')",
            raw.trim()
        )),
    }
}

const MONTHS: [[&str; 3]; 12] = [
    ["january", "enero", "janeiro"],
    ["february", "febrero", "fevereiro"],
    ["march", "marzo", "marco"],
    ["april", "abril", "abril"],
    ["may", "mayo", "maio"],
    ["june", "junio", "junho"],
    ["july", "julio", "julho"],
    ["august", "agosto", "agosto"],
    ["september", "septiembre", "setembro"],
    ["october", "octubre", "outubro"],
    ["november", "noviembre", "novembro"],
    ["december", "diciembre", "dezembro"],
];

/// A month as `YYYY-MM`.
fn month(raw: &str) -> Result<String, String> {
    let text = fold(raw);
    let bad = || format!("'{}' is not a month (such as January-20 or 2020-01)", raw.trim());
    let parts: Vec<&str> = text.split(['-', '/', ' ']).filter(|p| !p.is_empty()).collect();
    let (month, year) = match parts.as_slice() {
        [y, m] | [y, m, _] if y.len() == 4 && y.parse::<u16>().is_ok() => (
            m.parse::<usize>().map_err(|_| bad())?,
            y.parse::<i32>().map_err(|_| bad())?,
        ),
        [name, y] => {
            let m = MONTHS
                .iter()
                .position(|names| {
                    names
                        .iter()
                        .any(|n| *n == *name || (name.len() >= 3 && n.starts_with(name)))
                })
                .ok_or_else(bad)?
                + 1;
            let y: i32 = y.parse().map_err(|_| bad())?;
            (m, if y < 100 { 2000 + y } else { y })
        }
        _ => return Err(bad()),
    };
    if !(1..=12).contains(&month) || !(1990..=2100).contains(&year) {
        return Err(bad());
    }
    Ok(format!("{year:04}-{month:02}"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_published_shape_reads() {
        let table = read_official(
            "Country,Mov Type,Border Point,Month_Year,Total_individuals\n\
             Ecuador,Entry from VEN,Centro Binacional De Atencion Fronteriza Huaquillas,January-20,120\n\
             Perú,Exit to VEN,Tumbes - PCF Cebaf,2020-02,7\n\
             Colombia,Exit to VEN,Puente Internacional Simón Bolívar - Cúcuta,July-20,\n",
        )
        .expect("read");
        assert_eq!(table.figures.len(), 2);
        assert_eq!(table.not_reported, 1);
        let (_, first) = &table.figures[0];
        assert_eq!(
            (
                first.country.as_str(),
                first.movement,
                first.month.as_str(),
                first.total
            ),
            ("ECU", Movement::Entry, "2020-01", 120)
        );
        assert_eq!(table.figures[1].1.country.as_str(), "PER");
    }

    #[test]
    fn bad_rows_name_row_and_column() {
        let err = read_official("country,mov_type,border_point,month_year,total\nAtlantis,sideways,,Smarch-20,-4\n")
            .expect_err("bad");
        let listed: Vec<String> = err.problems.iter().map(ToString::to_string).collect();
        for column in ["country", "mov_type", "border_point", "month_year", "total_individuals"] {
            assert!(
                listed.iter().any(|p| p.starts_with(&format!("row 2, column {column}"))),
                "{column}: {listed:?}"
            );
        }
        assert!(read_official("country,total\nPeru,1\n").is_err());
    }
}
