//! Pseudonymous codes: how households and people are named to everyone who may not see their
//! names. A code is the record's id passed through a fixed permutation of 40-bit numbers and
//! written in Crockford's base 32, such as `H-7K3M-9Q2D` for a household and `P-...` for a
//! person: unique, short enough to read over the phone, and with nothing in it about the
//! person. Consecutive registrations do not get consecutive codes.

use crate::DomainError;

const BITS: u32 = 40;
const MASK: u64 = (1 << BITS) - 1;
const ALPHABET: &[u8; 32] = b"0123456789ABCDEFGHJKMNPQRSTVWXYZ";
/// Odd, so that multiplying by it is a bijection modulo 2^40.
const M1: u64 = 0x009E_3779_B97F & MASK | 1;
const M2: u64 = 0x00C2_B2AE_3D27 & MASK | 1;

/// What a code names.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    Household,
    Person,
}

impl Kind {
    fn prefix(self) -> char {
        match self {
            Kind::Household => 'H',
            Kind::Person => 'P',
        }
    }
}

fn permute(id: u64) -> u64 {
    let mut x = id & MASK;
    x = x.wrapping_mul(M1) & MASK;
    x ^= x >> 21;
    x = x.wrapping_mul(M2) & MASK;
    x ^= x >> 19;
    x
}

fn unxorshift(y: u64, shift: u32) -> u64 {
    let mut x = y;
    let mut s = shift;
    while s < BITS {
        x = y ^ (x >> shift);
        s += shift;
    }
    x & MASK
}

/// The inverse of an odd number modulo 2^64 (Newton's iteration), good modulo 2^40 too.
fn inverse(m: u64) -> u64 {
    let mut x = m;
    for _ in 0..6 {
        x = x.wrapping_mul(2u64.wrapping_sub(m.wrapping_mul(x)));
    }
    x
}

fn unpermute(code: u64) -> u64 {
    let mut x = unxorshift(code & MASK, 19);
    x = x.wrapping_mul(inverse(M2)) & MASK;
    x = unxorshift(x, 21);
    x.wrapping_mul(inverse(M1)) & MASK
}

/// The code of record `id`, such as `H-7K3M-9Q2D`.
pub fn encode(kind: Kind, id: i64) -> String {
    let value = permute(id as u64);
    let chars: Vec<char> = (0..8)
        .rev()
        .map(|i| ALPHABET[((value >> (i * 5)) & 31) as usize] as char)
        .collect();
    let first: String = chars[..4].iter().collect();
    let second: String = chars[4..].iter().collect();
    format!("{}-{first}-{second}", kind.prefix())
}

/// The id behind a code. Accepts lower case, missing hyphens, and the letters people confuse
/// with digits (I and L for 1, O for 0).
pub fn decode(kind: Kind, raw: &str) -> Result<i64, DomainError> {
    let bad = || DomainError::Invalid(format!("'{}' is not a code such as {}", raw.trim(), encode(kind, 1)));
    let compact: String = raw
        .trim()
        .chars()
        .filter(|c| *c != '-' && *c != ' ')
        .collect::<String>()
        .to_ascii_uppercase();
    let body = compact.strip_prefix(kind.prefix()).ok_or_else(bad)?;
    if body.len() != 8 {
        return Err(bad());
    }
    let mut value = 0u64;
    for c in body.chars() {
        let c = match c {
            'I' | 'L' => '1',
            'O' => '0',
            c => c,
        };
        let digit = ALPHABET.iter().position(|a| *a as char == c).ok_or_else(bad)?;
        value = value << 5 | digit as u64;
    }
    Ok(unpermute(value) as i64)
}

#[cfg(test)]
mod tests {
    use proptest::prelude::*;

    use super::*;

    #[test]
    fn codes_look_right_and_read_back() {
        let code = encode(Kind::Household, 1);
        assert!(code.starts_with("H-") && code.len() == 11, "{code}");
        assert_eq!(decode(Kind::Household, &code), Ok(1));
        assert_eq!(decode(Kind::Household, &code.to_lowercase().replace('-', "")), Ok(1));
        assert!(
            decode(Kind::Person, &code).is_err(),
            "a household code is no person code"
        );
        assert!(decode(Kind::Household, "H-1234").is_err());
        assert!(decode(Kind::Household, "H-UUUU-UUUU").is_err());
        assert_ne!(encode(Kind::Person, 2)[2..], encode(Kind::Person, 3)[2..]);
    }

    proptest! {
        #[test]
        fn every_id_has_its_own_code(id in 0i64..(1 << 40)) {
            let code = encode(Kind::Person, id);
            prop_assert_eq!(decode(Kind::Person, &code), Ok(id));
        }
    }
}
