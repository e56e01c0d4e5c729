//! The stored form of an observation's groups: one text value per observation (or per part of
//! one, when an import writes it in pieces) instead of one table row per group. A million-row
//! count file becomes some tens of thousands of stored rows, which is what makes a bulk import
//! fast; dashboards never read raw groups (they read the daily rollups), and the observation
//! pages decode the few groups they show.
//!
//! One group per line; fields separated by tabs, in this order: size, breakdown (empty when
//! sex and age were not noted, else the [`SLOTS`] counts separated by commas), nationality,
//! transport, previous point, next destination, final destination (empty when not stated).
//! Place names are free text: backslash, tab, newline and carriage return in them are
//! escaped as `\\`, `\t`, `\n` and `\r`.

use crate::country::Iso3;
use crate::flow::Transport;
use crate::flow::counts::{CountGroup, ObservationKey, SLOTS};
use crate::vocabulary::Vocabulary;

/// Appends `group` to `out` as one line (a newline first when `out` is not empty).
pub fn encode_group(out: &mut String, group: &CountGroup) {
    use std::fmt::Write;
    if !out.is_empty() {
        out.push('\n');
    }
    // Writing to a String cannot fail.
    let _ = write!(out, "{}\t", group.size);
    if let Some(slots) = &group.breakdown {
        for (i, n) in slots.iter().enumerate() {
            if i > 0 {
                out.push(',');
            }
            let _ = write!(out, "{n}");
        }
    }
    out.push('\t');
    if let Some(n) = group.nationality {
        out.push_str(n.as_str());
    }
    out.push('\t');
    if let Some(t) = group.transport {
        out.push_str(t.code());
    }
    for place in [&group.previous, &group.next, &group.final_destination] {
        out.push('\t');
        if let Some(text) = place {
            escape(out, text);
        }
    }
}

/// Escapes backslash, tab, newline and carriage return in free text (see the module notes);
/// the breakdown values of the daily rollups are escaped the same way.
pub(crate) fn escape(out: &mut String, text: &str) {
    for c in text.chars() {
        match c {
            '\\' => out.push_str("\\\\"),
            '\t' => out.push_str("\\t"),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            c => out.push(c),
        }
    }
}

pub(crate) fn unescape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut chars = text.chars();
    while let Some(c) = chars.next() {
        if c != '\\' {
            out.push(c);
            continue;
        }
        match chars.next() {
            Some('t') => out.push('\t'),
            Some('n') => out.push('\n'),
            Some('r') => out.push('\r'),
            Some(other) => out.push(other),
            None => out.push('\\'),
        }
    }
    out
}

/// Reads the groups of the observation `key` back from their stored form. An error names what
/// could not be read (the stored text was not written by [`encode_group`]).
pub fn decode_groups(text: &str, key: &ObservationKey) -> Result<Vec<CountGroup>, String> {
    if text.is_empty() {
        return Ok(Vec::new());
    }
    text.split('\n')
        .enumerate()
        .map(|(i, line)| decode_line(line, key).map_err(|e| format!("group {}: {e}", i + 1)))
        .collect()
}

fn decode_line(line: &str, key: &ObservationKey) -> Result<CountGroup, String> {
    let fields: Vec<&str> = line.split('\t').collect();
    let [
        size,
        breakdown,
        nationality,
        transport,
        previous,
        next,
        final_destination,
    ] = fields[..]
    else {
        return Err(format!("{} fields instead of 7", fields.len()));
    };
    let size = size.parse::<u32>().map_err(|_| format!("size '{size}'"))?;
    let breakdown = if breakdown.is_empty() {
        None
    } else {
        let mut slots = [0u32; SLOTS];
        let mut values = breakdown.split(',');
        for slot in slots.iter_mut() {
            let value = values.next().ok_or("too few breakdown values")?;
            *slot = value.parse().map_err(|_| format!("breakdown value '{value}'"))?;
        }
        if values.next().is_some() {
            return Err("too many breakdown values".into());
        }
        Some(slots)
    };
    let place = |text: &str| (!text.is_empty()).then(|| unescape(text));
    Ok(CountGroup {
        fmp_id: key.fmp_id,
        date: key.date,
        start_minute: key.start_minute,
        hours: key.hours,
        direction: key.direction,
        size,
        breakdown,
        nationality: match nationality {
            "" => None,
            code => Some(Iso3::parse(code).map_err(|e| e.to_string())?),
        },
        transport: match transport {
            "" => None,
            code => Some(Transport::parse(code).map_err(|e| e.to_string())?),
        },
        previous: place(previous),
        next: place(next),
        final_destination: place(final_destination),
    })
}

#[cfg(test)]
mod tests {
    use proptest::prelude::*;
    use time::macros::date;

    use super::*;
    use crate::flow::Direction;

    fn key() -> ObservationKey {
        ObservationKey {
            fmp_id: 7,
            date: date!(2025 - 03 - 14),
            start_minute: Some(360),
            hours: 6,
            direction: Direction::Incoming,
        }
    }

    fn group(size: u32, breakdown: Option<[u32; SLOTS]>, place: Option<String>) -> CountGroup {
        let k = key();
        CountGroup {
            fmp_id: k.fmp_id,
            date: k.date,
            start_minute: k.start_minute,
            hours: k.hours,
            direction: k.direction,
            size,
            breakdown,
            nationality: Iso3::parse("VEN").ok(),
            transport: Some(Transport::Bus),
            previous: place.clone(),
            next: None,
            final_destination: place,
        }
    }

    #[test]
    fn a_group_is_one_tab_separated_line() {
        let mut slots = [0u32; SLOTS];
        slots[3] = 2;
        let mut out = String::new();
        encode_group(&mut out, &group(2, Some(slots), Some("Cúcuta".into())));
        encode_group(&mut out, &group(1, None, None));
        assert_eq!(
            out,
            "2\t0,0,0,2,0,0,0,0,0,0,0,0,0,0,0,0\tVEN\tbus\tCúcuta\t\tCúcuta\n1\t\tVEN\tbus\t\t\t"
        );
    }

    #[test]
    fn unreadable_text_is_named_not_guessed() {
        assert_eq!(
            decode_groups("3\t\tVEN\tbus\t\t\t\n4\t1,2", &key()).expect_err("refused"),
            "group 2: 2 fields instead of 7"
        );
        assert!(
            decode_groups("x\t\t\t\t\t\t", &key())
                .expect_err("refused")
                .contains("size 'x'")
        );
        assert!(
            decode_groups("1\t1,2\t\t\t\t\t", &key())
                .expect_err("refused")
                .contains("too few")
        );
        assert_eq!(decode_groups("", &key()), Ok(Vec::new()));
    }

    proptest! {
        #[test]
        fn groups_read_back_as_written(
            groups in proptest::collection::vec(
                (1u32..1000, proptest::option::of(proptest::array::uniform16(0u32..100)),
                 proptest::option::of("[a-zA-Z\\\\\t\n\r ,|áñ]{1,12}")),
                1..20,
            )
        ) {
            let groups: Vec<CountGroup> = groups.into_iter().map(|(s, b, p)| group(s, b, p)).collect();
            let mut out = String::new();
            for g in &groups {
                encode_group(&mut out, g);
            }
            prop_assert_eq!(decode_groups(&out, &key()), Ok(groups));
        }
    }
}
