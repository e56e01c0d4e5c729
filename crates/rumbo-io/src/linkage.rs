//! People to de-duplicate, as CSV (one row per registration), and the engine's answer out:
//! matched pairs with their per-field weights, and the cluster of every record.
//!
//! In: `id,organisation,given_names,first_surname,second_surname,birth_date,sex,document,nationality`
//! and, optionally, `household` (the organisation's own household or case number) in any
//! order, names as in registration files (`nombres`, `primer_apellido`, `hogar`...) or HXL
//! hashtags; other columns (a benchmark's truth, say) are ignored. `id`, `given_names`,
//! `first_surname`, `birth_date` and `sex` must be there as columns; any value but `id` may be
//! empty. Every bad value is reported at its row and column, and nothing is linked while there
//! is one.

use std::hash::{BuildHasher, RandomState};
use std::io::Write;

use rumbo_domain::Vocabulary;
use rumbo_domain::linkage::{FIELDS, HOUSEHOLD as HOUSEHOLD_FIELD, PersonRecord, ScoredPair};
use rumbo_domain::registration::people::{Sex, parse_optional_date};

use crate::WriteError;
use crate::table::{ColumnSpec, Line, Row, Table};
use crate::text::{Problems, Rejected, utf8};

const fn spec(
    name: &'static str,
    aliases: &'static [&'static str],
    tag: &'static str,
    attrs: &'static [&'static str],
) -> ColumnSpec {
    ColumnSpec {
        name,
        aliases,
        hxl: Some((tag, attrs)),
    }
}

const SPECS: &[ColumnSpec] = &[
    // As registration files write it. Before `id`: its hashtag carries `+code` too, and the
    // id's would take it first.
    spec(
        "household",
        &[
            "household_code",
            "household_id",
            "case_number",
            "hogar",
            "codigo_hogar",
            "código_hogar",
            "caso",
        ],
        "beneficiary",
        &["code", "household"],
    ),
    spec("id", &["key", "record_id", "person_id"], "beneficiary", &["code"]),
    spec(
        "organisation",
        &["organization", "org", "source", "organizacion", "organización"],
        "org",
        &["code"],
    ),
    spec(
        "given_names",
        &["nombres", "given_name"],
        "beneficiary",
        &["name", "given"],
    ),
    spec(
        "first_surname",
        &["primer_apellido"],
        "beneficiary",
        &["name", "surname", "first"],
    ),
    spec(
        "second_surname",
        &["segundo_apellido"],
        "beneficiary",
        &["name", "surname", "second"],
    ),
    spec(
        "birth_date",
        &["date_of_birth", "dob", "fecha_de_nacimiento", "fecha_nacimiento"],
        "date",
        &["birth"],
    ),
    spec("sex", &["sexo"], "beneficiary", &["sex"]),
    spec(
        "document",
        &["document_number", "documento"],
        "beneficiary",
        &["document", "code"],
    ),
    spec("nationality", &["nacionalidad"], "beneficiary", &["nationality"]),
];

const REQUIRED: &[&str] = &["id", "given_names", "first_surname", "birth_date", "sex"];

/// Longest value accepted in any cell, in characters: a name, not a paragraph.
const MAX_VALUE: usize = 200;

/// The records of a people file, or every problem found in it. Each row is lent by the table
/// and only the record's own strings are allocated. A file without quotes is read in parts on
/// every core; anything wrong with it is then found again, and reported, by reading it whole.
pub fn read_people(bytes: &[u8]) -> Result<Vec<PersonRecord>, Rejected> {
    let text = utf8(bytes)?;
    match read_in_parts(text, rumbo_domain::parallel::threads()) {
        Some(records) => Ok(records),
        None => read_whole(text),
    }
}

/// The column of each spec, in the order of `SPECS`.
type Columns = [Option<usize>; SPECS.len()];

fn columns_of(table: &Table) -> Columns {
    std::array::from_fn(|k| table.column(SPECS[k].name))
}

/// The place in `SPECS` of the spec named `name`, found when compiling: a row's cells are
/// then reached without comparing names, ten times a row.
const fn place(name: &str) -> usize {
    let mut k = 0;
    while k < SPECS.len() {
        let (a, b) = (SPECS[k].name.as_bytes(), name.as_bytes());
        let mut same = a.len() == b.len();
        let mut i = 0;
        while same && i < a.len() {
            same = a[i] == b[i];
            i += 1;
        }
        if same {
            return k;
        }
        k += 1;
    }
    panic!("no such column")
}

