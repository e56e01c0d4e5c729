//! The encoding an organisation runs on its own machine: a person's fields → normalised
//! q-grams → bits of a Bloom filter chosen by HMAC-SHA256 under the shared secret.
//!
//! Each field has its own number of hash functions (its weight): a document number or a birth
//! date says more about who someone is than their sex, so its q-grams set more bits and weigh
//! more in the Dice coefficient. The bit positions use double hashing (Kirsch–Mitzenmacher):
//! one HMAC per q-gram gives two numbers `h1`, `h2`, and the `i`-th bit is `h1 + i·h2`.

use hmac::{Hmac, KeyInit, Mac};
use sha2::Sha256;
use time::Date;

use super::{BITS, Clk};
use crate::r4v::fields::fold;
use crate::registration::people::Sex;

/// The fields of one person that go into the filter, as the organisation wrote them.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Identity {
    pub given_names: String,
    pub first_surname: String,
    pub second_surname: Option<String>,
    pub birth_date: Option<Date>,
    pub sex: Option<Sex>,
    /// As written, e.g. `V-12.345.678`.
    pub document: Option<String>,
}

/// A field of the filter and its weight: how many bits each of its q-grams sets.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Field {
    GivenNames,
    Surnames,
    BirthDate,
    Sex,
    Document,
}

impl Field {
    /// Domain separation: the same q-gram in two fields sets different bits.
    fn tag(self) -> &'static [u8] {
        match self {
            Field::GivenNames => b"given_names",
            Field::Surnames => b"surnames",
            Field::BirthDate => b"birth_date",
            Field::Sex => b"sex",
            Field::Document => b"document",
        }
    }

    /// Hash functions per q-gram. Chosen so that a typical person sets a bit under half of the
    /// filter (the Bloom filter's most informative load) and the fields weigh roughly as their
    /// power to tell people apart: surnames and given names most of the filter, then the
    /// document, the date, and a little for the sex.
    fn hashes(self) -> u32 {
        match self {
            Field::GivenNames => 14,
            Field::Surnames => 14,
            Field::BirthDate => 24,
            Field::Sex => 8,
            Field::Document => 16,
        }
    }
}

/// Particles that people write or leave out at will ("Ana de la Cruz", "Ana Cruz"): they carry
/// no identity and only add noise to the q-grams.
const PARTICLES: &[&str] = &["de", "del", "la", "las", "los", "y", "da", "das", "do", "dos", "e"];

/// Folded words of a name without particles: `"María  de la Cruz"` → `["maria", "cruz"]`.
pub fn name_words(raw: &str) -> Vec<String> {
    fold(raw)
        .split(' ')
        .filter(|w| !w.is_empty() && !PARTICLES.contains(w))
        .map(str::to_owned)
        .collect()
}

/// A document number as its digits and letters, without the nationality prefix people write in
/// front of Venezuelan cédulas (`V-`, `E-`) nor dots, dashes and spaces:
/// `"V-12.345.678"` → `"12345678"`.
pub fn document_digits(raw: &str) -> String {
    let folded: String = fold(raw).chars().filter(|c| *c != ' ').collect();
    let rest = folded
        .strip_prefix('v')
        .or_else(|| folded.strip_prefix('e'))
        .filter(|rest| rest.starts_with(|c: char| c.is_ascii_digit()));
    rest.unwrap_or(&folded).to_owned()
}

/// The bigrams of a word padded with one space on each side, so that first and last letters
/// count: `"ana"` → `" a"`, `"an"`, `"na"`, `"a "`.
fn bigrams(word: &str, out: &mut Vec<String>) {
    let chars: Vec<char> = std::iter::once(' ')
        .chain(word.chars())
        .chain(std::iter::once(' '))
        .collect();
    for pair in chars.windows(2) {
        out.push(pair.iter().collect());
    }
}

