//! Field-level encryption of personal data. Names, document numbers, phones, positions and the
//! reasons and earlier values of edits are sealed one field at a time with XChaCha20-Poly1305
//! (RustCrypto's `chacha20poly1305`) before they reach the database, under a key that comes
//! from the server's configuration (`RUMBO_DATA_KEY` or `--data-key-file`) and is never stored
//! with the data. A sealed value reads `v1:<key id>:<base64>`: the key id lets keys rotate
//! (`rumbo keys rotate` adds a key, makes it current and re-encrypts everything under it).
//! The name of the column is authenticated with each value, so a value copied into another
//! column does not open.
//!
//! Duplicate documents are found through a blind index: HMAC-SHA256 of the document's type and
//! normalised number under a second key, so that equal numbers give equal indexes and nothing
//! has to be decrypted to compare them.

use std::collections::BTreeMap;
use std::fmt;
use std::sync::atomic::{AtomicU64, Ordering};

use base64::Engine;
use base64::engine::general_purpose::STANDARD_NO_PAD;
use chacha20poly1305::aead::{Aead, Payload};
use chacha20poly1305::{KeyInit, XChaCha20Poly1305, XNonce};
use hmac::{Hmac, Mac};
use sha2::Sha256;

use crate::StoreError;

const KEY_BYTES: usize = 32;
const NONCE_BYTES: usize = 24;

/// Why a key set could not be read.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum KeyError {
    #[error("line {line}: {problem}")]
    Line { line: usize, problem: String },
    #[error("{0}")]
    Incomplete(String),
    #[error("the operating system's random source failed: {0}")]
    Random(String),
}

/// The keys of one deployment: data keys by id (the current one seals; all of them open) and
/// the blind-index key. Debug output never shows a key.
#[derive(Clone, PartialEq, Eq)]
pub struct DataKeys {
    current: u32,
    keys: BTreeMap<u32, [u8; KEY_BYTES]>,
    blind: [u8; KEY_BYTES],
}

impl fmt::Debug for DataKeys {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("DataKeys")
            .field("current", &self.current)
            .field("ids", &self.keys.keys().collect::<Vec<_>>())
            .finish_non_exhaustive()
    }
}

fn random_key() -> Result<[u8; KEY_BYTES], KeyError> {
    let mut key = [0u8; KEY_BYTES];
    getrandom::fill(&mut key).map_err(|e| KeyError::Random(e.to_string()))?;
    Ok(key)
}

fn parse_key(line: usize, hex_text: &str) -> Result<[u8; KEY_BYTES], KeyError> {
    let bytes = hex::decode(hex_text.trim()).map_err(|_| KeyError::Line {
        line,
        problem: "a key is 64 hexadecimal characters".into(),
    })?;
    bytes.try_into().map_err(|_| KeyError::Line {
        line,
        problem: "a key is 64 hexadecimal characters (32 bytes)".into(),
    })
}

impl DataKeys {
    /// A fresh key set: data key 1 and a blind-index key, from the operating system's random source.
    pub fn generate() -> Result<DataKeys, KeyError> {
        Ok(DataKeys {
            current: 1,
            keys: BTreeMap::from([(1, random_key()?)]),
            blind: random_key()?,
        })
    }

