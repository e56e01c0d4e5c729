//! Official population figures. Each country's figures are a time series: every publication is
//! kept, with its source body, reference date (the date the figure describes), publication
//! date, method notes, and a flag when the method changed (so a jump is not read as movement).
//! The current figure is the latest official one; a regional total adds the current figures
//! and says which dates it combines, since countries publish at different times.

use std::collections::BTreeMap;

use serde::Serialize;
use time::Date;
use time::macros::format_description;

use super::vocab::FigureType;
use crate::DomainError;
use crate::country::Iso3;

/// One published figure.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct PopulationFigure {
    pub country: Iso3,
    pub kind: FigureType,
    pub value: i64,
    /// The body that published it: a migration authority, a statistics office, UNHCR...
    pub source: String,
    #[serde(with = "iso_date")]
    pub reference_date: Date,
    #[serde(with = "iso_date")]
    pub publication_date: Date,
    pub method_notes: Option<String>,
    /// The method changed from the previous figure: the series breaks here.
    pub method_changed: bool,
    /// Published by a government or agreed by the platform; only official figures are current.
    pub official: bool,
}

mod iso_date {
    use serde::Serializer;
    use time::Date;

    pub fn serialize<S: Serializer>(date: &Date, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(&super::format_date(*date))
    }
}

/// `2024-06-30`.
pub fn format_date(date: Date) -> String {
    format!("{:04}-{:02}-{:02}", date.year(), u8::from(date.month()), date.day())
}

/// Reads `2024-06-30` or `30/06/2024`.
pub fn parse_date(raw: &str) -> Result<Date, DomainError> {
    let text = raw.trim();
    let text = text.split(['T', ' ']).next().unwrap_or(text);
    Date::parse(text, format_description!("[year]-[month]-[day]"))
        .or_else(|_| Date::parse(text, format_description!("[day]/[month]/[year]")))
        .map_err(|_| {
            DomainError::Invalid(format!(
                "'{text}' is not a date: write it as YYYY-MM-DD, such as 2024-06-30"
            ))
        })
}

impl PopulationFigure {
    /// Checks what a figure must be before it is stored.
    pub fn validate(&self) -> Result<(), DomainError> {
        if self.value < 0 {
            return Err(DomainError::Invalid(format!(
                "{} is not a number of people",
                self.value
            )));
        }
        if self.source.trim().is_empty() {
            return Err(DomainError::Empty { field: "source" });
        }
        if self.publication_date < self.reference_date {
            return Err(DomainError::Invalid(format!(
                "published on {} before the date it describes ({})",
                format_date(self.publication_date),
                format_date(self.reference_date)
            )));
        }
        Ok(())
    }
}

/// The current figure of each country and type: the official one with the latest reference
/// date, the latest publication breaking ties (a correction of the same date wins).
pub fn current<'a, T>(figures: &'a [T], figure: impl Fn(&T) -> &PopulationFigure) -> Vec<&'a T> {
    let mut best: BTreeMap<(Iso3, FigureType), &'a T> = BTreeMap::new();
    for item in figures {
        let f = figure(item);
        if !f.official {
            continue;
        }
        let key = (f.country, f.kind);
        let newer = best.get(&key).is_none_or(|b| {
            let b = figure(b);
            (f.reference_date, f.publication_date) > (b.reference_date, b.publication_date)
        });
        if newer {
            best.insert(key, item);
        }
    }
    best.into_values().collect()
}

/// A regional total, labelled with the dates it combines.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct RegionalTotal {
    pub kind: FigureType,
    pub total: i64,
    pub countries: usize,
    #[serde(with = "iso_date")]
    pub earliest: Date,
    #[serde(with = "iso_date")]
    pub latest: Date,
    /// Each country's reference date, so the mix is visible.
    pub dates: Vec<(Iso3, String)>,
    /// Whether every country's figure describes the same date.
    pub same_date: bool,
}

impl RegionalTotal {
    /// "as of 2024-06-30", or "combines figures dated 2023-12-31 to 2024-06-30".
    pub fn label(&self) -> String {
        if self.same_date {
            format!("as of {}", format_date(self.latest))
        } else {
            format!(
                "combines figures dated {} to {}",
                format_date(self.earliest),
                format_date(self.latest)
            )
        }
    }
}

/// Adds the current figures of each type across countries.
pub fn regional_totals(current: &[&PopulationFigure]) -> Vec<RegionalTotal> {
    let mut by_kind: BTreeMap<FigureType, Vec<&PopulationFigure>> = BTreeMap::new();
    for f in current {
        by_kind.entry(f.kind).or_default().push(f);
    }
    by_kind
        .into_iter()
        .filter_map(|(kind, figures)| {
            let earliest = figures.iter().map(|f| f.reference_date).min()?;
            let latest = figures.iter().map(|f| f.reference_date).max()?;
            Some(RegionalTotal {
                kind,
                total: figures.iter().map(|f| f.value).sum(),
                countries: figures.len(),
                earliest,
                latest,
                dates: figures
                    .iter()
                    .map(|f| (f.country, format_date(f.reference_date)))
                    .collect(),
                same_date: earliest == latest,
            })
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn figure(country: &str, value: i64, reference: &str, published: &str, official: bool) -> PopulationFigure {
        PopulationFigure {
            country: Iso3::parse(country).expect("iso3"),
            kind: FigureType::RefugeesMigrants,
            value,
            source: "Migración".into(),
            reference_date: parse_date(reference).expect("date"),
            publication_date: parse_date(published).expect("date"),
            method_notes: None,
            method_changed: false,
            official,
        }
    }

    #[test]
    fn the_current_figure_is_the_latest_official_one() {
        let figures = [
            figure("COL", 2_800_000, "2024-01-31", "2024-03-01", true),
            figure("COL", 2_900_000, "2024-06-30", "2024-08-01", true),
            figure("COL", 3_100_000, "2024-09-30", "2024-10-01", false),
            figure("COL", 2_880_000, "2024-06-30", "2024-09-15", true),
            figure("PER", 1_500_000, "2024-05-31", "2024-06-15", true),
        ];
        let current = current(&figures, |f| f);
        assert_eq!(current.len(), 2);
        assert_eq!(
            current[0].value, 2_880_000,
            "a later correction of the same date wins; estimates never do"
        );
        let totals = regional_totals(&current);
        assert_eq!(totals[0].total, 4_380_000);
        assert_eq!(totals[0].label(), "combines figures dated 2024-05-31 to 2024-06-30");
        assert!(!totals[0].same_date);
    }

    #[test]
    fn dates_and_validation() {
        assert_eq!(parse_date("30/06/2024").map(format_date), Ok("2024-06-30".into()));
        assert!(parse_date("June 2024").is_err());
        assert!(figure("COL", 1, "2024-06-30", "2024-01-01", true).validate().is_err());
        assert!(figure("COL", -1, "2024-06-30", "2024-07-01", true).validate().is_err());
        assert!(figure("COL", 1, "2024-06-30", "2024-07-01", true).validate().is_ok());
    }
}
