use std::io::Cursor;

use calamine::{Data, Reader, Xlsx};

use crate::Rejected;
use crate::table::{RowNumbers, csv_reader, sniff_delimiter};
use crate::text::utf8;

/// A table read from a file: each row with its number as a spreadsheet shows it (the first
/// row is 1), cells as text.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Sheet {
    pub rows: Vec<(usize, Vec<String>)>,
}

/// The formats a table arrives in.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SheetFormat {
    Csv,
    Xlsx,
}

impl SheetFormat {
    /// XLSX files are ZIP archives; anything else is read as CSV text.
    pub fn sniff(bytes: &[u8]) -> SheetFormat {
        if bytes.starts_with(b"PK\x03\x04") {
            SheetFormat::Xlsx
        } else {
            SheetFormat::Csv
        }
    }
}

/// Reads the first worksheet of an XLSX file, or a CSV file (`,` `;` or tab).
pub fn read_sheet(bytes: &[u8]) -> Result<Sheet, Rejected> {
    match SheetFormat::sniff(bytes) {
        SheetFormat::Xlsx => read_xlsx(bytes),
        SheetFormat::Csv => read_csv(bytes),
    }
}

fn read_csv(bytes: &[u8]) -> Result<Sheet, Rejected> {
    let text = utf8(bytes)?;
    let bytes = text.as_bytes();
    let mut reader = csv_reader(bytes, sniff_delimiter(text));
    let mut numbers = RowNumbers::new(bytes);
    let mut record = csv::StringRecord::new();
    let mut rows = Vec::new();
    loop {
        match reader.read_record(&mut record) {
            Ok(true) => rows.push((numbers.of(bytes, &record), record.iter().map(str::to_owned).collect())),
            Ok(false) => return Ok(Sheet { rows }),
            Err(e) => {
                let row = numbers.of_unreadable(bytes, &e);
                return Err(Rejected::one(
                    format!("row {row}"),
                    format!("cannot be read as CSV: {e}"),
                ));
            }
        }
    }
}

fn read_xlsx(bytes: &[u8]) -> Result<Sheet, Rejected> {
    let mut workbook: Xlsx<_> = Xlsx::new(Cursor::new(bytes))
        .map_err(|e| Rejected::one("file", format!("cannot be read as an XLSX workbook: {e}")))?;
    let range = workbook
        .worksheet_range_at(0)
        .ok_or_else(|| Rejected::one("file", "the workbook has no worksheet"))?
        .map_err(|e| Rejected::one("worksheet 1", format!("cannot be read: {e}")))?;
    let first_row = range.start().map_or(0, |(row, _)| row as usize);
    let first_column = range.start().map_or(0, |(_, column)| column as usize);
    let rows = range
        .rows()
        .enumerate()
        .map(|(i, cells)| {
            let mut row: Vec<String> = vec![String::new(); first_column];
            row.extend(cells.iter().map(cell_text));
            (first_row + i + 1, row)
        })
        .collect();
    Ok(Sheet { rows })
}

/// A cell as text: whole numbers without a decimal point, dates as YYYY-MM-DD.
fn cell_text(cell: &Data) -> String {
    match cell {
        Data::Empty => String::new(),
        Data::String(s) => s.clone(),
        Data::Int(n) => n.to_string(),
        Data::Float(f) if f.fract() == 0.0 && f.abs() < 1e15 => format!("{}", *f as i64),
        Data::Float(f) => f.to_string(),
        Data::Bool(b) => if *b { "yes" } else { "no" }.to_owned(),
        Data::DateTime(d) => excel_date(d.as_f64()),
        Data::DateTimeIso(s) | Data::DurationIso(s) => s.clone(),
        Data::Error(e) => format!("#{e:?}"),
    }
}

/// An Excel date serial (days since 1899-12-30) as YYYY-MM-DD.
fn excel_date(serial: f64) -> String {
    // Days from 1970-01-01, then the civil-from-days algorithm (Howard Hinnant's).
    let days = serial.floor() as i64 - 25_569;
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z.rem_euclid(146_097);
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let day = doy - (153 * mp + 2) / 5 + 1;
    let month = if mp < 10 { mp + 3 } else { mp - 9 };
    let year = yoe + era * 400 + i64::from(month <= 2);
    format!("{year:04}-{month:02}-{day:02}")
}

/// A header as a key: lower case, accents removed, anything but letters and digits as `_`,
/// so `Nuevos beneficiarios del mes`, `New_beneficiaries` and `new beneficiaries` compare.
pub fn label_key(header: &str) -> String {
    let folded = rumbo_domain::r4v::fold(header);
    folded.replace(' ', "_")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn excel_serials_become_dates() {
        assert_eq!(excel_date(44927.0), "2023-01-01");
        assert_eq!(excel_date(45474.5), "2024-07-01");
    }

    #[test]
    fn csv_with_semicolons_and_labels_as_keys() {
        let sheet = read_sheet("País;Mes\nColombia;2024-01\n".as_bytes()).expect("csv");
        assert_eq!(sheet.rows[1], (2, vec!["Colombia".to_owned(), "2024-01".to_owned()]));
        // A blank line, above the header or below it, is a row of the spreadsheet too.
        let sheet = read_sheet("\r\nPaís;Mes\r\n\r\nColombia;2024-01\r\n".as_bytes()).expect("csv");
        let numbers: Vec<usize> = sheet.rows.iter().map(|(n, _)| *n).collect();
        assert_eq!(numbers, [2, 4]);
        assert_eq!(
            label_key("Nuevos beneficiarios del mes"),
            "nuevos_beneficiarios_del_mes"
        );
        assert_eq!(label_key("Other_under"), "other_under");
    }
}