    /// Reads a key set: `name = value` lines (or `;`-separated pairs, as fits an environment
    /// variable) — `current = ID`, `key.ID = HEX` for each data key, `blind = HEX`. Lines
    /// starting with `#` are comments.
    pub fn parse(text: &str) -> Result<DataKeys, KeyError> {
        let mut current = None;
        let mut keys = BTreeMap::new();
        let mut blind = None;
        for (i, entry) in text.split(['\n', ';']).enumerate() {
            let line = i + 1;
            let entry = entry.trim();
            if entry.is_empty() || entry.starts_with('#') {
                continue;
            }
            let Some((name, value)) = entry.split_once('=') else {
                return Err(KeyError::Line {
                    line,
                    problem: "expected name = value".into(),
                });
            };
            let (name, value) = (name.trim(), value.trim());
            if name == "current" {
                current = Some(value.parse::<u32>().map_err(|_| KeyError::Line {
                    line,
                    problem: "current names a key id, a whole number".into(),
                })?);
            } else if name == "blind" {
                blind = Some(parse_key(line, value)?);
            } else if let Some(id) = name.strip_prefix("key.") {
                let id = id.parse::<u32>().map_err(|_| KeyError::Line {
                    line,
                    problem: "a data key is named key.ID, ID a whole number".into(),
                })?;
                if keys.insert(id, parse_key(line, value)?).is_some() {
                    return Err(KeyError::Line {
                        line,
                        problem: format!("key.{id} is given twice"),
                    });
                }
            } else {
                return Err(KeyError::Line {
                    line,
                    problem: format!("unknown name '{name}': expected current, key.ID or blind"),
                });
            }
        }
        let blind =
            blind.ok_or_else(|| KeyError::Incomplete("the key set has no blind-index key (blind = ...)".into()))?;
        let current = current
            .or_else(|| keys.keys().next_back().copied())
            .ok_or_else(|| KeyError::Incomplete("the key set has no data key (key.1 = ...)".into()))?;
        if !keys.contains_key(&current) {
            return Err(KeyError::Incomplete(format!(
                "current names key {current}, which is not in the set"
            )));
        }
        Ok(DataKeys { current, keys, blind })
    }

    /// The key set as a file [`DataKeys::parse`] reads, with a warning about what it is.
    pub fn to_text(&self) -> String {
        let mut text = String::from(
            "# Rumbo data keys. They encrypt the personal data in Rumbo's database and must never be\n\
             # stored with it or with its backups. Keep this file secret, readable by Rumbo only, and\n\
             # backed up on its own: without it the personal data cannot be read again.\n\
             # Rotate with `rumbo keys rotate`, which adds a key and re-encrypts everything under it.\n",
        );
        text.push_str(&format!("current = {}\n", self.current));
        for (id, key) in &self.keys {
            text.push_str(&format!("key.{id} = {}\n", hex::encode(key)));
        }
        text.push_str(&format!("blind = {}\n", hex::encode(self.blind)));
        text
    }

    /// This key set with one more data key, which becomes current. The old keys stay, so that
    /// values sealed under them still open until they are re-encrypted.
    pub fn rotated(&self) -> Result<DataKeys, KeyError> {
        let next = self.keys.keys().next_back().copied().unwrap_or(0) + 1;
        let mut keys = self.keys.clone();
        keys.insert(next, random_key()?);
        Ok(DataKeys {
            current: next,
            keys,
            blind: self.blind,
        })
    }

    pub fn current(&self) -> u32 {
        self.current
    }

    pub fn ids(&self) -> Vec<u32> {
        self.keys.keys().copied().collect()
    }
}

/// Seals and opens personal fields with a [`DataKeys`] set.
pub struct Vault {
    keys: DataKeys,
    ciphers: BTreeMap<u32, XChaCha20Poly1305>,
    blind: Hmac<Sha256>,
    /// Nonces are this process's random prefix and a counter: unique without a system call
    /// per value (millions of values are sealed by a bulk import).
    prefix: [u8; 16],
    counter: AtomicU64,
}

impl fmt::Debug for Vault {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Vault")
            .field("keys", &self.keys)
            .finish_non_exhaustive()
    }
}

fn corrupt(detail: impl Into<String>) -> StoreError {
    StoreError::Corrupt {
        what: "encrypted field",
        detail: detail.into(),
    }
}

