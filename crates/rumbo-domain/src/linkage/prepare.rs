//! Records turned once, before any pair is compared, into a compact form: every normalised word
//! is interned to a `u32`, dates packed into one number, so that comparing two records touches
//! a few integers and, only when words differ, their bytes — never a fresh `String`.

use std::collections::HashMap;
use std::hash::{BuildHasher, Hasher};

use crate::registration::people::Sex;

use super::PersonRecord;
use super::compare::IdHashState;
use super::letters::Letters;
use super::normalise;

/// No word here.
pub(crate) const NONE: u32 = u32::MAX;

/// Normalised words, each stored once, with the letters each word is made of; documents apart.
#[derive(Debug, Default)]
pub(crate) struct Interner {
    /// The id of each word up to 15 bytes, nearly all of them, kept in place as
    /// [`Documents::in_place`] keeps a document: a million records look words up six million
    /// times, and a word read from the heap to be compared was a second wait on memory each.
    short_ids: hashbrown::HashTable<([u8; 16], u32)>,
    long_ids: HashMap<Box<str>, u32, IdHashState>,
    words: Vec<Box<str>>,
    letters: Vec<Letters>,
    documents: Documents,
}

/// Ids of documents carry this bit (below [`NONE`]): documents are numbered apart from names.
/// Nearly every record brings a document of its own, and among them the names were spread
/// over a table twenty times their number, with their letters, in which comparing two names
/// missed the cache; a document is read only to tell two of them a typo apart, from a table of
/// its own.
pub(crate) const DOCUMENT: u32 = 1 << 31;

/// Documents, each stored once: up to 15 bytes in place, the length in the last byte, so
/// that reading one for a comparison is one look-up (most are 6 to 12 digits); a longer one
/// in `long`, its index in the first four bytes and [`Documents::LONG`] in the last.
#[derive(Debug, Default)]
struct Documents {
    texts: Vec<[u8; 16]>,
    /// The number of each document kept in place, found by the hash of its text, which
    /// `texts` holds already: four bytes a slot where text and number took twenty. Nearly
    /// every record brings a new document, looked for and added at a random place of the
    /// table: for a million, 10 MB of slots instead of 44, fewer pages to fault in and fewer
    /// cache lines to miss.
    short_ids: hashbrown::HashTable<u32>,
    long_ids: HashMap<Box<str>, u32, IdHashState>,
    long: Vec<Box<str>>,
}

impl Documents {
    const LONG: u8 = u8::MAX;

    fn with_capacity(documents: usize) -> Documents {
        Documents {
            texts: Vec::with_capacity(documents),
            short_ids: hashbrown::HashTable::with_capacity(documents),
            ..Documents::default()
        }
    }

    /// `text` in place when it fits (up to 15 bytes, the length in the last byte); `None` when
    /// it is longer.
    fn in_place(text: &str) -> Option<[u8; 16]> {
        let (b, n) = (text.as_bytes(), text.len());
        if n >= 16 {
            return None;
        }
        let mut short = [0u8; 16];
        // Copies of a fixed size, overlapping in the middle: every word looked up passes here,
        // and a copy of a length known only now was a call to `memmove` each time.
        if n >= 8 {
            short[..8].copy_from_slice(&b[..8]);
            short[n - 8..n].copy_from_slice(&b[n - 8..]);
        } else if n >= 4 {
            short[..4].copy_from_slice(&b[..4]);
            short[n - 4..n].copy_from_slice(&b[n - 4..]);
        } else if n > 0 {
            (short[0], short[n / 2], short[n - 1]) = (b[0], b[n / 2], b[n - 1]);
        }
        short[15] = n as u8;
        Some(short)
    }

    /// The number of `text` (not empty), added if new.
    fn intern(&mut self, text: &str) -> u32 {
        if let Some(short) = Self::in_place(text) {
            return self.intern_in_place(short);
        }
        let next = self.next();
        if let Some(id) = self.long_ids.get(text) {
            return *id;
        }
        let mut marker = [0u8; 16];
        marker[..4].copy_from_slice(&(self.long.len() as u32).to_le_bytes());
        marker[15] = Self::LONG;
        self.long_ids.insert(text.into(), next);
        self.long.push(text.into());
        self.texts.push(marker);
        next
    }

