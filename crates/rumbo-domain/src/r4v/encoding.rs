//! Double-encoded UTF-8 ("mojibake"): text whose UTF-8 bytes were read once as Latin-1 or
//! Windows-1252 and encoded again, so that "Nuevo León" arrives as "Nuevo LeÃ³n". Real 5W
//! exports carry it. A string is repaired only when reading its characters back as those bytes
//! gives valid UTF-8 with at least one multi-byte character: correct Latin text ("León" is the
//! single byte E9 for "ó") never decodes that way, so it is left alone.

/// Windows-1252's characters in 0x80–0x9F, where it differs from Latin-1.
const CP1252_HIGH: [(char, u8); 27] = [
    ('€', 0x80),
    ('‚', 0x82),
    ('ƒ', 0x83),
    ('„', 0x84),
    ('…', 0x85),
    ('†', 0x86),
    ('‡', 0x87),
    ('ˆ', 0x88),
    ('‰', 0x89),
    ('Š', 0x8A),
    ('‹', 0x8B),
    ('Œ', 0x8C),
    ('Ž', 0x8E),
    ('‘', 0x91),
    ('’', 0x92),
    ('“', 0x93),
    ('”', 0x94),
    ('•', 0x95),
    ('–', 0x96),
    ('—', 0x97),
    ('˜', 0x98),
    ('™', 0x99),
    ('š', 0x9A),
    ('›', 0x9B),
    ('œ', 0x9C),
    ('ž', 0x9E),
    ('Ÿ', 0x9F),
];

fn as_byte(c: char) -> Option<u8> {
    let code = u32::from(c);
    if code < 0x100 {
        return Some(code as u8);
    }
    CP1252_HIGH.iter().find(|(ch, _)| *ch == c).map(|(_, b)| *b)
}

/// Whether `text` holds what a double-encoded multi-byte character always leaves: a lead byte
/// (Â to ô as Latin-1) followed by a continuation byte (0x80–0xBF). A cheap test without
/// allocating, which correct text ("León": ó then n) fails.
fn looks_double_encoded(text: &str) -> bool {
    let mut previous_is_lead = false;
    for c in text.chars() {
        if previous_is_lead && as_byte(c).is_some_and(|b| (0x80..=0xBF).contains(&b)) {
            return true;
        }
        previous_is_lead = ('\u{c2}'..='\u{f4}').contains(&c);
    }
    false
}

/// The repaired text when `text` is double-encoded UTF-8, or `None` when it is not (the common
/// case, answered without allocating for plain ASCII).
pub fn repair(text: &str) -> Option<String> {
    if text.is_ascii() || !looks_double_encoded(text) {
        return None;
    }
    let mut current = text.to_owned();
    let mut repaired = false;
    // Text exported twice through the wrong encoding is repaired twice; more is not seen.
    for _ in 0..2 {
        let Some(bytes) = current.chars().map(as_byte).collect::<Option<Vec<u8>>>() else {
            break;
        };
        match String::from_utf8(bytes) {
            Ok(decoded) if decoded != current && !decoded.is_ascii() => {
                current = decoded;
                repaired = true;
            }
            _ => break,
        }
    }
    repaired.then_some(current)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn double_encoded_text_is_repaired() {
        assert_eq!(repair("Nuevo LeÃ³n").as_deref(), Some("Nuevo León"));
        assert_eq!(repair("San Luis PotosÃ\u{ad}").as_deref(), Some("San Luis Potosí"));
        assert_eq!(repair("niÃ±ez").as_deref(), Some("niñez"));
        assert_eq!(repair("Itâ€™s").as_deref(), Some("It’s"));
        assert_eq!(
            repair("SÃƒÂ£o Paulo").as_deref(),
            Some("São Paulo"),
            "twice double-encoded"
        );
    }

    #[test]
    fn correct_text_is_left_alone() {
        for text in [
            "Nuevo León",
            "São Paulo",
            "Cúcuta",
            "plain ascii",
            "Ã alone",
            "€ 100",
            "Zürich ©",
        ] {
            assert_eq!(repair(text), None, "{text}");
        }
    }
}
