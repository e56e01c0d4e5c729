//! Figures shown to people without need to know: small counts are suppressed, so that nobody
//! can be singled out from a table ("3 unaccompanied children at the Maicao desk this week").

use serde::Serialize;

/// Counts below this are shown as "fewer than" it.
pub const MIN_SHOWN: i64 = 5;

/// A count as shown: exact, or suppressed because it is small (but not zero).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case", tag = "kind", content = "value")]
pub enum Shown {
    Exact(i64),
    FewerThan(i64),
}

/// `count` as shown to someone with (`exact`) or without need to know.
pub fn shown(count: i64, exact: bool) -> Shown {
    if exact || count == 0 || count >= MIN_SHOWN {
        Shown::Exact(count)
    } else {
        Shown::FewerThan(MIN_SHOWN)
    }
}

impl std::fmt::Display for Shown {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Shown::Exact(n) => write!(f, "{n}"),
            Shown::FewerThan(n) => write!(f, "<{n}"),
        }
    }
}

/// The age brackets of registration figures: 0–4, 5–11, 12–17, 18–59, 60 and over.
pub const AGE_BRACKETS: [(u32, Option<u32>); 5] =
    [(0, Some(4)), (5, Some(11)), (12, Some(17)), (18, Some(59)), (60, None)];

/// The index of `age`'s bracket in [`AGE_BRACKETS`].
pub fn age_bracket(age: u32) -> usize {
    AGE_BRACKETS
        .iter()
        .position(|(from, to)| age >= *from && to.is_none_or(|t| age <= t))
        .unwrap_or(AGE_BRACKETS.len() - 1)
}

/// "0-4", "60+": the label of bracket `i`.
pub fn bracket_label(i: usize) -> String {
    match AGE_BRACKETS.get(i) {
        Some((from, Some(to))) => format!("{from}-{to}"),
        Some((from, None)) => format!("{from}+"),
        None => String::new(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn small_counts_are_suppressed_for_those_without_need_to_know() {
        assert_eq!(shown(3, false).to_string(), "<5");
        assert_eq!(shown(3, true), Shown::Exact(3));
        assert_eq!(shown(0, false), Shown::Exact(0));
        assert_eq!(shown(5, false), Shown::Exact(5));
    }

    #[test]
    fn brackets() {
        assert_eq!(age_bracket(0), 0);
        assert_eq!(age_bracket(4), 0);
        assert_eq!(age_bracket(17), 2);
        assert_eq!(age_bracket(18), 3);
        assert_eq!(age_bracket(97), 4);
        assert_eq!(bracket_label(4), "60+");
    }
}