    fn next(&self) -> u32 {
        u32::try_from(self.texts.len()).unwrap_or(NONE - 1).min(!DOCUMENT - 1)
    }

    /// The number of a document kept in place (see [`Documents::in_place`]), added if new.
    fn intern_in_place(&mut self, short: [u8; 16]) -> u32 {
        let hash = Self::hash(&short);
        let texts = &self.texts;
        let text = |id: &u32| texts.get(*id as usize).copied().unwrap_or_default();
        if let Some(id) = self.short_ids.find(hash, |id| text(id) == short) {
            return *id;
        }
        let next = self.next();
        self.short_ids.insert_unique(hash, next, |id| Self::hash(&text(id)));
        self.texts.push(short);
        next
    }

    /// As two numbers, not as a slice of bytes (its length, then eight bytes at a time).
    fn hash(short: &[u8; 16]) -> u64 {
        let mut hasher = IdHashState::default().build_hasher();
        let both = u128::from_le_bytes(*short);
        hasher.write_u64(both as u64);
        hasher.write_u64((both >> 64) as u64);
        hasher.finish()
    }

    /// The documents of `other` given numbers here, in `other`'s order: those kept in place
    /// as they are kept, without reading them back as text.
    fn absorb(&mut self, other: &Documents) -> Vec<u32> {
        (other.texts.iter().enumerate())
            .map(|(number, text)| {
                if text[15] == Self::LONG {
                    self.intern(other.text(number as u32))
                } else {
                    self.intern_in_place(*text)
                }
            })
            .collect()
    }

    fn text(&self, number: u32) -> &str {
        let Some(text) = self.texts.get(number as usize) else {
            return "";
        };
        if text[15] == Self::LONG {
            let index = u32::from_le_bytes([text[0], text[1], text[2], text[3]]);
            return self.long.get(index as usize).map_or("", |t| t);
        }
        // Written from a whole `&str` of this length: always valid.
        std::str::from_utf8(&text[..usize::from(text[15])]).unwrap_or("")
    }
}

impl Interner {
    /// Room for the documents of `records` records: a run of records interns about one new
    /// document a record, and a table grown by doubling hashes every one again each time.
    fn with_capacity(records: usize) -> Interner {
        Interner {
            documents: Documents::with_capacity(records),
            ..Interner::default()
        }
    }

    /// The words of `other` given ids here, in `other`'s id order, as interning them one by one
    /// would: a word already here keeps its id, a new one is appended — moved, with the
    /// letters `other` counted, not copied and counted again. The same for its documents, by
    /// their numbers (without [`DOCUMENT`]).
    fn absorb(&mut self, other: Interner) -> (Vec<u32>, Vec<u32>) {
        // The table is left to grow as it needs: most of `other`'s words are here already, and
        // room reserved for all of them would often hash every word here again for nothing.
        self.words.reserve(other.words.len());
        self.letters.reserve(other.words.len());
        let documents = self.documents.absorb(&other.documents);
        let words = other
            .words
            .into_iter()
            .zip(other.letters)
            .map(|(word, letters)| self.id(&word).unwrap_or_else(|| self.add(word, letters)))
            .collect();
        (words, documents)
    }

    /// A word not yet here, with its letters: its new id.
    fn add(&mut self, word: Box<str>, letters: Letters) -> u32 {
        let id = u32::try_from(self.words.len()).unwrap_or(NONE).min(DOCUMENT - 1);
        match Documents::in_place(&word) {
            Some(short) => {
                let hash = Documents::hash(&short);
                self.short_ids
                    .insert_unique(hash, (short, id), |(k, _)| Documents::hash(k));
            }
            None => {
                self.long_ids.insert(word.clone(), id);
            }
        }
        self.words.push(word);
        self.letters.push(letters);
        id
    }

    pub fn intern(&mut self, word: &str) -> u32 {
        if word.is_empty() {
            return NONE;
        }
        if let Some(id) = self.id(word) {
            return id;
        }
        let letters = Letters::of(word).unwrap_or(Letters::UNCOUNTED);
        self.add(word.into(), letters)
    }

    /// The id of `word`, if it is here.
    fn id(&self, word: &str) -> Option<u32> {
        match Documents::in_place(word) {
            Some(short) => (self.short_ids)
                .find(Documents::hash(&short), |(k, _)| *k == short)
                .map(|(_, id)| *id),
            None => self.long_ids.get(word).copied(),
        }
    }