/// The q-grams of each field of a person, in a fixed order.
fn qgrams(person: &Identity) -> Vec<(Field, Vec<String>)> {
    let mut given = Vec::new();
    for word in name_words(&person.given_names) {
        bigrams(&word, &mut given);
    }
    // Both surnames into one field, word by word: the two surnames in either order, or one of
    // them missing, still share their bigrams.
    let mut surnames = Vec::new();
    let second = person.second_surname.as_deref().unwrap_or("");
    for word in name_words(&person.first_surname).into_iter().chain(name_words(second)) {
        bigrams(&word, &mut surnames);
    }
    let mut date = Vec::new();
    if let Some(d) = person.birth_date {
        let (day, month) = (d.day(), u8::from(d.month()));
        date.push(format!("y{}", d.year()));
        date.push(format!("m{month}"));
        date.push(format!("d{day}"));
        // Day and month as an unordered pair: a date written 05/03 for 03/05 keeps this one.
        date.push(format!("dm{}-{}", day.min(month), day.max(month)));
    }
    let sex = person.sex.map(|s| vec![format!("{s:?}")]).unwrap_or_default();
    let mut document = Vec::new();
    if let Some(raw) = &person.document {
        let digits = document_digits(raw);
        if !digits.is_empty() {
            bigrams(&digits, &mut document);
        }
    }
    vec![
        (Field::GivenNames, given),
        (Field::Surnames, surnames),
        (Field::BirthDate, date),
        (Field::Sex, sex),
        (Field::Document, document),
    ]
}

/// Why a secret was refused.
#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum SecretError {
    #[error("the secret has {0} bytes; it needs at least 16 (share a long random passphrase)")]
    TooShort(usize),
}

/// Encodes people under one secret. Built once per file; cheap to share between threads.
#[derive(Clone)]
pub struct Encoder {
    /// HMAC keyed with the secret, cloned for each q-gram (the key schedule is done once).
    keyed: Hmac<Sha256>,
}

impl std::fmt::Debug for Encoder {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Encoder(secret redacted)")
    }
}

impl Encoder {
    /// The shortest secret accepted, in bytes.
    pub const MIN_SECRET: usize = 16;

    /// An encoder for the secret the organisations share (surrounding white space ignored, so a
    /// secret file may end with a newline).
    pub fn new(secret: &[u8]) -> Result<Encoder, SecretError> {
        let secret = secret.trim_ascii();
        if secret.len() < Self::MIN_SECRET {
            return Err(SecretError::TooShort(secret.len()));
        }
        // HMAC takes keys of any length, so this cannot fail; keep the error path typed anyway.
        let keyed =
            <Hmac<Sha256> as KeyInit>::new_from_slice(secret).map_err(|_| SecretError::TooShort(secret.len()))?;
        Ok(Encoder { keyed })
    }

    fn mac(&self, parts: &[&[u8]]) -> [u8; 32] {
        let mut mac = self.keyed.clone();
        for part in parts {
            mac.update(part);
            // A separator, so ("ab","c") and ("a","bc") differ.
            mac.update(&[0]);
        }
        mac.finalize().into_bytes().into()
    }

    /// The person's cryptographic linkage key.
    pub fn encode(&self, person: &Identity) -> Clk {
        let mut clk = Clk::EMPTY;
        for (field, grams) in qgrams(person) {
            for gram in grams {
                let digest = self.mac(&[field.tag(), gram.as_bytes()]);
                let (h1, h2) = split(&digest);
                // An odd step visits `hashes` different bits of a power-of-two filter.
                let step = h2 | 1;
                for i in 0..u64::from(field.hashes()) {
                    let bit = h1.wrapping_add(i.wrapping_mul(step)) % BITS as u64;
                    clk.set(bit as usize);
                }
            }
        }
        clk
    }

    /// The pseudonym of a record: the HMAC of its identifier under the secret, as 32 hex
    /// characters. The same record gets the same pseudonym at every encoding, so an organisation
    /// can find its own record from a matched pair; nobody without the secret can.
    pub fn pseudonym(&self, record_id: &str) -> String {
        let digest = self.mac(&[b"record", record_id.trim().as_bytes()]);
        digest[..16].iter().map(|b| format!("{b:02x}")).collect()
    }
}

fn split(digest: &[u8; 32]) -> (u64, u64) {
    let mut a = [0u8; 8];
    let mut b = [0u8; 8];
    a.copy_from_slice(&digest[..8]);
    b.copy_from_slice(&digest[8..16]);
    (u64::from_le_bytes(a), u64::from_le_bytes(b))
}
