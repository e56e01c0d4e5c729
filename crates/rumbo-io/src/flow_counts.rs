//! Count files: one row per group seen, with the observation it belongs to (point, date, time
//! window, direction), its size, its breakdown by sex and the operation's age brackets
//! (`female_0_4` ... `male_60plus`), nationality, transport, previous point and next and final
//! destination. An HXL row may follow the header (`#loc+code`, `#date`, `#population+total`,
//! `#population+f+age0_4`...). Rows are read lazily, so a file of a million rows is checked
//! and stored without being held twice in memory; the checks themselves are the domain's.

use std::collections::HashMap;

use rumbo_domain::flow::AgeBrackets;
use rumbo_domain::flow::counts::{RawCount, column};

use crate::table::{Hashtag, RowNumbers, csv_reader, is_blank, is_hxl_row, normalise, sniff_delimiter};
use crate::text::Rejected;

/// (column, other accepted names, HXL tag and attributes)
type Spec = (
    &'static str,
    &'static [&'static str],
    &'static str,
    &'static [&'static str],
);

const SPECS: [Spec; 11] = [
    (
        column::FMP,
        &["fmp_code", "point", "point_code", "location_code", "loc_code"],
        "loc",
        &["code"],
    ),
    (column::DATE, &["obs_date", "observation_date", "fecha"], "date", &[]),
    (
        column::START_TIME,
        &["start", "time", "hora_inicio"],
        "time",
        &["start"],
    ),
    (
        column::HOURS,
        &["hours_covered", "duration_hours", "horas"],
        "indicator",
        &["hours"],
    ),
    (
        column::DIRECTION,
        &["flow_direction", "direccion"],
        "indicator",
        &["direction"],
    ),
    (
        column::GROUP_SIZE,
        &["size", "people", "total", "individuals"],
        "population",
        &["total"],
    ),
    (column::NATIONALITY, &["nacionalidad"], "country", &["nationality"]),
    (
        column::TRANSPORT,
        &["transport_mode", "mode_of_transport", "transporte"],
        "indicator",
        &["transport"],
    ),
    (
        column::PREVIOUS,
        &["previous", "from", "origin_point"],
        "loc",
        &["previous"],
    ),
    (column::NEXT, &["next", "to", "next_point"], "loc", &["next"]),
    (
        column::FINAL,
        &["final", "destination", "intended_destination"],
        "loc",
        &["destination"],
    ),
];

const REQUIRED: [&str; 5] = [
    column::FMP,
    column::DATE,
    column::HOURS,
    column::DIRECTION,
    column::GROUP_SIZE,
];

/// The header of a count file, mapped to columns.
#[derive(Debug, Clone)]
pub struct CountColumns {
    found: HashMap<&'static str, usize>,
    /// Column of each (sex, bracket) of [`AgeBrackets::columns`], when present.
    breakdown: Vec<Option<usize>>,
    delimiter: u8,
    /// Data rows start after the header (and the HXL row, when there is one).
    skip: usize,
}

/// The header row and HXL tags of a count file for `brackets`, as exports and templates write.
pub fn count_header(brackets: &AgeBrackets) -> (Vec<String>, Vec<String>) {
    let mut names: Vec<String> = SPECS.iter().take(6).map(|s| s.0.to_owned()).collect();
    let mut tags: Vec<String> = SPECS.iter().take(6).map(|s| hxl(s.2, s.3)).collect();
    for (sex, bracket) in brackets.columns() {
        names.push(brackets.column(sex, bracket));
        tags.push(brackets.hashtag(sex, bracket));
    }
    for s in SPECS.iter().skip(6) {
        names.push(s.0.to_owned());
        tags.push(hxl(s.2, s.3));
    }
    (names, tags)
}

fn hxl(tag: &str, attributes: &[&str]) -> String {
    let mut out = format!("#{tag}");
    for a in attributes {
        out.push('+');
        out.push_str(a);
    }
    out
}

/// An empty count file with its header and HXL row: what to fill in.
pub fn count_template(brackets: &AgeBrackets) -> Vec<u8> {
    let (names, tags) = count_header(brackets);
    let mut writer = csv::Writer::from_writer(Vec::new());
    let _ = writer.write_record(&names);
    let _ = writer.write_record(&tags);
    writer.into_inner().unwrap_or_default()
}