const ID: usize = place("id");
const ORGANISATION: usize = place("organisation");
const GIVEN_NAMES: usize = place("given_names");
const FIRST_SURNAME: usize = place("first_surname");
const SECOND_SURNAME: usize = place("second_surname");
const BIRTH_DATE: usize = place("birth_date");
const SEX: usize = place("sex");
const DOCUMENT: usize = place("document");
const NATIONALITY: usize = place("nationality");
const HOUSEHOLD: usize = place("household");

/// A row as the readers here read it: from the whole file, numbered, or from a line of a file
/// read in parts, not numbered (0).
trait Cells {
    fn get(&self, index: Option<usize>) -> &str;
    fn number(&self) -> usize;
}

impl Cells for Row {
    fn get(&self, index: Option<usize>) -> &str {
        Row::get(self, index)
    }
    fn number(&self) -> usize {
        self.number
    }
}

impl Cells for Line<'_> {
    fn get(&self, index: Option<usize>) -> &str {
        Line::get(self, index)
    }
    fn number(&self) -> usize {
        0
    }
}

/// The value of `row` in the column of `SPECS[spec]`.
fn cell<'r>(row: &'r impl Cells, columns: &Columns, spec: usize) -> &'r str {
    row.get(columns[spec])
}

/// The first cell of `row` longer than [`MAX_VALUE`] characters: its column and length.
fn too_long(row: &impl Cells, columns: &Columns) -> Option<(&'static str, usize)> {
    SPECS.iter().enumerate().find_map(|(k, spec)| {
        // No more characters than bytes: most cells need no counting.
        let value = cell(row, columns, k);
        if value.len() <= MAX_VALUE {
            return None;
        }
        let len = value.chars().count();
        (len > MAX_VALUE).then_some((spec.name, len))
    })
}

/// The record of `row` with id `key`; a bad value goes to `later` with its column.
fn record(row: &impl Cells, columns: &Columns, key: String, later: &mut Vec<(String, String)>) -> PersonRecord {
    let at = |name: &str| format!("row {}, column {name}", row.number());
    let value = |spec: usize| cell(row, columns, spec);
    let optional = |spec: usize| Some(value(spec)).filter(|v| !v.is_empty());
    let raw_date = value(BIRTH_DATE);
    let birth_date = iso_date(raw_date).map_or_else(
        || {
            parse_optional_date("birth_date", raw_date)
                .map_err(|e| later.push((at("birth_date"), e.to_string())))
                .ok()
                .flatten()
        },
        Some,
    );
    let sex = optional(SEX)
        .map(|v| match v {
            // The codes themselves, as nearly every file writes them, without the general
            // parse's lower-cased copies.
            "female" => Ok(Sex::Female),
            "male" => Ok(Sex::Male),
            _ => Sex::parse(v),
        })
        .transpose()
        .map_err(|e| later.push((at("sex"), e.to_string())))
        .ok()
        .flatten();
    let nationality = optional(NATIONALITY).map(str::to_ascii_uppercase);
    if let Some(n) = &nationality
        && !(n.len() == 3 && n.bytes().all(|b| b.is_ascii_alphabetic()))
    {
        later.push((
            at("nationality"),
            format!("'{n}' is not an ISO 3166 alpha-3 code (three letters, such as VEN)"),
        ));
    }
    PersonRecord {
        key,
        source: value(ORGANISATION).to_owned(),
        given_names: value(GIVEN_NAMES).to_owned(),
        first_surname: value(FIRST_SURNAME).to_owned(),
        second_surname: optional(SECOND_SURNAME).map(str::to_owned),
        birth_date,
        sex,
        document: optional(DOCUMENT).map(str::to_owned),
        nationality,
        household: optional(HOUSEHOLD).map(str::to_owned),
    }
}

