//! A CSV table as people make them: a header row, perhaps an HXL hashtag row under it, values
//! separated by `,` or — as Excel writes in Spanish and Portuguese — by `;` (or tabs). Columns
//! are found by name (any case, spaces or hyphens for underscores, several accepted names) or,
//! failing that, by HXL hashtag, so that HXL-tagged data from other tools imports as well.

use crate::text::{Problems, Rejected};

/// A column a reader looks for.
pub(crate) struct ColumnSpec {
    /// The name used in problem locations (`row 4, column lat`) and in exports.
    pub name: &'static str,
    /// Other header names accepted, already normalised (lower case, `_` for spaces and hyphens).
    pub aliases: &'static [&'static str],
    /// The HXL hashtag and the attributes it must carry, such as `("geo", &["lat"])`.
    pub hxl: Option<(&'static str, &'static [&'static str])>,
}

/// One data row: its number as a spreadsheet shows it (the header is row 1) and its cells.
#[derive(Clone)]
pub(crate) struct Row {
    pub number: usize,
    cells: csv::StringRecord,
}

impl Row {
    /// The trimmed value of column `index`; empty when the column is absent or the row short.
    /// A leading `'` before `=`, `+`, `-` or `@` is dropped: exports add it so that spreadsheets
    /// do not run such text as a formula.
    pub fn get(&self, index: Option<usize>) -> &str {
        value(index.and_then(|i| self.cells.get(i)))
    }

    /// Like [`Row::get`], with `None` for an empty cell.
    pub fn optional(&self, index: Option<usize>) -> Option<&str> {
        Some(self.get(index)).filter(|v| !v.is_empty())
    }
}

/// A cell's value as [`Row::get`] gives it.
fn value(cell: Option<&str>) -> &str {
    let value = cell.map_or("", trim);
    match value.strip_prefix('\'') {
        Some(rest) if rest.starts_with(['=', '+', '-', '@']) => rest,
        _ => value,
    }
}

/// One data line of a file without quotes, as [`Table::rows_of`] lends it: its cells are
/// slices of the file, where a [`Row`] copies them into a record of its own.
pub(crate) struct Line<'a> {
    cells: Vec<&'a str>,
}

impl Line<'_> {
    /// The value of column `index`, as [`Row::get`] gives it.
    pub fn get(&self, index: Option<usize>) -> &str {
        value(index.and_then(|i| self.cells.get(i).copied()))
    }
}

pub(crate) struct Table {
    /// For each spec (in the order given to [`Table::read`]), the column holding it.
    found: Vec<(&'static str, Option<usize>)>,
    pub rows: Vec<Row>,
}

impl Table {
    /// Reads `text` and finds the columns of `specs`. Problems with the header (a column named
    /// twice) and with rows (more values than columns) are collected into `problems`; the
    /// caller decides which columns are required.
    pub fn read(text: &str, specs: &[ColumnSpec], problems: &mut Problems) -> Result<Table, Rejected> {
        let mut rows = Vec::new();
        let mut table = Table::stream(text, specs, problems, |_, row| rows.push(row))?;
        table.rows = rows;
        Ok(table)
    }

    /// Like [`Table::read`], but hands each data row to `sink` as it is read instead of keeping
    /// it: a file of a million rows is then never held twice. The table returned has no rows.
    pub fn stream(
        text: &str,
        specs: &[ColumnSpec],
        problems: &mut Problems,
        mut sink: impl FnMut(&Table, Row),
    ) -> Result<Table, Rejected> {
        Table::stream_rows(text, specs, problems, |table, row| sink(table, row.clone()))
    }

