//! Large 5W files read on every core: the CSV text is cut at record boundaries (never inside
//! a quoted value), each part is read by its own reader with the header's columns, and the parts
//! are joined with their rows, problems and repairs renumbered as the whole file counts them.

use rumbo_domain::Problem;

use super::super::Repair;
use super::{FiveWFile, Reader, Stage};
use crate::Rejected;
use crate::table::{RowNumbers, csv_reader, sniff_delimiter};

/// Files from this size are read in parallel parts.
pub(super) const PARALLEL_FROM: usize = 1024 * 1024;

/// Feeds every record of `text` to `reader`, each with its row as a spreadsheet shows it plus
/// `offset` (the rows before `text` in its file); returns the rows `text` spans.
fn feed(reader: &mut Reader, text: &str, delimiter: u8, offset: usize) -> Result<usize, Rejected> {
    // About one report per line: reserving once spares the copies of a growing list.
    reader.file.rows.reserve(text.bytes().filter(|b| *b == b'\n').count());
    let bytes = text.as_bytes();
    let mut csv = csv_reader(bytes, delimiter);
    let mut numbers = RowNumbers::new(bytes);
    let mut record = csv::StringRecord::new();
    loop {
        match csv.read_record(&mut record) {
            Ok(true) => {}
            Ok(false) => return Ok(numbers.spanned(bytes)),
            Err(e) => {
                return Err(Rejected::one(
                    format!("row {}", offset + numbers.of_unreadable(bytes, &e)),
                    format!("cannot be read as CSV: {e}"),
                ));
            }
        }
        let number = offset + numbers.of(bytes, &record);
        let cells: Vec<&str> = record.iter().collect();
        reader.row(number, &cells)?;
    }
}

pub(super) fn read_csv(text: &str) -> Result<FiveWFile, Rejected> {
    let delimiter = sniff_delimiter(text);
    let mut head = Reader::default();
    let parts = std::thread::available_parallelism().map_or(1, |n| n.get().min(4));
    if text.len() < PARALLEL_FROM || parts < 2 {
        feed(&mut head, text, delimiter, 0)?;
        return head.finish();
    }
    // The header (and hashtag row) first, on its own: every part needs its columns.
    let mut csv = csv_reader(text.as_bytes(), delimiter);
    let mut numbers = RowNumbers::new(text.as_bytes());
    let mut record = csv::StringRecord::new();
    while !matches!(head.stage, Stage::Data { .. }) {
        match csv.read_record(&mut record) {
            Ok(true) => {}
            Ok(false) => return head.finish(),
            Err(e) => {
                return Err(Rejected::one(
                    format!("row {}", numbers.of_unreadable(text.as_bytes(), &e)),
                    format!("cannot be read as CSV: {e}"),
                ));
            }
        }
        let cells: Vec<&str> = record.iter().collect();
        head.row(numbers.of(text.as_bytes(), &record), &cells)?;
    }
    let start = usize::try_from(csv.position().byte())
        .unwrap_or(text.len())
        .min(text.len());
    let rest = text.get(start..).unwrap_or("");
    let rows_before = numbers.spanned(text.as_bytes().get(..start).unwrap_or_default());
    let Stage::Data { names, columns } = &head.stage else {
        return head.finish();
    };
    let cuts = record_boundaries(rest, parts);
    let pieces: Vec<&str> = cuts.windows(2).filter_map(|w| rest.get(w[0]..w[1])).collect();
    let results: Vec<Result<(Reader, usize), Rejected>> = std::thread::scope(|scope| {
        let handles: Vec<_> = pieces
            .iter()
            .map(|piece| {
                let mut reader = Reader {
                    stage: Stage::Data {
                        names: names.clone(),
                        columns: columns.clone(),
                    },
                    ..Reader::default()
                };
                scope.spawn(move || feed(&mut reader, piece, delimiter, 0).map(|n| (reader, n)))
            })
            .collect();
        handles
            .into_iter()
            .map(|h| {
                h.join()
                    .unwrap_or_else(|_| Err(Rejected::one("file", "a part of the file could not be read")))
            })
            .collect()
    });
    let mut offset = rows_before;
    head.file.rows.reserve(
        results
            .iter()
            .map(|r| r.as_ref().map_or(0, |(p, _)| p.file.rows.len()))
            .sum(),
    );
    for result in results {
        let (part, rows) = result.map_err(|r| shift_rejected(r, offset))?;
        head.absorb(part.file, offset);
        offset += rows;
    }
    head.finish()
}

/// Byte offsets that cut `text` into about `parts` pieces, each at the start of a line that is
/// not inside a quoted value (an even number of `"` before it), from 0 to `text.len()`.
fn record_boundaries(text: &str, parts: usize) -> Vec<usize> {
    let bytes = text.as_bytes();
    let mut cuts = vec![0];
    let (mut position, mut quotes) = (0usize, 0usize);
    for k in 1..parts {
        let target = bytes.len() * k / parts;
        if target <= position {
            continue;
        }
        quotes += bytes[position..target].iter().filter(|b| **b == b'"').count();
        position = target;
        while position < bytes.len() {
            let b = bytes[position];
            position += 1;
            if b == b'"' {
                quotes += 1;
            } else if b == b'\n' && quotes % 2 == 0 {
                break;
            }
        }
        if position < bytes.len() {
            cuts.push(position);
        }
    }
    cuts.push(bytes.len());
    cuts.dedup();
    cuts
}

/// `row 12, column X` → `row 12+offset, column X`: a part numbers its rows from its first line.
fn shift(location: &str, offset: usize) -> String {
    let Some(rest) = location.strip_prefix("row ") else {
        return location.to_owned();
    };
    let digits: String = rest.chars().take_while(char::is_ascii_digit).collect();
    match digits.parse::<usize>() {
        Ok(n) => format!("row {}{}", n + offset, &rest[digits.len()..]),
        Err(_) => location.to_owned(),
    }
}

fn shift_rejected(r: Rejected, offset: usize) -> Rejected {
    Rejected {
        problems: r
            .problems
            .into_iter()
            .map(|p| Problem::new(shift(&p.location, offset), p.problem))
            .collect(),
    }
}

impl Reader {
    /// Takes in what a part of the file read, its rows numbered after `offset` rows.
    fn absorb(&mut self, part: FiveWFile, offset: usize) {
        self.file.rows_read += part.rows_read;
        self.file.rows.extend(part.rows.into_iter().map(|mut r| {
            r.number += offset;
            r
        }));
        self.file
            .rejected
            .extend(part.rejected.into_iter().map(|(n, problems)| {
                let problems = problems
                    .into_iter()
                    .map(|p| Problem::new(shift(&p.location, offset), p.problem))
                    .collect();
                (n + offset, problems)
            }));
        self.file.repairs.extend(part.repairs.into_iter().map(|r| Repair {
            location: shift(&r.location, offset),
            ..r
        }));
    }
}