/// Reads the header of a count file and finds its columns. A file that lacks a required column
/// (or names one twice) is refused whole, naming each.
pub fn count_columns(text: &str, brackets: &AgeBrackets) -> Result<CountColumns, Rejected> {
    let delimiter = sniff_delimiter(text);
    let mut reader = csv_reader(text.as_bytes(), delimiter);
    let mut records = reader.records();
    let header = match records.next() {
        Some(Ok(h)) => h,
        Some(Err(e)) => return Err(Rejected::one("row 1", format!("cannot be read as CSV: {e}"))),
        None => return Err(Rejected::one("file", "the file is empty")),
    };
    let hashtags: Option<Vec<Hashtag>> = match records.next() {
        Some(Ok(second)) if is_hxl_row(&second) => Some(second.iter().map(Hashtag::parse).collect()),
        _ => None,
    };
    let names: Vec<String> = header.iter().map(normalise).collect();
    let mut problems = Vec::new();
    for (i, name) in names.iter().enumerate() {
        if !name.is_empty() && names[..i].contains(name) {
            problems.push(rumbo_domain::Problem::new(
                "header",
                format!("column '{name}' appears twice"),
            ));
        }
    }
    let find = |name: &str, aliases: &[&str], tag: Option<(&str, &[&str])>| {
        names
            .iter()
            .position(|n| n == name || aliases.contains(&n.as_str()))
            .or_else(|| {
                let (tag, attributes) = tag?;
                hashtags.as_ref()?.iter().position(|h| h.matches(tag, attributes))
            })
    };
    let mut found = HashMap::new();
    for (name, aliases, tag, attributes) in SPECS {
        if let Some(i) = find(name, aliases, Some((tag, attributes))) {
            found.insert(name, i);
        }
    }
    for name in REQUIRED {
        if !found.contains_key(name) {
            problems.push(rumbo_domain::Problem::new(
                "header",
                format!("the column '{name}' is missing"),
            ));
        }
    }
    let breakdown: Vec<Option<usize>> = brackets
        .columns()
        .into_iter()
        .map(|(sex, bracket)| {
            let name = brackets.column(sex, bracket);
            let tag = brackets.hashtag(sex, bracket);
            let attributes: Vec<&str> = tag.trim_start_matches("#population+").split('+').collect();
            names.iter().position(|n| *n == name).or_else(|| {
                hashtags
                    .as_ref()?
                    .iter()
                    .position(|h| h.matches("population", &attributes))
            })
        })
        .collect();
    let given = breakdown.iter().filter(|c| c.is_some()).count();
    if given > 0 && given < breakdown.len() {
        for (i, (sex, bracket)) in brackets.columns().into_iter().enumerate() {
            if breakdown[i].is_none() {
                problems.push(rumbo_domain::Problem::new(
                    "header",
                    format!(
                        "the column '{}' is missing: give every sex and age column of the brackets {}, or none",
                        brackets.column(sex, bracket),
                        brackets.code()
                    ),
                ));
            }
        }
    }
    if !problems.is_empty() {
        return Err(Rejected { problems });
    }
    Ok(CountColumns {
        found,
        breakdown,
        delimiter,
        skip: if hashtags.is_some() { 2 } else { 1 },
    })
}

/// The data rows of a count file, each with its number as a spreadsheet shows it (the header is
/// row 1). A row that cannot be read as CSV comes as an error naming why.
/// The rows own their text, so that they can be read on another thread than the caller's.
pub fn count_rows(
    text: String,
    columns: CountColumns,
) -> impl Iterator<Item = (usize, Result<RawCount, String>)> + Send + 'static {
    let mut numbers = RowNumbers::new(text.as_bytes());
    let mut reader = csv_reader(std::io::Cursor::new(text), columns.delimiter);
    // Positions looked up once, and one record reused for every row: a million rows would
    // otherwise cost a million records and eleven million map lookups.
    let at = |name: &str| columns.found.get(name).copied();
    let positions = [
        column::FMP,
        column::DATE,
        column::START_TIME,
        column::HOURS,
        column::DIRECTION,
        column::GROUP_SIZE,
        column::NATIONALITY,
        column::TRANSPORT,
        column::PREVIOUS,
        column::NEXT,
        column::FINAL,
    ]
    .map(at);
    let breakdown_columns = columns.breakdown;
    let has_breakdown = breakdown_columns.iter().any(Option::is_some);
    let mut record = csv::StringRecord::new();
    // Records read, to pass the header (and hashtag row), wherever blank lines put them.
    let mut records = 0;
    std::iter::from_fn(move || {
        loop {
            records += 1;
            let number = match reader.read_record(&mut record) {
                Ok(false) => return None,
                Err(e) => {
                    let number = numbers.of_unreadable(reader.get_ref().get_ref().as_bytes(), &e);
                    if records <= columns.skip {
                        continue;
                    }
                    return Some((number, Err(format!("cannot be read as CSV: {e}"))));
                }
                Ok(true) => numbers.of(reader.get_ref().get_ref().as_bytes(), &record),
            };
            if records <= columns.skip || is_blank(&record) {
                continue;
            }
            let cell = |i: usize| {
                positions[i]
                    .and_then(|p| record.get(p))
                    .map(str::trim)
                    .unwrap_or("")
                    .to_owned()
            };
            let breakdown = if has_breakdown {
                breakdown_columns
                    .iter()
                    .map(|c| c.and_then(|i| record.get(i)).unwrap_or("").trim().to_owned())
                    .collect()
            } else {
                Vec::new()
            };
            return Some((
                number,
                Ok(RawCount {
                    fmp: cell(0),
                    date: cell(1),
                    start_time: cell(2),
                    hours: cell(3),
                    direction: cell(4),
                    group_size: cell(5),
                    breakdown,
                    nationality: cell(6),
                    transport: cell(7),
                    previous: cell(8),
                    next: cell(9),
                    final_destination: cell(10),
                }),
            ));
        }
    })
}

