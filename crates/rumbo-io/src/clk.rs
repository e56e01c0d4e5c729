//! Files of privacy-preserving linkage.
//!
//! In, on the organisation's own machine: the people to encode, as the de-duplication CSV
//! (`id,organisation,given_names,first_surname,second_surname,birth_date,sex,document,
//! nationality`, columns in any order, optional HXL row). Out of the organisation, and into
//! Rumbo: its encodings, `pseudonym,clk` — the HMAC of the record's id and the base64 of its
//! 128-byte filter, nothing else. Out of Rumbo: the overlaps between organisations and the
//! matched pseudonymous pairs.

use std::collections::HashMap;

use base64::Engine;
use base64::engine::general_purpose::STANDARD;
use rumbo_domain::Vocabulary;
use rumbo_domain::clk::{BYTES, Clk, Identity};
use rumbo_domain::registration::people::{Sex, parse_date};

use crate::WriteError;
use crate::table::{ColumnSpec, Table};
use crate::text::{Problems, Rejected, utf8};

const fn spec(name: &'static str, aliases: &'static [&'static str]) -> ColumnSpec {
    ColumnSpec {
        name,
        aliases,
        hxl: None,
    }
}

const PEOPLE: &[ColumnSpec] = &[
    spec("id", &["record_id", "person_id"]),
    spec("given_names", &["given_name", "first_name", "nombres"]),
    spec("first_surname", &["surname", "last_name", "primer_apellido"]),
    spec("second_surname", &["segundo_apellido"]),
    spec("birth_date", &["date_of_birth", "fecha_de_nacimiento"]),
    spec("sex", &["sexo"]),
    spec("document", &["document_number", "documento"]),
];

/// The longest identifier or pseudonym accepted.
const MAX_ID: usize = 128;

/// Reads the people an organisation encodes: each with its `id` and the fields of its filter,
/// or every problem found (an empty or repeated id, a bad date or sex), by row and column.
pub fn read_people(bytes: &[u8]) -> Result<Vec<(String, Identity)>, Rejected> {
    let text = utf8(bytes)?;
    let mut problems = Problems::default();
    let table = Table::read(text, PEOPLE, &mut problems)?;
    table.require(&["id", "given_names", "first_surname"], &mut problems);
    if !problems.is_empty() {
        return problems.finish(Vec::new());
    }
    let col = |name| table.column(name);
    let mut seen: HashMap<String, usize> = HashMap::new();
    let mut people = Vec::with_capacity(table.rows.len());
    for row in &table.rows {
        let at = |column: &str| format!("row {}, column {column}", row.number);
        let id = row.get(col("id"));
        if id.is_empty() {
            problems.push(at("id"), "the id is empty");
        } else if id.chars().count() > MAX_ID {
            problems.push(at("id"), format!("the id is longer than {MAX_ID} characters"));
        } else if let Some(first) = seen.insert(id.to_owned(), row.number) {
            problems.push(at("id"), format!("the same id as row {first}"));
        }
        let birth_date = match row.optional(col("birth_date")) {
            None => None,
            Some(raw) => parse_date("birth_date", raw)
                .map_err(|e| problems.push(at("birth_date"), e))
                .ok(),
        };
        let sex = match row.optional(col("sex")) {
            None => None,
            Some(raw) => Sex::parse(raw).map_err(|e| problems.push(at("sex"), e)).ok(),
        };
        people.push((
            id.to_owned(),
            Identity {
                given_names: row.get(col("given_names")).to_owned(),
                first_surname: row.get(col("first_surname")).to_owned(),
                second_surname: row.optional(col("second_surname")).map(str::to_owned),
                birth_date,
                sex,
                document: row.optional(col("document")).map(str::to_owned),
            },
        ));
    }
    problems.finish(people)
}

const ENCODINGS: &[ColumnSpec] = &[spec("pseudonym", &["id"]), spec("clk", &["encoding"])];

/// Reads an organisation's encodings: `pseudonym,clk`, or every problem found (bad base64, a
/// filter that is not 128 bytes, an empty or repeated pseudonym), by row and column.
pub fn read_encodings(bytes: &[u8]) -> Result<Vec<(String, Clk)>, Rejected> {
    let text = utf8(bytes)?;
    let mut problems = Problems::default();
    let table = Table::read(text, ENCODINGS, &mut problems)?;
    table.require(&["pseudonym", "clk"], &mut problems);
    if !problems.is_empty() {
        return problems.finish(Vec::new());
    }
    let mut seen: HashMap<String, usize> = HashMap::new();
    let mut out = Vec::with_capacity(table.rows.len());
    for row in &table.rows {
        let at = |column: &str| format!("row {}, column {column}", row.number);
        let pseudonym = row.get(table.column("pseudonym"));
        if pseudonym.is_empty() {
            problems.push(at("pseudonym"), "the pseudonym is empty");
        } else if pseudonym.len() > MAX_ID {
            problems.push(
                at("pseudonym"),
                format!("the pseudonym is longer than {MAX_ID} characters"),
            );
        } else if let Some(first) = seen.insert(pseudonym.to_owned(), row.number) {
            problems.push(at("pseudonym"), format!("the same pseudonym as row {first}"));
        }
        match STANDARD.decode(row.get(table.column("clk"))) {
            Err(e) => problems.push(at("clk"), format!("not base64: {e}")),
            Ok(bytes) => match Clk::from_bytes(&bytes) {
                None => problems.push(
                    at("clk"),
                    format!("the encoding has {} bytes; it must have {BYTES}", bytes.len()),
                ),
                Some(clk) => out.push((pseudonym.to_owned(), clk)),
            },
        }
    }
    problems.finish(out)
}

/// Writes encodings as `pseudonym,clk` with a base64 filter: the file that leaves the
/// organisation.
pub fn write_encodings<W: std::io::Write>(rows: &[(String, Clk)], out: W) -> Result<(), WriteError> {
    let mut writer = csv::Writer::from_writer(out);
    writer.write_record(["pseudonym", "clk"])?;
    for (pseudonym, clk) in rows {
        writer.write_record([pseudonym.as_str(), &STANDARD.encode(clk.to_bytes())])?;
    }
    writer.flush()?;
    Ok(())
}

/// One row of the overlaps file, with organisations by name.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OverlapRow {
    pub organisation_a: String,
    pub organisation_b: String,
    pub records_a: usize,
    pub records_b: usize,
    pub matched: usize,
}