/// The records of a file without quotes, its data lines cut into `parts` read on their own
/// threads and joined in order; `None` at the first problem of any kind, for [`read_whole`] to
/// report with its row (rows are numbered only there).
fn read_in_parts(text: &str, parts: usize) -> Option<Vec<PersonRecord>> {
    let (table, start, delimiter, width) = Table::unquoted_header(text, SPECS)?;
    let columns = columns_of(&table);
    if REQUIRED.iter().any(|name| table.column(name).is_none()) {
        return None;
    }
    // Cut just after a line end: without quotes every line end ends a row.
    let data = &text[start..];
    let mut cuts = vec![0];
    for k in 1..parts.max(1) {
        let from = (data.len() * k / parts).max(*cuts.last().unwrap_or(&0));
        let cut = data.as_bytes()[from..]
            .iter()
            .position(|b| *b == b'\n')
            .map_or(data.len(), |at| from + at + 1);
        cuts.push(cut);
    }
    cuts.push(data.len());
    let slices: Vec<&str> = cuts.windows(2).map(|w| &data[w[0]..w[1]]).collect();
    // The lines of each part counted, and a quote looked for, on every core (one thread
    // counting the whole file held the others back).
    let scanned = rumbo_domain::parallel::map_indices(slices.len(), 1, |k| {
        (line_ends(slices[k].as_bytes()) + 1, slices[k].contains('"'))
    });
    if scanned.iter().any(|(_, quoted)| *quoted) {
        return None;
    }
    let lines: Vec<usize> = scanned.iter().map(|(lines, _)| *lines).collect();
    // Each id is hashed where it is read, while in cache; ids are checked once all are read.
    let hasher = RandomState::new();
    let read = rumbo_domain::parallel::map_indices(slices.len(), 1, |k| {
        let part = slices[k];
        // A row a line at most: allocated once at its size. The first part has room for every
        // row, so only the others are copied when the parts are joined (reserved memory costs
        // nothing until it is written).
        let room = if k == 0 { lines.iter().sum() } else { lines[k] };
        let mut records = Vec::with_capacity(room);
        let mut hashes: Vec<u64> = Vec::with_capacity(room);
        let mut later = Vec::new();
        let whole = table.rows_of(part, delimiter, width, |_, row| {
            let key = cell(row, &columns, ID);
            if key.is_empty() || too_long(row, &columns).is_some() {
                return false;
            }
            hashes.push(hasher.hash_one(key));
            records.push(record(row, &columns, key.to_owned(), &mut later));
            later.is_empty()
        });
        whole.then_some((records, hashes))
    });
    let mut read = read.into_iter();
    let (mut records, mut hashes) = read.next().flatten()?;
    for part in read {
        let (more, more_hashes) = part?;
        records.extend(more);
        hashes.extend(more_hashes);
    }
    // Every id once, the ids cut by their hash into a shard a thread: two equal ids fall in one
    // shard, and no thread looks for a million ids in one table. A table holds indices and
    // finds them by the hashes already taken: an id is read again only when another has the
    // same hash.
    let shards = parts.max(1);
    let unique = rumbo_domain::parallel::map_indices(shards, 1, |shard| {
        let mine = |hash: u64| (hash >> 32) as usize % shards == shard;
        let mut seen: hashbrown::HashTable<u32> =
            hashbrown::HashTable::with_capacity(records.len() / shards + records.len() / (8 * shards));
        for (k, (r, hash)) in records.iter().zip(&hashes).enumerate() {
            if !mine(*hash) {
                continue;
            }
            let at = |other: &u32| *other as usize;
            if seen.find(*hash, |other| records[at(other)].key == r.key).is_some() {
                return false;
            }
            // More records than a u32 counts are read whole (they would not fit in memory).
            let Ok(k) = u32::try_from(k) else {
                return false;
            };
            seen.insert_unique(*hash, k, |other| hashes[at(other)]);
        }
        true
    });
    unique.into_iter().all(|once| once).then_some(records)
}

/// The records of any file, read row by row on one thread, or every problem found in it.
fn read_whole(text: &str) -> Result<Vec<PersonRecord>, Rejected> {
    let mut problems = Problems::default();
    let mut records = Vec::new();
    // Each id's record, by index: the id is kept once, in its record. A row per line at most.
    let mut rows: Vec<usize> = Vec::new();
    let mut seen: hashbrown::HashTable<usize> = hashbrown::HashTable::with_capacity(line_ends(text.as_bytes()) + 1);
    let hasher = RandomState::new();
    let mut later: Vec<(String, String)> = Vec::new();
    // The columns, found once from the first row's table.
    let mut columns: Option<Columns> = None;
    let table = Table::stream_rows(text, SPECS, &mut problems, |table, row| {
        let columns = *columns.get_or_insert_with(|| columns_of(table));
        let at = |name: &str| format!("row {}, column {name}", row.number);
        if let Some((name, len)) = too_long(row, &columns) {
            later.push((at(name), format!("is too long ({len} characters, at most {MAX_VALUE})")));
            return;
        }
        let key = cell(row, &columns, ID).to_owned();
        if key.is_empty() {
            later.push((at("id"), "is empty; every record needs an id".into()));
        } else {
            let hash = hasher.hash_one(key.as_str());
            match seen.find(hash, |k| records.get(*k).is_some_and(|r: &PersonRecord| r.key == key)) {
                Some(k) => later.push((at("id"), format!("repeats the id of row {}", rows[*k]))),
                None => {
                    let key_of =
                        |k: &usize| hasher.hash_one(records.get(*k).map_or("", |r: &PersonRecord| r.key.as_str()));
                    seen.insert_unique(hash, records.len(), key_of);
                }
            }
        }
        rows.push(row.number);
        let record = record(row, &columns, key, &mut later);
        records.push(record);
    })?;
    table.require(REQUIRED, &mut problems);
    for (place, problem) in later {
        problems.push(place, problem);
    }
    problems.finish(records)
}