    /// Like [`Table::stream`], but lends each row to `sink`: one record is read into again and
    /// again, so a reader that takes what it needs from each row allocates nothing per row.
    pub fn stream_rows(
        text: &str,
        specs: &[ColumnSpec],
        problems: &mut Problems,
        mut sink: impl FnMut(&Table, &Row),
    ) -> Result<Table, Rejected> {
        let mut reader = csv_reader(text.as_bytes(), sniff_delimiter(text));
        // Problems found while reading rows wait here, to follow the header's.
        let mut row_problems: Vec<(String, String)> = Vec::new();
        let mut unreadable: Vec<(String, String)> = Vec::new();
        let mut numbers = RowNumbers::new(text.as_bytes());
        let mut next = |cells: &mut csv::StringRecord, unreadable: &mut Vec<(String, String)>| loop {
            match reader.read_record(cells) {
                Ok(more) => return more.then(|| numbers.of(text.as_bytes(), cells)),
                Err(e) => unreadable.push((
                    format!("row {}", numbers.of_unreadable(text.as_bytes(), &e)),
                    format!("cannot be read as CSV: {e}"),
                )),
            }
        };
        let mut header = csv::StringRecord::new();
        if next(&mut header, &mut unreadable).is_none() {
            return Err(Rejected::one("file", "the file is empty"));
        }
        let names: Vec<String> = header.iter().map(normalise).collect();
        let mut row = Row {
            number: 0,
            cells: csv::StringRecord::new(),
        };
        let mut pending = next(&mut row.cells, &mut unreadable);
        let hashtags: Option<Vec<Hashtag>> = pending
            .filter(|_| is_hxl_row(&row.cells))
            .map(|_| row.cells.iter().map(Hashtag::parse).collect());
        if hashtags.is_some() {
            pending = next(&mut row.cells, &mut unreadable);
        }

        let width = names.len();
        let table = Table {
            found: find_columns(&names, hashtags.as_deref(), specs, problems),
            rows: Vec::new(),
        };
        while let Some(number) = pending {
            let cells = &row.cells;
            if !is_blank(cells) {
                if extra_values(cells, width) > 0 {
                    row_problems.push((
                        format!("row {number}"),
                        format!("{} values, but the header names only {width} columns", cells.len()),
                    ));
                } else {
                    row.number = number;
                    sink(&table, &row);
                }
            }
            pending = next(&mut row.cells, &mut unreadable);
        }
        for (place, problem) in unreadable.into_iter().chain(row_problems) {
            problems.push(place, problem);
        }
        Ok(table)
    }

    /// The header of a file that can be cut at any line end, for readers that read parts of
    /// it on several threads ([`Table::rows_of`]): the table, the byte where its data rows
    /// begin, its delimiter and width. `None` when the header holds a quote (a quoted value may
    /// span lines, so only the whole file can be read) or has a problem: the caller then reads
    /// the whole file with [`Table::stream_rows`], which reports it. The data rows must hold no
    /// quote either: the caller looks for one as it cuts them, on every core (one thread
    /// searching the whole file held the others back).
    pub fn unquoted_header(text: &str, specs: &[ColumnSpec]) -> Option<(Table, usize, u8, usize)> {
        let delimiter = sniff_delimiter(text);
        let mut reader = csv_reader(text.as_bytes(), delimiter);
        let mut header = csv::StringRecord::new();
        if !reader.read_record(&mut header).ok()? {
            return None;
        }
        let names: Vec<String> = header.iter().map(normalise).collect();
        let mut start = usize::try_from(reader.position().byte()).ok()?;
        let mut second = csv::StringRecord::new();
        let hashtags: Option<Vec<Hashtag>> = if reader.read_record(&mut second).ok()? && is_hxl_row(&second) {
            start = usize::try_from(reader.position().byte()).ok()?;
            Some(second.iter().map(Hashtag::parse).collect())
        } else {
            None
        };
        if text.as_bytes().get(..start)?.contains(&b'"') {
            return None;
        }
        let mut problems = Problems::default();
        let found = find_columns(&names, hashtags.as_deref(), specs, &mut problems);
        (problems.is_empty() && text.is_char_boundary(start)).then(|| {
            let table = Table {
                found,
                rows: Vec::new(),
            };
            (table, start, delimiter, names.len())
        })
    }