/// The rejected rows of a file as CSV: the file's own columns, then `row`, `column` and
/// `problem`, so that they can be fixed and imported again.
pub fn rejected_rows_csv(text: &str, rejected: &[(usize, String, String)]) -> Vec<u8> {
    let mut by_row: HashMap<usize, Vec<(&str, &str)>> = HashMap::new();
    for (row, column, reason) in rejected {
        by_row.entry(*row).or_default().push((column, reason));
    }
    let bytes = text.as_bytes();
    let mut reader = csv_reader(bytes, sniff_delimiter(text));
    let mut numbers = RowNumbers::new(bytes);
    let mut writer = csv::Writer::from_writer(Vec::new());
    let mut record = csv::StringRecord::new();
    let mut header = true;
    loop {
        let number = match reader.read_record(&mut record) {
            Ok(true) => numbers.of(bytes, &record),
            Ok(false) => break,
            Err(e) => {
                numbers.of_unreadable(bytes, &e);
                continue;
            }
        };
        if std::mem::take(&mut header) {
            let mut columns: Vec<String> = record.iter().map(str::to_owned).collect();
            columns.extend(["row", "column", "problem"].map(str::to_owned));
            let _ = writer.write_record(&columns);
            continue;
        }
        if let Some(problems) = by_row.get(&number) {
            let mut cells: Vec<String> = record.iter().map(str::to_owned).collect();
            cells.push(number.to_string());
            cells.push(problems.iter().map(|(c, _)| *c).collect::<Vec<_>>().join("; "));
            cells.push(problems.iter().map(|(_, r)| *r).collect::<Vec<_>>().join("; "));
            let _ = writer.write_record(&cells);
        }
    }
    writer.into_inner().unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn columns_by_name_or_hashtag_and_rows_numbered_as_in_a_spreadsheet() {
        let brackets = AgeBrackets::default();
        let text = "Point;Fecha;hours;direction;size;female_0_4;female_5_11;female_12_17;female_18_59;female_60plus;male_0_4;male_5_11;male_12_17;male_18_59;male_60plus;nacionalidad\n\
                    #loc+code;#date;#indicator+hours;#indicator+direction;#population+total;;;;;;;;;;;#country+nationality\n\
                    COL-1;2025-03-01;12;incoming;2;0;0;0;1;0;0;0;0;1;0;VEN\n\n";
        let columns = count_columns(text, &brackets).expect("header");
        let rows: Vec<_> = count_rows(text.to_owned(), columns).collect();
        assert_eq!(rows.len(), 1);
        let (number, raw) = &rows[0];
        assert_eq!(*number, 3);
        let raw = raw.as_ref().expect("row");
        assert_eq!(raw.fmp, "COL-1");
        assert_eq!(raw.breakdown.len(), 10);
        assert_eq!(raw.breakdown[3], "1");
        assert_eq!(raw.nationality, "VEN");
    }

    #[test]
    fn blank_lines_are_rows_for_the_problems_and_for_the_rejected_rows() {
        let text = "fmp,date,hours,direction,group_size\r\n\r\nA,2025-01-01,12,incoming,-1\r\n";
        let columns = count_columns(text, &AgeBrackets::default()).expect("header");
        let numbers: Vec<usize> = count_rows(text.to_owned(), columns).map(|(n, _)| n).collect();
        assert_eq!(numbers, [3]);
        let csv = String::from_utf8(rejected_rows_csv(
            text,
            &[(3, "group_size".into(), "-1 is negative".into())],
        ))
        .expect("utf8");
        assert_eq!(
            csv,
            "fmp,date,hours,direction,group_size,row,column,problem\nA,2025-01-01,12,incoming,-1,3,group_size,-1 is negative\n"
        );
    }

    #[test]
    fn wrong_columns_are_named() {
        let err = count_columns("fmp,fecha,female_0_4\nX,2025-01-01,1\n", &AgeBrackets::default()).expect_err("bad");
        let listed: Vec<String> = err.problems.iter().map(ToString::to_string).collect();
        assert!(
            listed.contains(&"header: the column 'hours' is missing".to_owned()),
            "{listed:?}"
        );
        assert!(
            listed.iter().any(|p| p.contains("'male_60plus' is missing")),
            "{listed:?}"
        );
    }

    #[test]
    fn the_template_reads_back_and_rejected_rows_keep_their_cells() {
        let brackets = AgeBrackets::default();
        let template = String::from_utf8(count_template(&brackets)).expect("utf8");
        assert!(count_columns(&template, &brackets).is_ok());
        let text = "fmp,date,hours,direction,group_size\nA,2025-01-01,12,incoming,-1\nA,2025-01-01,12,incoming,3\n";
        let csv = String::from_utf8(rejected_rows_csv(
            text,
            &[(2, "group_size".into(), "-1 is negative".into())],
        ))
        .expect("utf8");
        assert_eq!(
            csv,
            "fmp,date,hours,direction,group_size,row,column,problem\nA,2025-01-01,12,incoming,-1,2,group_size,-1 is negative\n"
        );
    }
}
