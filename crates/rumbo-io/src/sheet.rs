//! Spreadsheets in: the first worksheet of an XLSX file, turned into CSV text so that every
//! reader of this crate takes spreadsheets and CSV files alike (and a kept upload is plain
//! text). Numbers are written without a trailing `.0`, dates as `YYYY-MM-DD`.

use std::io::Cursor;

use calamine::{Data, Reader, Xlsx, open_workbook_from_rs};

use crate::text::Rejected;

/// Whether `bytes` look like an XLSX file (a ZIP archive).
pub fn is_xlsx(bytes: &[u8]) -> bool {
    bytes.starts_with(b"PK\x03\x04")
}

/// The first worksheet of an XLSX file as CSV text.
pub fn xlsx_to_csv(bytes: &[u8]) -> Result<String, Rejected> {
    let mut workbook: Xlsx<_> = open_workbook_from_rs(Cursor::new(bytes))
        .map_err(|e| Rejected::one("file", format!("the file cannot be read as an XLSX workbook: {e}")))?;
    let range = workbook
        .worksheet_range_at(0)
        .ok_or_else(|| Rejected::one("file", "the workbook has no worksheet"))?
        .map_err(|e| Rejected::one("sheet 1", format!("cannot be read: {e}")))?;
    // A blank line for each empty row above the table: rows are then numbered as the sheet shows them.
    let empty_rows_above = range.start().map_or(0, |(row, _)| row as usize);
    let mut writer = csv::Writer::from_writer("\n".repeat(empty_rows_above).into_bytes());
    for row in range.rows() {
        let cells: Vec<String> = row.iter().map(cell_text).collect();
        writer
            .write_record(&cells)
            .map_err(|e| Rejected::one("file", format!("cannot be converted: {e}")))?;
    }
    let bytes = writer
        .into_inner()
        .map_err(|e| Rejected::one("file", format!("cannot be converted: {e}")))?;
    String::from_utf8(bytes).map_err(|_| Rejected::one("file", "the workbook holds text that is not UTF-8"))
}

fn cell_text(cell: &Data) -> String {
    match cell {
        Data::Empty => String::new(),
        Data::String(s) | Data::DateTimeIso(s) | Data::DurationIso(s) => s.clone(),
        Data::Int(i) => i.to_string(),
        Data::Float(f) if f.fract() == 0.0 && f.abs() < 1e15 => format!("{}", *f as i64),
        Data::Float(f) => f.to_string(),
        Data::Bool(b) => b.to_string(),
        Data::DateTime(d) => excel_date(d.as_f64()),
        Data::Error(e) => format!("#{e:?}"),
    }
}

/// An Excel serial date (days since 1899-12-30) as `YYYY-MM-DD`.
fn excel_date(serial: f64) -> String {
    let epoch = time::macros::date!(1899 - 12 - 30);
    match epoch.checked_add(time::Duration::days(serial.floor() as i64)) {
        Some(date) => date.to_string(),
        None => serial.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn serial_dates_become_iso_dates() {
        assert_eq!(excel_date(45731.0), "2025-03-15");
        assert_eq!(cell_text(&Data::Float(12.0)), "12");
        assert_eq!(cell_text(&Data::Float(1.5)), "1.5");
    }

    #[test]
    fn rows_above_the_table_keep_the_sheet_numbers() {
        let mut workbook = rust_xlsxwriter::Workbook::new();
        let sheet = workbook.add_worksheet();
        for (column, (name, value)) in [("code", "A-1"), ("name", "Cúcuta")].into_iter().enumerate() {
            let column = u16::try_from(column).expect("column");
            sheet.write_string(2, column, name).expect("header");
            sheet.write_string(4, column, value).expect("value");
        }
        let csv = xlsx_to_csv(&workbook.save_to_buffer().expect("xlsx")).expect("csv");
        assert_eq!(csv, "\n\ncode,name\n,\nA-1,Cúcuta\n");
        let mut numbers = Vec::new();
        crate::table::Table::stream_rows(&csv, &[], &mut crate::text::Problems::default(), |_, row| {
            numbers.push(row.number)
        })
        .expect("read");
        assert_eq!(numbers, [5], "the sheet's row 5, under its header in row 3");
    }

    #[test]
    fn other_files_are_refused() {
        assert!(!is_xlsx(b"fmp,date\n"));
        assert!(xlsx_to_csv(b"PK\x03\x04 not really").is_err());
    }
}