    /// Lends each data row of `part` (whole lines of a file [`Table::unquoted_header`] read)
    /// to `sink`, as [`Table::stream_rows`] does, skipping blank rows; false, at once, when a
    /// row has more values than the header names, or `sink` says so (the caller then reads the
    /// whole file serially to report it). Rows are not numbered.
    ///
    /// Without quotes a row is a line and a value what lies between two separators, so the
    /// lines are cut here by hand, as the CSV reader would cut them, with none of its work per
    /// byte nor its check of text already known to be UTF-8. A carriage return anywhere but
    /// before a line feed (a lone one ends a row for the CSV reader) gives false as well.
    pub fn rows_of<'p>(
        &self,
        part: &'p str,
        delimiter: u8,
        width: usize,
        mut sink: impl FnMut(&Table, &Line<'p>) -> bool,
    ) -> bool {
        let mut row = Line {
            cells: Vec::with_capacity(width + 1),
        };
        // An empty line is one empty value, a blank row: skipped, as the CSV reader skips it.
        let mut lend = |row: &Line<'p>| {
            let cells = || row.cells.iter().copied();
            blank(cells()) || (extra(cells(), width) == 0 && sink(self, row))
        };
        let bytes = part.as_bytes();
        // Where the value being read, and its line, begin.
        let (mut start, mut line) = (0, 0);
        // One pass over the bytes (`lines` and `split` searched afresh for the end of every
        // value, which cost more than the values are long). Separators, line feeds and
        // carriage returns are ASCII: every cut falls between two characters.
        for (at, byte) in bytes.iter().enumerate() {
            if *byte == delimiter {
                row.cells.push(&part[start..at]);
                start = at + 1;
            } else if *byte == b'\r' && bytes.get(at + 1) != Some(&b'\n') {
                return false;
            } else if *byte == b'\n' {
                let end = if at > start && bytes[at - 1] == b'\r' {
                    at - 1
                } else {
                    at
                };
                row.cells.push(&part[start..end]);
                if !lend(&row) {
                    return false;
                }
                row.cells.clear();
                (start, line) = (at + 1, at + 1);
            }
        }
        // The last line, without a line end.
        if line < bytes.len() {
            row.cells.push(&part[start..]);
            return lend(&row);
        }
        true
    }

    /// The column holding the spec named `name`, if the file has it.
    pub fn column(&self, name: &str) -> Option<usize> {
        self.found.iter().find(|(n, _)| *n == name).and_then(|(_, i)| *i)
    }

    /// Adds a problem for each of `names` the file lacks.
    pub fn require(&self, names: &[&str], problems: &mut Problems) {
        for name in names {
            if self.column(name).is_none() {
                problems.push("header", format!("the column '{name}' is missing"));
            }
        }
    }
}

/// The column of each spec: by name first, then by hashtag, each column taken once. A column
/// named twice is a problem.
fn find_columns(
    names: &[String],
    hashtags: Option<&[Hashtag]>,
    specs: &[ColumnSpec],
    problems: &mut Problems,
) -> Vec<(&'static str, Option<usize>)> {
    for (i, name) in names.iter().enumerate() {
        if name.is_empty() {
            continue;
        }
        if let Some(first) = names[..i].iter().position(|n| n == name) {
            problems.push(
                "header",
                format!("column '{name}' appears twice (columns {} and {})", first + 1, i + 1),
            );
        }
    }
    let mut used = vec![false; names.len()];
    let mut found = Vec::new();
    for spec in specs {
        let by_name = names
            .iter()
            .enumerate()
            .find(|(i, n)| !used[*i] && (*n == spec.name || spec.aliases.contains(&n.as_str())))
            .map(|(i, _)| i);
        let by_tag = || {
            let (tag, attributes) = spec.hxl?;
            hashtags?
                .iter()
                .enumerate()
                .find(|(i, h)| !used[*i] && h.matches(tag, attributes))
                .map(|(i, _)| i)
        };
        let index = by_name.or_else(by_tag);
        if let Some(i) = index {
            used[i] = true;
        }
        found.push((spec.name, index));
    }
    found
}

/// `Name ES` → `name_es`.
pub(crate) fn normalise(header: &str) -> String {
    header
        .trim()
        .to_lowercase()
        .chars()
        .map(|c| if c == ' ' || c == '-' || c == '.' { '_' } else { c })
        .collect()
}

/// The separator of the header line: whichever of `,` `;` and tab it holds most of.
pub(crate) fn sniff_delimiter(text: &str) -> u8 {
    let header = text.lines().find(|line| !line.trim().is_empty()).unwrap_or("");
    [b',', b';', b'\t']
        .into_iter()
        .max_by_key(|d| (header.bytes().filter(|b| b == d).count(), *d == b','))
        .unwrap_or(b',')
}

