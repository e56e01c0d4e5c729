//! The stored form of a breakdown of the daily rollups: for one point, breakdown, day and
//! direction, every value and its people as one text value, instead of one table row per value.
//! The benchmark's million-row count file has 951,169 such values in 168,906 keys: an import
//! writes a sixth as many rows, and a dashboard's breakdown reads one row per point, day and
//! direction instead of one per value.
//!
//! One value per line, sorted by value: the value, a tab, the people (a whole number, never
//! zero). Values are escaped as the place names of [`crate::flow::compact`] are (backslash, tab,
//! newline, carriage return), so neither a tab nor a newline in a value can split it.
//!
//! Rollups are added, never recomputed: [`merge`] adds people value by value and drops a value
//! that reaches zero, so taking away a deleted observation's (negated) rollup leaves no trace.

use std::collections::BTreeMap;

use crate::flow::compact::{escape, unescape};

/// People by value of one breakdown, for one point, day and direction.
pub type Values = BTreeMap<String, i64>;

/// What is wrong with a stored text that [`encode`] did not write.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ValuesError {
    #[error("line {line}: no tab between the value and its people")]
    NoTab { line: usize },
    #[error("line {line}: people '{people}' is not a whole number")]
    People { line: usize, people: String },
    #[error("line {line}: zero people (a value that reaches zero is dropped)")]
    Zero { line: usize },
    #[error("line {line}: the value of an earlier line repeated")]
    Repeated { line: usize },
}

/// The stored text of `values`, without the values of zero people (none once merged).
pub fn encode(values: &Values) -> String {
    use std::fmt::Write;
    let mut out = String::with_capacity(values.len() * 16);
    for (value, people) in values.iter().filter(|(_, p)| **p != 0) {
        if !out.is_empty() {
            out.push('\n');
        }
        escape(&mut out, value);
        // Writing to a String cannot fail.
        let _ = write!(out, "\t{people}");
    }
    out
}

/// Reads back what [`encode`] wrote; the empty text is no values.
pub fn decode(text: &str) -> Result<Values, ValuesError> {
    let mut values = Values::new();
    if text.is_empty() {
        return Ok(values);
    }
    for (i, line) in text.split('\n').enumerate() {
        let line_number = i + 1;
        // An escaped value holds no tab: the first one ends it.
        let (value, people) = line.split_once('\t').ok_or(ValuesError::NoTab { line: line_number })?;
        let people: i64 = people.parse().map_err(|_| ValuesError::People {
            line: line_number,
            people: people.to_owned(),
        })?;
        if people == 0 {
            return Err(ValuesError::Zero { line: line_number });
        }
        if values.insert(unescape(value), people).is_some() {
            return Err(ValuesError::Repeated { line: line_number });
        }
    }
    Ok(values)
}

/// Adds `more` to `values`, value by value (negative people take away); values that reach zero
/// are dropped, so an empty result means nothing is left to store.
pub fn merge(values: &mut Values, more: &Values) {
    for (value, people) in more {
        match values.get_mut(value.as_str()) {
            Some(sum) => {
                *sum += people;
                if *sum == 0 {
                    values.remove(value.as_str());
                }
            }
            None if *people != 0 => {
                values.insert(value.clone(), *people);
            }
            None => {}
        }
    }
}

#[cfg(test)]
mod tests {
    use proptest::prelude::*;

    use super::*;

    fn values(pairs: &[(&str, i64)]) -> Values {
        pairs.iter().map(|(v, p)| ((*v).to_owned(), *p)).collect()
    }

    #[test]
    fn one_escaped_line_per_value_sorted_by_value() {
        let text = encode(&values(&[
            ("VEN", 12),
            ("", 3),
            ("Cúcuta|Bogotá", 5),
            ("a\tb\\c", 1),
            ("gone", 0),
        ]));
        assert_eq!(text, "\t3\nCúcuta|Bogotá\t5\nVEN\t12\na\\tb\\\\c\t1");
        assert_eq!(
            decode(&text),
            Ok(values(&[("VEN", 12), ("", 3), ("Cúcuta|Bogotá", 5), ("a\tb\\c", 1)]))
        );
        assert_eq!(encode(&Values::new()), "");
        assert_eq!(decode(""), Ok(Values::new()));
    }

    #[test]
    fn unreadable_text_is_named_not_guessed() {
        assert_eq!(decode("VEN\t3\nCOL"), Err(ValuesError::NoTab { line: 2 }));
        assert_eq!(
            decode("VEN\tthree"),
            Err(ValuesError::People {
                line: 1,
                people: "three".into()
            })
        );
        assert_eq!(decode("VEN\t0"), Err(ValuesError::Zero { line: 1 }));
        assert_eq!(decode("VEN\t1\nVEN\t2"), Err(ValuesError::Repeated { line: 2 }));
        assert_eq!(
            decode("VEN\t1\n").expect_err("refused").to_string(),
            "line 2: no tab between the value and its people"
        );
    }

    #[test]
    fn merging_adds_and_drops_what_reaches_zero() {
        let mut stored = values(&[("COL", 4), ("VEN", 10)]);
        merge(
            &mut stored,
            &values(&[("VEN", -10), ("COL", 1), ("ECU", 2), ("PER", 0)]),
        );
        assert_eq!(stored, values(&[("COL", 5), ("ECU", 2)]));
    }

    fn additions() -> impl Strategy<Value = Vec<(String, i64)>> {
        proptest::collection::vec(("[a-zA-Z\\\\\t\n\r |áñ]{0,8}", -50i64..200), 0..40)
    }

    fn rolled_up(list: &[(String, i64)]) -> Values {
        let mut all = Values::new();
        for (value, people) in list {
            *all.entry(value.clone()).or_default() += people;
        }
        all.retain(|_, p| *p != 0);
        all
    }

    proptest! {
        #[test]
        fn values_read_back_as_written(list in additions()) {
            let values = rolled_up(&list);
            prop_assert_eq!(decode(&encode(&values)), Ok(values));
        }

        #[test]
        fn merging_parts_is_rolling_up_all_at_once(list in additions(), cut in 0usize..40) {
            let cut = cut.min(list.len());
            let mut merged = Values::new();
            merge(&mut merged, &rolled_up(&list[..cut]));
            // Stored and read back between the parts, as an import chunk by chunk does.
            let mut merged = decode(&encode(&merged)).expect("written by encode");
            merge(&mut merged, &rolled_up(&list[cut..]));
            prop_assert_eq!(merged, rolled_up(&list));
        }

        #[test]
        fn merging_the_negation_leaves_nothing(list in additions()) {
            let values = rolled_up(&list);
            let negated: Values = values.iter().map(|(v, p)| (v.clone(), -p)).collect();
            let mut stored = values.clone();
            merge(&mut stored, &negated);
            prop_assert!(stored.is_empty());
            prop_assert_eq!(encode(&stored), "");
        }
    }
}