    /// A document's id, [`NONE`] for the empty one.
    pub fn intern_document(&mut self, document: &str) -> u32 {
        if document.is_empty() {
            return NONE;
        }
        DOCUMENT | self.documents.intern(document)
    }

    /// The word or document of `id`; empty for [`NONE`].
    pub fn word(&self, id: u32) -> &str {
        if id & DOCUMENT != 0 {
            if id == NONE {
                return "";
            }
            return self.documents.text(id & !DOCUMENT);
        }
        self.words.get(id as usize).map_or("", |w| w)
    }

    /// The letters of `id`, `None` for [`NONE`], documents, the empty word and words too long
    /// to count.
    pub fn letters(&self, id: u32) -> Option<&Letters> {
        self.letters.get(id as usize).filter(|l| l.counted())
    }

    /// How many words, documents apart: ids `0..len()`.
    pub fn len(&self) -> usize {
        self.words.len()
    }
}

/// One record, normalised and interned.
///
/// 64 bytes, aligned: comparing a candidate pair reads its partner from anywhere in the table,
/// and one cache line then holds all of it, the document's text included.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[repr(align(64))]
pub(crate) struct Prepared {
    /// All given names as one string ("maria jose").
    pub given: u32,
    /// The given names word by word, at most three.
    pub given_words: [u32; 3],
    /// First and second surname, one word each; a first surname written with two words and
    /// no second ("García Márquez") counts as both.
    pub surnames: [u32; 2],
    /// `year * 512 + month * 32 + day`, 0 when unknown.
    pub birth: u32,
    /// 0 unknown, 1 female, 2 male, 3 other.
    pub sex: u8,
    /// A document id (with [`DOCUMENT`]).
    pub document: u32,
    /// The document's text as [`Documents`] keeps it in place, all zero for none, marked
    /// [`Documents::LONG`] when it is longer: nearly every candidate pair's documents differ
    /// and are read to tell a typo, and read from the documents' table each was a second wait
    /// on memory for the pair (see [`Prepared::document_text`]).
    document_in_place: [u8; 16],
    pub nationality: u32,
}

impl Prepared {
    pub fn year(&self) -> u32 {
        self.birth / 512
    }
    pub fn month(&self) -> u32 {
        (self.birth / 32) % 16
    }
    pub fn day(&self) -> u32 {
        self.birth % 32
    }
    pub fn given_count(&self) -> usize {
        self.given_words.iter().filter(|w| **w != NONE).count()
    }
    pub fn surname_count(&self) -> usize {
        self.surnames.iter().filter(|w| **w != NONE).count()
    }
    /// The document's text (empty for none): the one `words` holds for [`Prepared::document`].
    pub fn document_text<'a>(&'a self, words: &'a Interner) -> &'a [u8] {
        let len = self.document_in_place[15];
        if len == Documents::LONG {
            return words.word(self.document).as_bytes();
        }
        &self.document_in_place[..usize::from(len)]
    }
}

const _: () = assert!(std::mem::size_of::<Prepared>() == 64);

/// Packs a date as [`Prepared::birth`] does.
pub(crate) fn pack_date(date: time::Date) -> u32 {
    let year = u32::try_from(date.year()).unwrap_or(0).min(8000);
    year * 512 + u32::from(u8::from(date.month())) * 32 + u32::from(date.day())
}

/// Buffers reused from one record to the next.
#[derive(Default)]
pub(crate) struct Scratch {
    given: String,
    first: String,
    second: String,
    joined: String,
    document: String,
    nationality: String,
}

