//! RMRP planning against the response: people reached against targets, funding received
//! against requirements, and overlaps — two or more partners reporting the same indicator in
//! the same place, month and population type, which coordinators look at so that nobody is
//! served twice for one need without knowing it.

use std::collections::BTreeMap;

use serde::Serialize;

use super::fields::Month;
use super::vocab::PopulationType;
use crate::country::Iso3;
use crate::vocabulary::Vocabulary;

/// Progress towards a figure: reached against target, or funded against required.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct Progress {
    pub achieved: f64,
    pub planned: f64,
    /// `achieved / planned` as a percentage, `None` when nothing was planned.
    pub percent: Option<f64>,
}

pub fn progress(achieved: f64, planned: f64) -> Progress {
    Progress {
        achieved,
        planned,
        percent: (planned > 0.0).then(|| (achieved / planned * 1000.0).round() / 10.0),
    }
}

/// A report as overlap detection needs it.
#[derive(Debug, Clone, PartialEq)]
pub struct ReportedReach<'a> {
    pub activity_id: i64,
    pub organisation_id: i64,
    pub country: Iso3,
    /// The most precise admin area given: the admin-2 P-code or name, else the admin-1.
    pub area: &'a str,
    pub month: Month,
    pub indicator: &'a str,
    pub population: [i64; 5],
}

/// Several partners reporting the same indicator for the same people.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Overlap {
    pub country: Iso3,
    pub area: String,
    pub month: Month,
    pub indicator: String,
    pub population_type: &'static str,
    pub organisations: Vec<i64>,
    pub activities: Vec<i64>,
}

/// Every (area, month, indicator, population type) reported by two or more organisations.
pub fn overlaps(reports: &[ReportedReach]) -> Vec<Overlap> {
    type Key<'a> = (Iso3, &'a str, Month, &'a str, usize);
    let mut groups: BTreeMap<Key, (Vec<i64>, Vec<i64>)> = BTreeMap::new();
    for r in reports {
        for (p, n) in r.population.iter().enumerate() {
            if *n > 0 {
                let entry = groups.entry((r.country, r.area, r.month, r.indicator, p)).or_default();
                if !entry.0.contains(&r.organisation_id) {
                    entry.0.push(r.organisation_id);
                }
                entry.1.push(r.activity_id);
            }
        }
    }
    groups
        .into_iter()
        .filter(|(_, (orgs, _))| orgs.len() >= 2)
        .map(
            |((country, area, month, indicator, p), (mut organisations, mut activities))| {
                organisations.sort_unstable();
                activities.sort_unstable();
                Overlap {
                    country,
                    area: area.to_owned(),
                    month,
                    indicator: indicator.to_owned(),
                    population_type: PopulationType::ALL[p].code(),
                    organisations,
                    activities,
                }
            },
        )
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn reach(activity: i64, org: i64, area: &'static str, population: [i64; 5]) -> ReportedReach<'static> {
        ReportedReach {
            activity_id: activity,
            organisation_id: org,
            country: Iso3::parse("COL").expect("iso3"),
            area,
            month: Month::parse("2024-02").expect("month"),
            indicator: "FS1",
            population,
        }
    }

    #[test]
    fn two_partners_same_place_indicator_month_and_population_overlap() {
        let found = overlaps(&[
            reach(1, 10, "CO54001", [5, 0, 0, 0, 0]),
            reach(2, 11, "CO54001", [7, 3, 0, 0, 0]),
            reach(3, 10, "CO54001", [2, 0, 0, 0, 0]),
            reach(4, 12, "CO54498", [9, 0, 0, 0, 0]),
        ]);
        assert_eq!(found.len(), 1, "{found:?}");
        assert_eq!(found[0].organisations, vec![10, 11]);
        assert_eq!(found[0].activities, vec![1, 2, 3]);
        assert_eq!(found[0].population_type, "in_destination");
    }

    #[test]
    fn progress_is_a_percentage_of_what_was_planned() {
        assert_eq!(progress(50.0, 200.0).percent, Some(25.0));
        assert_eq!(progress(5.0, 0.0).percent, None);
    }
}