impl Vault {
    pub fn new(keys: DataKeys) -> Result<Vault, KeyError> {
        let mut ciphers = BTreeMap::new();
        for (id, key) in &keys.keys {
            let cipher = XChaCha20Poly1305::new_from_slice(key).map_err(|_| KeyError::Line {
                line: 0,
                problem: format!("key.{id} has the wrong length"),
            })?;
            ciphers.insert(*id, cipher);
        }
        let blind = <Hmac<Sha256>>::new_from_slice(&keys.blind).map_err(|_| KeyError::Line {
            line: 0,
            problem: "the blind-index key has the wrong length".into(),
        })?;
        let mut prefix = [0u8; 16];
        getrandom::fill(&mut prefix).map_err(|e| KeyError::Random(e.to_string()))?;
        Ok(Vault {
            keys,
            ciphers,
            blind,
            prefix,
            counter: AtomicU64::new(0),
        })
    }

    pub fn keys(&self) -> &DataKeys {
        &self.keys
    }

    /// Seals `plaintext` as the value of `column` (such as `household_members.given_names`).
    pub fn seal(&self, column: &str, plaintext: &str) -> Result<String, StoreError> {
        let id = self.keys.current;
        let cipher = self
            .ciphers
            .get(&id)
            .ok_or_else(|| corrupt("the current key is missing"))?;
        let mut nonce = [0u8; NONCE_BYTES];
        nonce[..16].copy_from_slice(&self.prefix);
        nonce[16..].copy_from_slice(&self.counter.fetch_add(1, Ordering::Relaxed).to_le_bytes());
        let nonce_array = XNonce::try_from(&nonce[..]).map_err(|_| corrupt("nonce length"))?;
        let sealed = cipher
            .encrypt(
                &nonce_array,
                Payload {
                    msg: plaintext.as_bytes(),
                    aad: column.as_bytes(),
                },
            )
            .map_err(|_| corrupt("a value could not be encrypted"))?;
        let mut bytes = Vec::with_capacity(NONCE_BYTES + sealed.len());
        bytes.extend_from_slice(&nonce);
        bytes.extend_from_slice(&sealed);
        Ok(format!("v1:{id}:{}", STANDARD_NO_PAD.encode(bytes)))
    }

    /// Seals an optional value.
    pub fn seal_opt(&self, column: &str, plaintext: Option<&str>) -> Result<Option<String>, StoreError> {
        plaintext.map(|p| self.seal(column, p)).transpose()
    }

    /// Opens a value sealed as the value of `column`. A value that does not open (another
    /// column's, damaged, or sealed under a key the set no longer holds) is an error that says
    /// which, without any of the value.
    pub fn open(&self, column: &str, sealed: &str) -> Result<String, StoreError> {
        let (id, body) = split_sealed(sealed)
            .ok_or_else(|| corrupt(format!("a value of {column} is not in the v1:<key>:<data> form")))?;
        let cipher = self.ciphers.get(&id).ok_or_else(|| {
            corrupt(format!(
                "a value of {column} is sealed under key {id}, which the configured key set does not hold"
            ))
        })?;
        let bytes = STANDARD_NO_PAD
            .decode(body)
            .map_err(|_| corrupt(format!("a value of {column} is damaged")))?;
        if bytes.len() < NONCE_BYTES {
            return Err(corrupt(format!("a value of {column} is damaged")));
        }
        let nonce = XNonce::try_from(&bytes[..NONCE_BYTES]).map_err(|_| corrupt("nonce length"))?;
        let plain = cipher
            .decrypt(
                &nonce,
                Payload {
                    msg: &bytes[NONCE_BYTES..],
                    aad: column.as_bytes(),
                },
            )
            .map_err(|_| {
                corrupt(format!(
                    "a value of {column} does not open with key {id}: wrong key or damaged data"
                ))
            })?;
        String::from_utf8(plain).map_err(|_| corrupt(format!("a value of {column} is not text")))
    }

    pub fn open_opt(&self, column: &str, sealed: Option<&str>) -> Result<Option<String>, StoreError> {
        sealed.map(|s| self.open(column, s)).transpose()
    }

    /// The blind index of `text` (a document's match key): hex of HMAC-SHA256 under the
    /// blind-index key.
    pub fn blind_index(&self, text: &str) -> String {
        let mut mac = self.blind.clone();
        mac.update(text.as_bytes());
        hex::encode(mac.finalize().into_bytes())
    }
}