pub(crate) fn prepare(record: &PersonRecord, words: &mut Interner, scratch: &mut Scratch) -> Prepared {
    normalise::fold_into(&record.given_names, &mut scratch.given);
    let mut given_words = [NONE; 3];
    scratch.joined.clear();
    let mut count = 0;
    for (k, token) in normalise::name_words(&scratch.given).enumerate() {
        if let Some(slot) = given_words.get_mut(k) {
            *slot = words.intern(token);
        }
        if k > 0 {
            scratch.joined.push(' ');
        }
        scratch.joined.push_str(token);
        count = k + 1;
    }
    // One given name is its own whole: interned just above, not looked up again.
    let given = if count == 1 {
        given_words[0]
    } else {
        words.intern(&scratch.joined)
    };

    normalise::fold_into(&record.first_surname, &mut scratch.first);
    let mut first = normalise::name_words(&scratch.first);
    normalise::fold_into(record.second_surname.as_deref().unwrap_or(""), &mut scratch.second);
    let second = normalise::name_words(&scratch.second).next();
    // Interned in this order, which sets the ids of new words.
    let surnames = match (first.next(), first.next(), second) {
        (None, _, None) => [NONE; 2],
        (None, _, Some(s)) => [words.intern(s), NONE],
        // A first surname of two words and no second: both.
        (Some(a), Some(b), None) => [words.intern(a), words.intern(b)],
        (Some(a), _, s) => [words.intern(a), s.map_or(NONE, |s| words.intern(s))],
    };

    let sex = match record.sex {
        None => 0,
        Some(Sex::Female) => 1,
        Some(Sex::Male) => 2,
        Some(Sex::Other) => 3,
    };
    let (document, document_in_place) = record.document.as_deref().map_or((NONE, [0; 16]), |d| {
        normalise::document_into(d, &mut scratch.document);
        let clean = &scratch.document;
        let in_place = Documents::in_place(clean).unwrap_or_else(|| {
            let mut marker = [0; 16];
            marker[15] = Documents::LONG;
            marker
        });
        (words.intern_document(clean), in_place)
    });
    let nationality = record.nationality.as_deref().map_or(NONE, |n| {
        scratch.nationality.clear();
        scratch.nationality.push_str(n.trim());
        scratch.nationality.make_ascii_uppercase();
        words.intern(&scratch.nationality)
    });
    Prepared {
        given,
        given_words,
        surnames,
        birth: record.birth_date.map_or(0, pack_date),
        sex,
        document,
        document_in_place,
        nationality,
    }
}

/// Every record prepared, with the words they share.
pub(crate) struct PreparedSet {
    pub records: Vec<Prepared>,
    pub words: Interner,
}

/// Below this many records one thread prepares them all: starting others costs more.
const PER_THREAD: usize = 4096;

pub(crate) fn prepare_all(records: &[PersonRecord]) -> PreparedSet {
    let parts = if records.len() >= 2 * PER_THREAD {
        crate::parallel::threads()
    } else {
        1
    };
    prepare_in_parts(records, parts)
}

