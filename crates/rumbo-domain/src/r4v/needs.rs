//! People in need (PiN) per admin-1 area, sector and population type: the denominators of
//! the response's dashboards. They are imported as figures, or computed from a household
//! survey with the multidimensional deprivation method:
//!
//! 1. each sector has deprivation indicators with weights (a household is deprived on an
//!    indicator or not); a household's sector score is the weighted share of its sector's
//!    indicators it is deprived on, from 0 to 1;
//! 2. its intersector score is the mean of its sector scores;
//! 3. a household is in need in a sector (or overall) when the score is at least one third —
//!    the cut-off of the multidimensional poverty index;
//! 4. people in need are the survey-weighted members of households in need.

use std::collections::BTreeMap;

use serde::Serialize;

use super::vocab::PopulationType;
use crate::DomainError;
use crate::country::Iso3;

/// The cut-off: in need from one third of the weighted deprivations.
pub const IN_NEED_FROM: f64 = 1.0 / 3.0;

/// One deprivation indicator of a sector, such as "no access to safe water" for WASH.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Deprivation {
    pub code: String,
    pub sector: String,
    pub weight: f64,
}

/// One surveyed household.
#[derive(Debug, Clone, PartialEq)]
pub struct Household {
    pub country: Iso3,
    pub admin1: String,
    pub population_type: PopulationType,
    /// Its members.
    pub size: i64,
    /// The survey weight: how many households of the population it stands for.
    pub weight: f64,
    /// Whether it is deprived on each indicator, in the order of the method's indicators.
    pub deprived: Vec<bool>,
}

/// People in need in one admin-1 area, sector (`None`: intersector) and population type.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct PeopleInNeed {
    pub country: Iso3,
    pub admin1: String,
    pub sector: Option<String>,
    pub population_type: PopulationType,
    pub people: i64,
}

/// The method: indicators and their weights, checked once.
#[derive(Debug, Clone)]
pub struct DeprivationMethod {
    indicators: Vec<Deprivation>,
    sectors: Vec<String>,
}

impl DeprivationMethod {
    /// Weights must be positive; each sector's are rescaled to add up to one.
    pub fn new(indicators: Vec<Deprivation>) -> Result<DeprivationMethod, DomainError> {
        if indicators.is_empty() {
            return Err(DomainError::Invalid(
                "the method needs at least one deprivation indicator".into(),
            ));
        }
        let mut totals: BTreeMap<String, f64> = BTreeMap::new();
        for i in &indicators {
            if !(i.weight.is_finite() && i.weight > 0.0) {
                return Err(DomainError::Invalid(format!(
                    "the weight of {} must be above zero",
                    i.code
                )));
            }
            *totals.entry(i.sector.clone()).or_default() += i.weight;
        }
        let indicators = indicators
            .into_iter()
            .map(|mut i| {
                i.weight /= totals.get(&i.sector).copied().unwrap_or(1.0);
                i
            })
            .collect();
        Ok(DeprivationMethod {
            indicators,
            sectors: totals.into_keys().collect(),
        })
    }

    pub fn indicators(&self) -> &[Deprivation] {
        &self.indicators
    }

    /// Each sector's score for `household`, in the order of [`DeprivationMethod::sectors`].
    pub fn sector_scores(&self, household: &Household) -> Vec<f64> {
        self.sectors
            .iter()
            .map(|sector| {
                self.indicators
                    .iter()
                    .zip(&household.deprived)
                    .filter(|(i, d)| &i.sector == sector && **d)
                    .map(|(i, _)| i.weight)
                    .sum()
            })
            .collect()
    }

    pub fn sectors(&self) -> &[String] {
        &self.sectors
    }

    /// People in need from `households`, by admin-1 area, sector and population type, and
    /// intersector. A household answering a different number of indicators is refused.
    pub fn people_in_need(&self, households: &[Household]) -> Result<Vec<PeopleInNeed>, DomainError> {
        let mut sums: BTreeMap<(Iso3, String, Option<String>, PopulationType), f64> = BTreeMap::new();
        for (n, h) in households.iter().enumerate() {
            if h.deprived.len() != self.indicators.len() {
                return Err(DomainError::Invalid(format!(
                    "household {} answers {} indicators; the method has {}",
                    n + 1,
                    h.deprived.len(),
                    self.indicators.len()
                )));
            }
            if h.size < 0 || !(h.weight.is_finite() && h.weight >= 0.0) {
                return Err(DomainError::Invalid(format!(
                    "household {} has a negative size or weight",
                    n + 1
                )));
            }
            let people = h.size as f64 * h.weight;
            let scores = self.sector_scores(h);
            for (sector, score) in self.sectors.iter().zip(&scores) {
                let entry = sums
                    .entry((h.country, h.admin1.clone(), Some(sector.clone()), h.population_type))
                    .or_default();
                if *score >= IN_NEED_FROM - 1e-9 {
                    *entry += people;
                }
            }
            let overall = scores.iter().sum::<f64>() / scores.len().max(1) as f64;
            let entry = sums
                .entry((h.country, h.admin1.clone(), None, h.population_type))
                .or_default();
            if overall >= IN_NEED_FROM - 1e-9 {
                *entry += people;
            }
        }
        Ok(sums
            .into_iter()
            .map(|((country, admin1, sector, population_type), people)| PeopleInNeed {
                country,
                admin1,
                sector,
                population_type,
                people: people.round() as i64,
            })
            .collect())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn method() -> DeprivationMethod {
        let d = |code: &str, sector: &str, weight| Deprivation {
            code: code.into(),
            sector: sector.into(),
            weight,
        };
        DeprivationMethod::new(vec![
            d("water", "wash", 2.0),
            d("sanitation", "wash", 1.0),
            d("meals", "food_security", 1.0),
        ])
        .expect("method")
    }

    fn household(deprived: [bool; 3], size: i64, weight: f64) -> Household {
        Household {
            country: Iso3::parse("COL").expect("iso3"),
            admin1: "CO54".into(),
            population_type: PopulationType::InDestination,
            size,
            weight,
            deprived: deprived.to_vec(),
        }
    }

    #[test]
    fn weights_are_rescaled_per_sector_and_one_third_is_the_cut_off() {
        let m = method();
        let scores = m.sector_scores(&household([false, true, false], 1, 1.0));
        // Sectors in code order: food_security, wash.
        assert_eq!(m.sectors(), ["food_security", "wash"]);
        assert!((scores[1] - 1.0 / 3.0).abs() < 1e-12, "{scores:?}");
        let pin = m
            .people_in_need(&[
                household([false, true, false], 4, 10.0),
                household([true, false, false], 3, 10.0),
                household([false, false, false], 5, 10.0),
            ])
            .expect("pin");
        let of = |sector: Option<&str>| pin.iter().find(|p| p.sector.as_deref() == sector).map(|p| p.people);
        assert_eq!(of(Some("wash")), Some(70), "one third is in need");
        assert_eq!(of(Some("food_security")), Some(0));
        assert_eq!(
            of(None),
            Some(30),
            "2/3 ÷ 2 sectors reaches the cut-off; 1/3 ÷ 2 does not"
        );
    }

    #[test]
    fn malformed_input_is_refused() {
        assert!(DeprivationMethod::new(vec![]).is_err());
        let m = method();
        let mut h = household([true, true, true], 1, 1.0);
        h.deprived.pop();
        assert!(m.people_in_need(&[h]).is_err());
    }
}
