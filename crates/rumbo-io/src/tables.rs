//! Tables out: any table a page shows, as CSV, as HXL (CSV with a hashtag row under the header)
//! or as XLSX. Text cells that a spreadsheet would run as a formula are guarded as in
//! [`export`](crate::export).

use std::io::Write;

use rust_xlsxwriter::{Format, Workbook};

use crate::WriteError;

/// A cell of a table.
#[derive(Debug, Clone, PartialEq)]
pub enum Cell {
    Text(String),
    Int(i64),
    Float(f64),
    Empty,
}

impl From<&str> for Cell {
    fn from(v: &str) -> Self {
        Cell::Text(v.to_owned())
    }
}

impl From<String> for Cell {
    fn from(v: String) -> Self {
        Cell::Text(v)
    }
}

impl From<i64> for Cell {
    fn from(v: i64) -> Self {
        Cell::Int(v)
    }
}

impl From<Option<f64>> for Cell {
    fn from(v: Option<f64>) -> Self {
        v.map_or(Cell::Empty, Cell::Float)
    }
}

impl Cell {
    fn text(&self) -> String {
        match self {
            Cell::Text(t) => guard(t),
            Cell::Int(i) => i.to_string(),
            Cell::Float(f) => f.to_string(),
            Cell::Empty => String::new(),
        }
    }
}

/// A table: columns (name and HXL hashtag) and rows.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct DataTable {
    pub name: String,
    pub columns: Vec<(String, String)>,
    pub rows: Vec<Vec<Cell>>,
}

impl DataTable {
    pub fn new(name: impl Into<String>, columns: &[(&str, &str)]) -> DataTable {
        DataTable {
            name: name.into(),
            columns: columns
                .iter()
                .map(|(n, t)| ((*n).to_owned(), (*t).to_owned()))
                .collect(),
            rows: Vec::new(),
        }
    }

    pub fn push(&mut self, row: Vec<Cell>) {
        self.rows.push(row);
    }
}

/// The formats a table goes out in.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TableFormat {
    Csv,
    Hxl,
    Xlsx,
}

impl TableFormat {
    pub fn parse(raw: Option<&str>) -> Result<TableFormat, String> {
        match raw.map(|f| f.trim().to_ascii_lowercase()).as_deref() {
            None | Some("") | Some("csv") => Ok(TableFormat::Csv),
            Some("hxl") => Ok(TableFormat::Hxl),
            Some("xlsx") => Ok(TableFormat::Xlsx),
            Some(other) => Err(format!("'{other}' is not a table format: use csv, hxl or xlsx")),
        }
    }

    pub fn content_type(self) -> &'static str {
        match self {
            TableFormat::Csv | TableFormat::Hxl => "text/csv; charset=utf-8",
            TableFormat::Xlsx => "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        }
    }

    pub fn extension(self) -> &'static str {
        match self {
            TableFormat::Csv => "csv",
            TableFormat::Hxl => "hxl.csv",
            TableFormat::Xlsx => "xlsx",
        }
    }
}

/// Writes `table` in `format`; `note` (a caveat) goes in a last column of every row for CSV
/// and HXL, and in a line above the table in XLSX.
pub fn write_table<W: Write>(
    table: &DataTable,
    format: TableFormat,
    note: Option<&str>,
    out: W,
) -> Result<(), WriteError> {
    match format {
        TableFormat::Csv | TableFormat::Hxl => write_csv(table, format == TableFormat::Hxl, note, out),
        TableFormat::Xlsx => write_xlsx(table, note, out),
    }
}