/// [`prepare_all`] with the records cut into `parts` runs, each prepared on its own thread with
/// its own words; the words are then merged in the runs' order, so every word gets the id it
/// would get from one thread (the first occurrence's rank) and the set is the same however it
/// is cut — which matters, since oversize blocks are ordered by word id.
pub(crate) fn prepare_in_parts(records: &[PersonRecord], parts: usize) -> PreparedSet {
    // The first run has room for every record: the others are appended to it in place.
    let run = |part: &[PersonRecord], room: usize| {
        // The first run's documents too: the others' are added to them, and a table grown by
        // doubling then would hash every document here again.
        let mut words = Interner::with_capacity(room.max(part.len()));
        let mut scratch = Scratch::default();
        let mut records: Vec<Prepared> = Vec::with_capacity(room.max(part.len()));
        records.extend(part.iter().map(|r| prepare(r, &mut words, &mut scratch)));
        PreparedSet { records, words }
    };
    if parts <= 1 || records.len() < 2 {
        return run(records, records.len());
    }
    let runs: Vec<&[PersonRecord]> = records.chunks(records.len().div_ceil(parts)).collect();
    let mut done =
        crate::parallel::map_indices(runs.len(), 1, |k| run(runs[k], if k == 0 { records.len() } else { 0 }))
            .into_iter();
    // The first run's ids are already those of one thread.
    let Some(mut set) = done.next() else {
        return run(records, records.len());
    };
    for part in done {
        // In the run's id order, so new words are appended in order of first occurrence.
        let (ids, documents) = set.words.absorb(part.words);
        let id = |local: u32| {
            if local == NONE {
                NONE
            } else if local & DOCUMENT != 0 {
                DOCUMENT | documents.get((local & !DOCUMENT) as usize).copied().unwrap_or(0)
            } else {
                ids.get(local as usize).copied().unwrap_or(NONE - 1)
            }
        };
        set.records.extend(part.records.into_iter().map(|p| Prepared {
            given: id(p.given),
            given_words: p.given_words.map(id),
            surnames: p.surnames.map(id),
            document: id(p.document),
            nationality: id(p.nationality),
            ..p
        }));
    }
    set
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Documents of every length read back as written, each once, apart from the words: a
    /// name and a document written alike are two ids.
    #[test]
    fn documents_are_kept_apart_and_read_back() {
        let mut words = Interner::default();
        let texts = [
            "7",
            "12345678",
            "123456789012345",
            "1234567890123456",
            "PASSPORT-ÑANDÚ-0001",
            "ab",
        ];
        let ids: Vec<u32> = texts.iter().map(|t| words.intern_document(t)).collect();
        for (text, id) in texts.iter().zip(&ids) {
            assert_eq!(words.word(*id), *text);
            assert_eq!(words.intern_document(text), *id);
            assert!(words.letters(*id).is_none());
        }
        let name = words.intern("ab");
        assert!(name != ids[5] && words.word(name) == "ab" && words.len() == 1);
        assert_eq!(words.intern_document(""), NONE);
        assert_eq!(words.word(NONE), "");
    }

    /// Every length kept in place as the plain copy keeps it.
    #[test]
    fn texts_in_place_are_their_bytes_and_length() {
        let text = "abcdefghijklmnopq";
        for n in 0..=text.len() {
            let mut plain = [0u8; 16];
            let expected = (n < 16).then(|| {
                plain[..n].copy_from_slice(&text.as_bytes()[..n]);
                plain[15] = n as u8;
                plain
            });
            assert_eq!(Documents::in_place(&text[..n]), expected, "{n}");
        }
    }

    /// Words of every length, kept in place or not, get one id each, in order of first
    /// occurrence, and read back as written; merged from another interner, as interned here.
    #[test]
    fn words_short_and_long_get_one_id_each() {
        let texts = [
            "ana",
            "maria jose",
            "123456789012345",
            "1234567890123456",
            "maría josé de los ángeles",
        ];
        let mut words = Interner::default();
        let ids: Vec<u32> = texts.iter().map(|t| words.intern(t)).collect();
        assert_eq!(ids, [0, 1, 2, 3, 4]);
        for (text, id) in texts.iter().zip(&ids) {
            assert_eq!(words.intern(text), *id);
            assert_eq!(words.word(*id), *text);
        }
        let mut other = Interner::default();
        let theirs: Vec<u32> = [texts[4], "luz", texts[1], "x".repeat(40).as_str()]
            .iter()
            .map(|t| other.intern(t))
            .collect();
        let (merged, _) = words.absorb(other);
        assert_eq!(
            theirs.iter().map(|t| merged[*t as usize]).collect::<Vec<u32>>(),
            [4, 5, 1, 6]
        );
        assert_eq!(words.word(5), "luz");
        assert_eq!((words.intern("luz"), words.intern(&"x".repeat(40))), (5, 6));
        assert_eq!(words.intern(""), NONE);
    }

    /// Cut into parts, documents get the numbers one thread gives them, as words do.
    #[test]
    fn documents_get_the_same_ids_however_cut() {
        let records: Vec<PersonRecord> = (0..40)
            .map(|k| PersonRecord {
                given_names: format!("Ana {}", ["María", "Rosa", "Luz"][k % 3]),
                first_surname: "Pérez".into(),
                document: Some(match k % 4 {
                    0 => format!("V-{}", 1_000 + k % 9),
                    1 => format!("{}", 123_456_789_012_345_678u64 + (k % 5) as u64),
                    2 => "X".repeat(1 + k % 20),
                    _ => String::new(),
                }),
                ..PersonRecord::default()
            })
            .collect();
        let whole = prepare_in_parts(&records, 1);
        for parts in [2, 3, 7, 40, 45] {
            let split = prepare_in_parts(&records, parts);
            assert_eq!(split.records, whole.records, "{parts} parts");
            for r in &whole.records {
                assert_eq!(split.words.word(r.document), whole.words.word(r.document));
            }
        }
        for (r, p) in whole.records.iter().zip(&records) {
            let written = normalise::document(p.document.as_deref().unwrap_or(""));
            assert_eq!(whole.words.word(r.document), written);
            assert_eq!(r.document_text(&whole.words), written.as_bytes());
        }
    }
}