/// A CSV reader as every reader here needs one: no header taken for granted (the caller finds
/// it), rows of any width (a short or long row is the caller's to report), the given separator.
pub(crate) fn csv_reader<R: std::io::Read>(input: R, delimiter: u8) -> csv::Reader<R> {
    csv::ReaderBuilder::new()
        .has_headers(false)
        .flexible(true)
        .delimiter(delimiter)
        .from_reader(input)
}

/// Numbers a file's records as a spreadsheet shows them (the header is row 1), so that a problem
/// names the row the user will look at: the CSV reader skips a blank line, which a spreadsheet
/// still shows as a row, and a line break inside a quoted value starts no new row. `text` is
/// what the reader reads, from its first byte.
pub(crate) struct RowNumbers {
    /// Only a file with quotes can hold a line break inside a value.
    quoted: bool,
    /// Line breaks inside the values read so far.
    inside_values: u64,
    last: usize,
}

impl RowNumbers {
    pub(crate) fn new(text: &[u8]) -> Self {
        Self {
            quoted: text.contains(&b'"'),
            inside_values: 0,
            last: 0,
        }
    }

    /// The row of `record`, just read from `text`.
    pub(crate) fn of(&mut self, text: &[u8], record: &csv::StringRecord) -> usize {
        self.last = self.row_at(text, record.position());
        if self.quoted {
            self.inside_values += line_breaks(record.as_slice().as_bytes());
        }
        self.last
    }

    /// The row of a record of `text` that could not be read.
    pub(crate) fn of_unreadable(&mut self, text: &[u8], error: &csv::Error) -> usize {
        self.last = self.row_at(text, error.position());
        self.last
    }

    /// The rows `text` spans once every record of it has been numbered: where the rows of the
    /// text that follows it start counting.
    pub(crate) fn spanned(&self, text: &[u8]) -> usize {
        usize::try_from(line_breaks(text).saturating_sub(self.inside_values)).unwrap_or(usize::MAX)
    }

    /// A record's position is where the reader stood, before the blank lines it skipped (and,
    /// after `\r\n`, before the `\n` it left): its row is that line plus the line breaks it
    /// skipped, less those inside earlier values.
    fn row_at(&self, text: &[u8], position: Option<&csv::Position>) -> usize {
        let row = position.and_then(|at| {
            let from = usize::try_from(at.byte()).ok()?;
            let skipped = text.get(from..)?.iter().take_while(|b| matches!(b, b'\r' | b'\n'));
            let line = at.line() + line_breaks(skipped);
            usize::try_from(line.checked_sub(self.inside_values)?).ok()
        });
        // A file with lone `\r` line ends has no line numbers: count its records.
        row.filter(|row| *row > self.last).unwrap_or(self.last + 1)
    }
}

fn line_breaks<'a>(bytes: impl IntoIterator<Item = &'a u8>) -> u64 {
    bytes.into_iter().filter(|b| **b == b'\n').count() as u64
}

/// `value` without white space at either end, as [`str::trim`] gives it. Nearly every value
/// begins and ends with a printable ASCII character (never white space): a look at two bytes,
/// where `trim` decodes characters from both ends (a tenth of reading a people file).
fn trim(value: &str) -> &str {
    let bytes = value.as_bytes();
    match (bytes.first(), bytes.last()) {
        (Some(first), Some(last)) if first.is_ascii_graphic() && last.is_ascii_graphic() => value,
        _ => value.trim(),
    }
}

/// A row with nothing but blanks, which every reader skips (spreadsheets leave them).
pub(crate) fn is_blank(cells: &csv::StringRecord) -> bool {
    blank(cells.iter())
}

fn blank<'a>(mut cells: impl Iterator<Item = &'a str>) -> bool {
    cells.all(|c| trim(c).is_empty())
}

/// Values past the header's `width` columns: a row that has any is refused.
fn extra_values(cells: &csv::StringRecord, width: usize) -> usize {
    extra(cells.iter(), width)
}

fn extra<'a>(cells: impl Iterator<Item = &'a str>, width: usize) -> usize {
    cells.skip(width).filter(|c| !trim(c).is_empty()).count()
}

/// A row of HXL hashtags: every non-empty cell starts with `#`.
pub(crate) fn is_hxl_row(record: &csv::StringRecord) -> bool {
    let mut cells = record.iter().map(str::trim).filter(|c| !c.is_empty()).peekable();
    cells.peek().is_some() && cells.all(|c| c.starts_with('#'))
}