/// The key id and the base64 body of a sealed value.
pub fn split_sealed(sealed: &str) -> Option<(u32, &str)> {
    let rest = sealed.strip_prefix("v1:")?;
    let (id, body) = rest.split_once(':')?;
    Some((id.parse().ok()?, body))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn vault() -> Vault {
        Vault::new(DataKeys::generate().expect("keys")).expect("vault")
    }

    #[test]
    fn values_seal_and_open_and_carry_their_key_id() {
        let vault = vault();
        let sealed = vault.seal("household_members.given_names", "María José").expect("seal");
        assert!(sealed.starts_with("v1:1:"), "{sealed}");
        assert!(!sealed.contains("María"));
        assert_eq!(
            vault.open("household_members.given_names", &sealed).expect("open"),
            "María José"
        );
        let again = vault.seal("household_members.given_names", "María José").expect("seal");
        assert_ne!(sealed, again, "every value has its own nonce");
    }

    #[test]
    fn a_value_moved_to_another_column_or_another_key_set_does_not_open() {
        let vault = vault();
        let sealed = vault.seal("household_members.given_names", "Ana").expect("seal");
        let err = vault
            .open("household_members.first_surname", &sealed)
            .expect_err("wrong column")
            .to_string();
        assert!(err.contains("does not open") && !err.contains("Ana"), "{err}");
        let other = Vault::new(DataKeys::generate().expect("keys")).expect("vault");
        assert!(other.open("household_members.given_names", &sealed).is_err());
        let mut tampered = sealed.clone();
        tampered.pop();
        tampered.push(if sealed.ends_with('A') { 'B' } else { 'A' });
        assert!(vault.open("household_members.given_names", &tampered).is_err());
    }

    #[test]
    fn rotation_keeps_old_values_readable() {
        let keys = DataKeys::generate().expect("keys");
        let old = Vault::new(keys.clone()).expect("vault");
        let sealed = old.seal("c", "Pérez").expect("seal");
        let rotated = keys.rotated().expect("rotated");
        assert_eq!(rotated.current(), 2);
        assert_eq!(rotated.ids(), [1, 2]);
        let new = Vault::new(rotated).expect("vault");
        assert_eq!(new.open("c", &sealed).expect("old value"), "Pérez");
        assert!(new.seal("c", "x").expect("seal").starts_with("v1:2:"));
        assert_eq!(
            new.blind_index("pep:1234"),
            old.blind_index("pep:1234"),
            "the blind key stays"
        );
    }

    #[test]
    fn key_sets_read_back_and_bad_ones_are_named() {
        let keys = DataKeys::generate().expect("keys").rotated().expect("rotated");
        assert_eq!(DataKeys::parse(&keys.to_text()), Ok(keys.clone()));
        let one_line = keys
            .to_text()
            .lines()
            .filter(|l| !l.starts_with('#'))
            .collect::<Vec<_>>()
            .join(";");
        assert_eq!(DataKeys::parse(&one_line), Ok(keys.clone()));
        assert!(!format!("{keys:?}").contains(&hex::encode(keys.blind)));
        assert!(matches!(
            DataKeys::parse("key.1 = abcd\nblind = 00"),
            Err(KeyError::Line { line: 1, .. })
        ));
        assert!(matches!(
            DataKeys::parse(&format!("key.1 = {}", "0".repeat(64))),
            Err(KeyError::Incomplete(_))
        ));
        assert!(DataKeys::parse("colour = blue").is_err());
    }

    #[test]
    fn blind_indexes_are_keyed() {
        let a = vault();
        let b = vault();
        assert_eq!(
            a.blind_index("venezuelan_cedula:V12345678"),
            a.blind_index("venezuelan_cedula:V12345678")
        );
        assert_ne!(
            a.blind_index("venezuelan_cedula:V12345678"),
            b.blind_index("venezuelan_cedula:V12345678")
        );
        assert_eq!(a.blind_index("x").len(), 64);
    }
}