/// Writes `organisation_a,organisation_b,records_a,records_b,matched`.
pub fn write_overlaps<W: std::io::Write>(rows: &[OverlapRow], out: W) -> Result<(), WriteError> {
    let mut writer = csv::Writer::from_writer(out);
    writer.write_record(["organisation_a", "organisation_b", "records_a", "records_b", "matched"])?;
    for r in rows {
        writer.write_record([
            r.organisation_a.clone(),
            r.organisation_b.clone(),
            r.records_a.to_string(),
            r.records_b.to_string(),
            r.matched.to_string(),
        ])?;
    }
    writer.flush()?;
    Ok(())
}

/// One matched pseudonymous pair.
#[derive(Debug, Clone, PartialEq)]
pub struct PairRow {
    pub organisation_a: String,
    pub pseudonym_a: String,
    pub organisation_b: String,
    pub pseudonym_b: String,
    pub dice: f64,
}

/// Writes `organisation_a,pseudonym_a,organisation_b,pseudonym_b,dice`.
pub fn write_pairs<W: std::io::Write>(rows: &[PairRow], out: W) -> Result<(), WriteError> {
    let mut writer = csv::Writer::from_writer(out);
    writer.write_record(["organisation_a", "pseudonym_a", "organisation_b", "pseudonym_b", "dice"])?;
    for r in rows {
        writer.write_record([
            r.organisation_a.clone(),
            r.pseudonym_a.clone(),
            r.organisation_b.clone(),
            r.pseudonym_b.clone(),
            format!("{:.4}", r.dice),
        ])?;
    }
    writer.flush()?;
    Ok(())
}

#[cfg(test)]
#[path = "clk_tests.rs"]
mod tests;