/// An HXL hashtag with its attributes, such as `#adm1+code+v_pcode`.
pub(crate) struct Hashtag {
    tag: String,
    attributes: Vec<String>,
}

impl Hashtag {
    pub(crate) fn parse(cell: &str) -> Hashtag {
        let compact: String = cell
            .chars()
            .filter(|c| !c.is_whitespace())
            .collect::<String>()
            .to_lowercase();
        let mut parts = compact.trim_start_matches('#').split('+');
        Hashtag {
            tag: parts.next().unwrap_or("").to_owned(),
            attributes: parts.map(str::to_owned).collect(),
        }
    }

    pub(crate) fn matches(&self, tag: &str, attributes: &[&str]) -> bool {
        self.tag == tag && attributes.iter().all(|a| self.attributes.iter().any(|b| b == a))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const SPECS: &[ColumnSpec] = &[
        ColumnSpec {
            name: "pcode",
            aliases: &["p_code"],
            hxl: Some(("adm1", &["code"])),
        },
        ColumnSpec {
            name: "name_es",
            aliases: &[],
            hxl: Some(("adm1", &["name", "i_es"])),
        },
        ColumnSpec {
            name: "lat",
            aliases: &["latitude"],
            hxl: Some(("geo", &["lat"])),
        },
    ];

    fn read(text: &str) -> (Result<Table, Rejected>, Problems) {
        let mut problems = Problems::default();
        (Table::read(text, SPECS, &mut problems), problems)
    }

    #[test]
    fn columns_by_name_in_any_case_and_separator() {
        let (table, problems) = read("P-Code;Name ES;Latitude\nCO54;Norte de Santander;7,9\n");
        let table = table.expect("read");
        assert!(problems.is_empty());
        let row = &table.rows[0];
        assert_eq!(row.number, 2);
        assert_eq!(row.get(table.column("pcode")), "CO54");
        assert_eq!(row.get(table.column("lat")), "7,9");
    }

    #[test]
    fn an_hxl_row_is_skipped_and_finds_unnamed_columns() {
        let (table, _) = read("Código,Nombre,Y\n#adm1 +code,#adm1+name +i_es,#geo+lat\nCO54,Norte,7.9\n");
        let table = table.expect("read");
        assert_eq!(table.rows.len(), 1);
        assert_eq!(table.rows[0].number, 3);
        assert_eq!(table.rows[0].get(table.column("name_es")), "Norte");
        assert_eq!(table.rows[0].get(table.column("lat")), "7.9");
    }

    #[test]
    fn rows_are_numbered_as_a_spreadsheet_shows_them() {
        // A blank line is a row in a spreadsheet; a line break inside quotes is not.
        let text = "code,name\n\nA,\"two\nlines\"\n\n\nB,C,D\n";
        let (table, problems) = read(text);
        table.expect("read");
        let listed: Vec<String> = problems
            .finish(())
            .expect_err("problems")
            .problems
            .iter()
            .map(ToString::to_string)
            .collect();
        assert_eq!(listed, ["row 6: 3 values, but the header names only 2 columns"]);
        let mut numbers = Vec::new();
        Table::stream_rows(
            text.replace(",D", "").as_str(),
            &[],
            &mut Problems::default(),
            |_, row| numbers.push(row.number),
        )
        .expect("read");
        assert_eq!(numbers, [3, 6]);
    }

    #[test]
    fn header_and_row_problems_are_collected() {
        let (table, problems) = read("pcode,pcode,name_es\nA,B,C,D\n\n,,\nE,F,G,\n");
        let table = table.expect("read");
        table.require(&["lat"], &mut Problems::default());
        let err = problems.finish(()).expect_err("problems");
        let listed: Vec<String> = err.problems.iter().map(ToString::to_string).collect();
        assert_eq!(
            listed,
            [
                "header: column 'pcode' appears twice (columns 1 and 2)",
                "row 2: 4 values, but the header names only 3 columns"
            ]
        );
        assert_eq!(
            table.rows.len(),
            1,
            "blank rows are skipped, trailing empty cells tolerated"
        );
        let mut missing = Problems::default();
        table.require(&["lat"], &mut missing);
        assert_eq!(
            missing.finish(()).expect_err("missing").problems[0].problem,
            "the column 'lat' is missing"
        );
    }
}