/// How many line feeds `bytes` holds: counted in runs a byte can count, which the compiler
/// compares many bytes at a time (ten times as fast as counting them one by one into a
/// `usize`).
fn line_ends(bytes: &[u8]) -> usize {
    bytes
        .chunks(255)
        .map(|run| usize::from(run.iter().map(|b| u8::from(*b == b'\n')).sum::<u8>()))
        .sum()
}

/// A valid date written exactly `YYYY-MM-DD`, as nearly every file writes them, without the
/// general parse's pieces; `None` sends anything else (and any error) to
/// [`parse_optional_date`], so the answer and the messages are the same.
fn iso_date(raw: &str) -> Option<time::Date> {
    let b = raw.as_bytes();
    if b.len() != 10 || b[4] != b'-' || b[7] != b'-' {
        return None;
    }
    let number = |range: std::ops::Range<usize>| {
        b[range]
            .iter()
            .try_fold(0u16, |n, d| d.is_ascii_digit().then(|| n * 10 + u16::from(d - b'0')))
    };
    let (year, month, day) = (number(0..4)?, number(5..7)?, number(8..10)?);
    let month = time::Month::try_from(u8::try_from(month).ok()?).ok()?;
    time::Date::from_calendar_date(i32::from(year), month, u8::try_from(day).ok()?).ok()
}

/// The matched pairs: `left_id,right_id,probability,weight` and the weight of each field, and
/// of `household` when the records have households.
/// Formatting the numbers is most of the work: runs of pairs are written into buffers on every
/// core, then copied out in order, so the file is the same as from one thread.
pub fn write_pairs_csv<W: Write>(records: &[PersonRecord], pairs: &[ScoredPair], mut out: W) -> Result<(), WriteError> {
    let mut header = csv::Writer::from_writer(Vec::new());
    let mut names = vec!["left_id", "right_id", "probability", "weight"];
    names.extend(FIELDS);
    let ids = Ids::of(records);
    let households = ids.households;
    if households {
        names.push(HOUSEHOLD_FIELD);
    }
    header.write_record(&names)?;
    out.write_all(&header.into_inner().map_err(|e| e.into_error())?)?;
    let runs: Vec<&[ScoredPair]> = pairs.chunks(PAIRS_PER_RUN).collect();
    let written = rumbo_domain::parallel::map(&runs, 1, |run| pair_rows(&ids, run, households));
    for rows in written {
        out.write_all(&rows)?;
    }
    out.flush()?;
    Ok(())
}

/// Pairs a thread formats at a time.
const PAIRS_PER_RUN: usize = 8192;

/// The rows of `pairs`, as [`write_pairs_csv`] writes them.
fn pair_rows(ids: &Ids, pairs: &[ScoredPair], households: bool) -> Vec<u8> {
    // Some 90 bytes a row.
    let mut out = Vec::with_capacity(pairs.len() * 96);
    // A field's weight is one of few (one a level, or a name's frequency), and a pair's weight
    // and probability often repeat too: each is kept formatted, so most are copied.
    let mut formatted: Kept = (Formatted::new(6), Formatted::new(3), Formatted::new(3));
    for batch in pairs.chunks(FETCHED) {
        // Pairs come by left record, their right records anywhere: those ids fetched first.
        let rights: [Slot; FETCHED] = std::array::from_fn(|k| batch.get(k).map_or([0; 16], |p| ids.slot(p.right)));
        for (pair, right) in batch.iter().zip(&rights) {
            write_pair(
                &mut out,
                pair,
                (ids.get(pair.left), ids.text(pair.right, right)),
                households,
                &mut formatted,
            );
        }
    }
    out
}

/// A pair's numbers kept formatted: its probability, its weight, its fields' weights.
type Kept = (Formatted, Formatted, Formatted);

