//! Tables out: a header row of labels, a row of HXL hashtags, then the data, as CSV (UTF-8)
//! or XLSX. Text that a spreadsheet would run as a formula is written with a leading `'`.

use rust_xlsxwriter::{Format, Workbook};

use crate::WriteError;

/// One cell of an exported table.
#[derive(Debug, Clone, PartialEq)]
pub enum Cell {
    Text(String),
    Int(i64),
    Number(f64),
    Empty,
}

impl Cell {
    pub fn text(value: impl Into<String>) -> Cell {
        Cell::Text(value.into())
    }

    pub fn opt_text(value: Option<&str>) -> Cell {
        value.map_or(Cell::Empty, Cell::text)
    }

    pub fn opt_int(value: Option<i64>) -> Cell {
        value.map_or(Cell::Empty, Cell::Int)
    }

    fn csv(&self) -> String {
        match self {
            Cell::Text(t) if t.starts_with(['=', '+', '-', '@']) => format!("'{t}"),
            Cell::Text(t) => t.clone(),
            Cell::Int(n) => n.to_string(),
            Cell::Number(n) => n.to_string(),
            Cell::Empty => String::new(),
        }
    }
}

/// A table: labels, hashtags and rows of the same width.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Table {
    pub labels: Vec<String>,
    pub hashtags: Vec<String>,
    pub rows: Vec<Vec<Cell>>,
}

/// The table as CSV with its HXL row.
pub fn to_csv(table: &Table) -> Result<Vec<u8>, WriteError> {
    let mut writer = csv::Writer::from_writer(Vec::new());
    writer.write_record(&table.labels)?;
    writer.write_record(&table.hashtags)?;
    for row in &table.rows {
        writer.write_record(row.iter().map(Cell::csv))?;
    }
    writer.into_inner().map_err(|e| WriteError::Io(e.into_error()))
}

/// The table as an XLSX workbook of one sheet, labels bold, hashtags under them.
pub fn to_xlsx(table: &Table, sheet_name: &str) -> Result<Vec<u8>, WriteError> {
    let xlsx = |e: rust_xlsxwriter::XlsxError| WriteError::Io(std::io::Error::other(e.to_string()));
    let mut workbook = Workbook::new();
    let sheet = workbook.add_worksheet();
    sheet.set_name(sheet_name).map_err(xlsx)?;
    let bold = Format::new().set_bold();
    for (c, label) in table.labels.iter().enumerate() {
        sheet
            .write_string_with_format(0, c as u16, label, &bold)
            .map_err(xlsx)?;
    }
    for (c, tag) in table.hashtags.iter().enumerate() {
        sheet.write_string(1, c as u16, tag).map_err(xlsx)?;
    }
    for (r, row) in table.rows.iter().enumerate() {
        let r = (r + 2) as u32;
        for (c, cell) in row.iter().enumerate() {
            let c = c as u16;
            match cell {
                // Strings are stored as strings: XLSX has no formula injection through them.
                Cell::Text(t) => sheet.write_string(r, c, t).map(|_| ()),
                Cell::Int(n) => sheet.write_number(r, c, *n as f64).map(|_| ()),
                Cell::Number(n) => sheet.write_number(r, c, *n).map(|_| ()),
                Cell::Empty => Ok(()),
            }
            .map_err(xlsx)?;
        }
    }
    workbook.save_to_buffer().map_err(xlsx)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::r4v::sheet::read_sheet;

    fn table() -> Table {
        Table {
            labels: vec!["Country".into(), "Girls".into(), "Note".into()],
            hashtags: vec![
                "#country+code".into(),
                "#reached+f+children".into(),
                "#description".into(),
            ],
            rows: vec![vec![Cell::text("COL"), Cell::Int(12), Cell::text("=1+1")]],
        }
    }

    #[test]
    fn csv_and_xlsx_read_back_the_same() {
        let csv = to_csv(&table()).expect("csv");
        let text = String::from_utf8(csv.clone()).expect("utf8");
        assert!(
            text.starts_with("Country,Girls,Note\n#country+code,#reached+f+children,#description\nCOL,12,'=1+1\n"),
            "{text}"
        );
        let xlsx = to_xlsx(&table(), "5W").expect("xlsx");
        let sheet = read_sheet(&xlsx).expect("reads back");
        assert_eq!(
            sheet.rows[2].1,
            vec!["COL".to_owned(), "12".to_owned(), "=1+1".to_owned()]
        );
        assert_eq!(read_sheet(&csv).expect("csv").rows[1].1[1], "#reached+f+children");
    }
}