fn write_csv<W: Write>(table: &DataTable, hxl: bool, note: Option<&str>, out: W) -> Result<(), WriteError> {
    let mut writer = csv::Writer::from_writer(out);
    let mut header: Vec<&str> = table.columns.iter().map(|(n, _)| n.as_str()).collect();
    let mut tags: Vec<&str> = table.columns.iter().map(|(_, t)| t.as_str()).collect();
    if note.is_some() {
        header.push("note");
        tags.push("#meta+caveat");
    }
    writer.write_record(&header)?;
    if hxl {
        writer.write_record(&tags)?;
    }
    for row in &table.rows {
        let mut cells: Vec<String> = row.iter().map(Cell::text).collect();
        if let Some(note) = note {
            cells.push(note.to_owned());
        }
        writer.write_record(&cells)?;
    }
    writer.flush()?;
    Ok(())
}

fn write_xlsx<W: Write>(table: &DataTable, note: Option<&str>, mut out: W) -> Result<(), WriteError> {
    let xlsx = |e: rust_xlsxwriter::XlsxError| WriteError::Io(std::io::Error::other(e.to_string()));
    let mut workbook = Workbook::new();
    let sheet = workbook.add_worksheet();
    let name: String = table
        .name
        .chars()
        .filter(|c| c.is_alphanumeric() || *c == ' ' || *c == '_')
        .take(31)
        .collect();
    if !name.is_empty() {
        sheet.set_name(&name).map_err(xlsx)?;
    }
    let bold = Format::new().set_bold();
    let mut first = 0u32;
    if let Some(note) = note {
        sheet.write_string(0, 0, note).map_err(xlsx)?;
        first = 2;
    }
    for (c, (column, _)) in table.columns.iter().enumerate() {
        sheet
            .write_string_with_format(first, c as u16, column, &bold)
            .map_err(xlsx)?;
    }
    for (r, row) in table.rows.iter().enumerate() {
        let r = first + 1 + r as u32;
        for (c, cell) in row.iter().enumerate() {
            let c = c as u16;
            match cell {
                Cell::Text(t) => sheet.write_string(r, c, t).map(|_| ()),
                Cell::Int(i) => sheet.write_number(r, c, *i as f64).map(|_| ()),
                Cell::Float(f) => sheet.write_number(r, c, *f).map(|_| ()),
                Cell::Empty => Ok(()),
            }
            .map_err(xlsx)?;
        }
    }
    let bytes = workbook.save_to_buffer().map_err(xlsx)?;
    out.write_all(&bytes)?;
    Ok(())
}

fn guard(text: &str) -> String {
    if text.starts_with(['=', '+', '-', '@']) {
        format!("'{text}")
    } else {
        text.to_owned()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn table() -> DataTable {
        let mut t = DataTable::new(
            "Weekly series",
            &[("week", "#date"), ("incoming", "#population+incoming")],
        );
        t.push(vec!["2025-03-03".into(), Cell::Int(12)]);
        t.push(vec!["=cmd".into(), Cell::Empty]);
        t
    }

    #[test]
    fn csv_and_hxl() {
        let mut out = Vec::new();
        write_table(&table(), TableFormat::Csv, None, &mut out).expect("csv");
        assert_eq!(
            String::from_utf8(out).expect("utf8"),
            "week,incoming\n2025-03-03,12\n'=cmd,\n"
        );
        let mut out = Vec::new();
        write_table(&table(), TableFormat::Hxl, Some("not representative"), &mut out).expect("hxl");
        let text = String::from_utf8(out).expect("utf8");
        assert!(
            text.starts_with("week,incoming,note\n#date,#population+incoming,#meta+caveat\n"),
            "{text}"
        );
    }

    #[test]
    fn xlsx_reads_back() {
        let mut out = Vec::new();
        write_table(&table(), TableFormat::Xlsx, Some("caveat"), &mut out).expect("xlsx");
        let csv = crate::sheet::xlsx_to_csv(&out).expect("reads back");
        assert!(csv.starts_with("caveat"), "{csv}");
        assert!(csv.contains("week,incoming\n2025-03-03,12\n"), "{csv}");
        assert!(TableFormat::parse(Some("pdf")).is_err());
    }
}
