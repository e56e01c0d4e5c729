//! Official border movement figures, as migration authorities publish them: country, movement
//! (entry or exit), border point by its official name, month and total. They are what
//! authorities registered at official points, not what flow monitoring observed.

use serde::Serialize;

use crate::country::Iso3;
use crate::vocabulary::Vocabulary;

/// Entry into or exit from the country of the border point.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Movement {
    Entry,
    Exit,
}

impl Vocabulary for Movement {
    const NAME: &'static str = "movement";
    const ALL: &'static [Self] = &[Self::Entry, Self::Exit];

    fn code(self) -> &'static str {
        match self {
            Movement::Entry => "entry",
            Movement::Exit => "exit",
        }
    }
}

/// One official figure.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct OfficialFigure {
    pub country: Iso3,
    pub movement: Movement,
    pub border_point: String,
    /// `YYYY-MM`.
    pub month: String,
    pub total: i64,
}

/// Monthly totals of a country: (month, entries, exits).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct OfficialMonth {
    pub month: String,
    pub entries: i64,
    pub exits: i64,
}

/// Monthly entries and exits from a list of figures.
pub fn official_months(figures: &[OfficialFigure]) -> Vec<OfficialMonth> {
    let mut months: std::collections::BTreeMap<&str, (i64, i64)> = std::collections::BTreeMap::new();
    for f in figures {
        let entry = months.entry(&f.month).or_default();
        match f.movement {
            Movement::Entry => entry.0 += f.total,
            Movement::Exit => entry.1 += f.total,
        }
    }
    months
        .into_iter()
        .map(|(month, (entries, exits))| OfficialMonth {
            month: month.to_owned(),
            entries,
            exits,
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn months_add_entries_and_exits() {
        let figure = |movement, month: &str, total| OfficialFigure {
            country: Iso3::parse("PER").expect("iso3"),
            movement,
            border_point: "Tumbes - PCF Cebaf".into(),
            month: month.into(),
            total,
        };
        let months = official_months(&[
            figure(Movement::Entry, "2020-02", 5),
            figure(Movement::Exit, "2020-02", 2),
            figure(Movement::Entry, "2020-01", 7),
        ]);
        assert_eq!(months[0].month, "2020-01");
        assert_eq!((months[1].entries, months[1].exits), (5, 2));
    }
}
