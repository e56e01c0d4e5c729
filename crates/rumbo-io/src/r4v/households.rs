//! Household survey data for the multidimensional deprivation method: one row per household
//! with `country`, `adm1_pcode`, `population_type`, `size` and `weight` (the survey weight),
//! and one column per deprivation indicator named `SECTOR:INDICATOR` or
//! `SECTOR:INDICATOR:WEIGHT` (weight 1 when not given), holding yes/no or 1/0.

use rumbo_domain::Vocabulary;
use rumbo_domain::country::Iso3;
use rumbo_domain::r4v::PopulationType;
use rumbo_domain::r4v::fields::yes_no;
use rumbo_domain::r4v::hxl::parse_number;
use rumbo_domain::r4v::needs::{Deprivation, Household};

use super::sheet::{label_key, read_sheet};
use crate::Rejected;
use crate::text::Problems;

/// A survey: its deprivation indicators and households.
#[derive(Debug, Clone, PartialEq)]
pub struct Survey {
    pub indicators: Vec<Deprivation>,
    pub households: Vec<Household>,
}

pub fn read_households(bytes: &[u8]) -> Result<Survey, Rejected> {
    let sheet = read_sheet(bytes)?;
    let mut rows = sheet
        .rows
        .iter()
        .filter(|(_, cells)| cells.iter().any(|c| !c.trim().is_empty()));
    let Some((_, header)) = rows.next() else {
        return Err(Rejected::one("file", "the file is empty"));
    };
    let mut problems = Problems::default();
    let keys: Vec<String> = header.iter().map(|h| label_key(h)).collect();
    let find = |name: &str| keys.iter().position(|k| k == name);
    let fixed = ["country", "adm1_pcode", "population_type", "size", "weight"];
    let columns: Vec<Option<usize>> = fixed.iter().map(|f| find(f)).collect();
    for (name, column) in fixed.iter().zip(&columns) {
        if column.is_none() {
            problems.push("header", format!("the column '{name}' is missing"));
        }
    }
    let mut indicators = Vec::new();
    let mut indicator_columns = Vec::new();
    for (i, h) in header.iter().enumerate() {
        let parts: Vec<&str> = h.trim().split(':').collect();
        if parts.len() < 2 {
            continue;
        }
        let weight = match parts.get(2) {
            Some(w) => match parse_number(w) {
                Some(w) if w > 0.0 => w,
                _ => {
                    problems.push(
                        format!("header, column {}", i + 1),
                        format!("'{w}' is not a weight above zero"),
                    );
                    continue;
                }
            },
            None => 1.0,
        };
        indicators.push(Deprivation {
            code: parts[1].trim().to_owned(),
            sector: parts[0].trim().to_owned(),
            weight,
        });
        indicator_columns.push(i);
    }
    if indicators.is_empty() {
        problems.push(
            "header",
            "no deprivation column (named SECTOR:INDICATOR, such as wash:water)",
        );
    }
    if !problems.is_empty() {
        return problems.finish(Survey {
            indicators,
            households: vec![],
        });
    }
    let mut households = Vec::new();
    for (number, cells) in rows {
        let cell = |i: Option<usize>| i.and_then(|i| cells.get(i)).map(|c| c.trim()).unwrap_or("");
        let place = |name: &str| format!("row {number}, column {name}");
        let country = Iso3::parse(cell(columns[0]));
        let population = PopulationType::parse(cell(columns[2]));
        let size = cell(columns[3]).parse::<i64>().ok().filter(|s| *s >= 0);
        let weight = parse_number(cell(columns[4])).filter(|w| *w >= 0.0);
        let mut deprived = Vec::with_capacity(indicator_columns.len());
        for &i in &indicator_columns {
            match yes_no(cell(Some(i))) {
                Ok(Some(d)) => deprived.push(d),
                _ => problems.push(place(header[i].trim()), "write yes or no (1 or 0)"),
            }
        }
        match (&country, &population, size, weight) {
            (Ok(country), Ok(population_type), Some(size), Some(weight))
                if deprived.len() == indicator_columns.len() =>
            {
                households.push(Household {
                    country: *country,
                    admin1: cell(columns[1]).to_owned(),
                    population_type: *population_type,
                    size,
                    weight,
                    deprived,
                })
            }
            _ => {
                if let Err(e) = country {
                    problems.push(place("country"), e);
                }
                if let Err(e) = population {
                    problems.push(place("population_type"), e);
                }
                if size.is_none() {
                    problems.push(place("size"), "not a number of people");
                }
                if weight.is_none() {
                    problems.push(place("weight"), "not a survey weight");
                }
            }
        }
    }
    problems.finish(Survey { indicators, households })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn households_and_their_deprivations() {
        let csv = "country,adm1_pcode,population_type,size,weight,wash:water:2,wash:sanitation,food_security:meals\n\
                   COL,CO54,in_destination,4,10.5,yes,no,1\n\
                   COL,CO54,in_transit,3,2,0,0,0\n";
        let survey = read_households(csv.as_bytes()).expect("reads");
        assert_eq!(survey.indicators.len(), 3);
        assert_eq!(survey.indicators[0].weight, 2.0);
        assert_eq!(survey.households[0].deprived, vec![true, false, true]);
        let bad = "country,adm1_pcode,population_type,size,weight,wash:water\nCOL,CO54,martians,4,1,maybe\n";
        let err = read_households(bad.as_bytes()).expect_err("problems");
        assert_eq!(err.problems.len(), 2, "{:?}", err.problems);
    }
}