/// One row of [`write_pairs_csv`].
fn write_pair(
    out: &mut Vec<u8>,
    pair: &ScoredPair,
    (left, right): (&[u8], &[u8]),
    households: bool,
    formatted: &mut Kept,
) {
    let (probabilities, totals, weights) = formatted;
    push_field(out, left);
    out.push(b',');
    push_field(out, right);
    out.push(b',');
    out.extend_from_slice(probabilities.of(pair.probability));
    out.push(b',');
    out.extend_from_slice(totals.of(pair.weight));
    for (k, name) in FIELDS.iter().chain(households.then_some(&HOUSEHOLD_FIELD)).enumerate() {
        // The fields come in the order of FIELDS: looked for only if not in place.
        let weight = pair
            .fields
            .get(k)
            .filter(|f| f.field == *name)
            .or_else(|| pair.fields.iter().find(|f| f.field == *name))
            .map_or(0.0, |f| f.weight);
        out.push(b',');
        out.extend_from_slice(weights.of(weight));
    }
    out.push(b'\n');
}

/// `id,cluster`, one row per record in the order read; a cluster is named by its smallest id
/// (in number order when ids are numbers).
pub fn write_clusters_csv<W: Write>(
    records: &[PersonRecord],
    clusters: &[Vec<usize>],
    mut out: W,
) -> Result<(), WriteError> {
    // A record alone is named by its own id below: only clusters of several need a name, the
    // record holding it found on every core (each id parsed once).
    let ids = Ids::of(records);
    let several: Vec<&Vec<usize>> = clusters.iter().filter(|c| c.len() > 1).collect();
    let runs: Vec<&[&Vec<usize>]> = several.chunks(CLUSTERS_PER_RUN).collect();
    let smallest = rumbo_domain::parallel::map(&runs, 1, |run| {
        run.iter()
            .map(|cluster| {
                cluster
                    .iter()
                    .filter(|i| **i < records.len())
                    .map(|i| (*i, ids.get(*i)))
                    // The first of equal ones kept, as `min_by` keeps it.
                    .min_by_key(|(_, id)| id_order(id))
                    .map_or(usize::MAX, |(i, _)| i)
            })
            .collect::<Vec<usize>>()
    });
    let mut name = vec![usize::MAX; records.len()];
    for (cluster, smallest) in several.iter().zip(smallest.iter().flatten()) {
        for i in cluster.iter() {
            if let Some(slot) = name.get_mut(*i) {
                *slot = *smallest;
            }
        }
    }
    let mut header = csv::Writer::from_writer(Vec::new());
    header.write_record(["id", "cluster"])?;
    out.write_all(&header.into_inner().map_err(|e| e.into_error())?)?;
    // Rows formatted a run a thread, copied out in order: the file one thread would write.
    let runs: Vec<std::ops::Range<usize>> = (0..records.len())
        .step_by(CLUSTER_ROWS_PER_RUN)
        .map(|start| start..(start + CLUSTER_ROWS_PER_RUN).min(records.len()))
        .collect();
    let written = rumbo_domain::parallel::map(&runs, 1, |run| {
        let mut rows = Vec::with_capacity(run.len() * 24);
        for (start, names) in run.clone().step_by(FETCHED).zip(name[run.clone()].chunks(FETCHED)) {
            // A cluster's name is anywhere among the records: those ids fetched first.
            let slots: [Slot; FETCHED] = std::array::from_fn(|k| names.get(k).map_or([0; 16], |i| ids.slot(*i)));
            for (k, (name, slot)) in names.iter().zip(&slots).enumerate() {
                // Alone, or in a cluster without a name (none of its records among the records,
                // or an empty id): named by its own id.
                let (id, cluster) = (ids.get(start + k), ids.text(*name, slot));
                let cluster = if cluster.is_empty() { id } else { cluster };
                push_field(&mut rows, id);
                rows.push(b',');
                push_field(&mut rows, cluster);
                rows.push(b'\n');
            }
        }
        rows
    });
    for rows in written {
        out.write_all(&rows)?;
    }
    out.flush()?;
    Ok(())
}

/// Clusters of several records a thread names at a time.
const CLUSTERS_PER_RUN: usize = 16_384;

/// Records whose cluster rows a thread formats at a time.
const CLUSTER_ROWS_PER_RUN: usize = 65_536;

/// Numbers before text, numbers by value, text by its characters (the order of its bytes).
fn id_order(id: &[u8]) -> (u8, u64, &[u8]) {
    match std::str::from_utf8(id).map(str::parse::<u64>) {
        Ok(Ok(n)) => (0, n, &[]),
        _ => (1, 0, id),
    }
}

/// The writers' ids and numbers, ready to copy.
#[path = "linkage_write.rs"]
mod write;
use write::{FETCHED, Formatted, Ids, Slot, push_field};

#[cfg(test)]
#[path = "linkage_tests.rs"]
mod tests;

#[cfg(test)]
#[path = "linkage_write_tests.rs"]
mod write_tests;
