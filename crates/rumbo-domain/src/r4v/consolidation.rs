//! Consolidation: turning partners' monthly 5W reports into the number of people reached,
//! without counting anyone twice.
//!
//! - Only **new beneficiaries** (people reached for the first time in the year) add up across
//!   months. The **monthly total** is a volume — the same person served in March and April is
//!   in both months' totals — so it is reported per month and never summed across months.
//! - Within a sector, partners' reports are added (the RMRP's sectors coordinate so that one
//!   person is reported once per sector).
//! - Across sectors, the method is a parameter recorded in every output: `sum` adds the
//!   sectors (an upper bound); `maxsector` takes, for each population-type × age-gender cell,
//!   the largest sector (a lower bound: the people of smaller sectors are assumed to be among
//!   those of the largest).
//! - A country's figure is the sum of its admin-1 figures; the region's is the sum of countries.
//!
//! Reports give population types and age-gender groups as two separate breakdowns. A sector's
//! cells are estimated from them as `population × age-gender share`, rounded half up in whole
//! people: `(2·p·a + s) div (2·s)` with `s` the sector's age-gender total. Where a breakdown
//! does not cover everyone, the rest goes to an "unspecified" row or column, so no one is lost.

use std::collections::{BTreeMap, HashMap};

use serde::Serialize;

use super::fields::Month;
use super::vocab::Method;
use crate::country::Iso3;

/// Population types plus "unspecified".
pub const POPULATION_CELLS: usize = 6;
/// Age-gender groups plus "unspecified".
pub const AGE_GENDER_CELLS: usize = 7;

/// People by population type (rows, the last "unspecified") and age-gender group (columns,
/// the last "unspecified").
pub type Cells = [[i64; AGE_GENDER_CELLS]; POPULATION_CELLS];

/// One direct-assistance report, as consolidation needs it. Reports of other indicator types
/// count outputs, not people, and are left out by the caller.
#[derive(Debug, Clone, PartialEq)]
pub struct Reach<'a> {
    pub country: Iso3,
    /// The admin-1 P-code, or the name as reported when it matched no stored area.
    pub admin1: &'a str,
    pub month: Month,
    /// The sector or subsector code.
    pub sector: &'a str,
    pub cva: bool,
    pub total_monthly: i64,
    pub new_beneficiaries: i64,
    pub population: [i64; 5],
    pub age_gender: [i64; 6],
}

/// The time an output covers: one month, or the months from `from` to `to` inclusive.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Period {
    Month { month: Month },
    Span { from: Month, to: Month },
}

impl Period {
    fn contains(self, month: Month) -> bool {
        match self {
            Period::Month { month: m } => m == month,
            Period::Span { from, to } => from <= month && month <= to,
        }
    }
}

/// Where an output applies.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Level {
    Region,
    /// A coordination platform (national or sub-regional): the sum of its countries.
    Platform {
        platform: String,
    },
    Country {
        country: Iso3,
    },
    Admin1 {
        country: Iso3,
        admin1: String,
    },
}

/// One consolidated figure.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Output {
    pub level: Level,
    pub period: Period,
    /// The sector, or `None` for the intersector figure.
    pub sector: Option<String>,
    /// How sectors were combined (recorded on sector rows too, as they feed the intersector).
    pub method: Method,
    /// People reached: unique within the period as far as the method can tell.
    pub people: i64,
    /// By population type, the last "unspecified".
    pub by_population: [i64; POPULATION_CELLS],
    /// By age-gender group, the last "unspecified".
    pub by_age_gender: [i64; AGE_GENDER_CELLS],
    pub cells: Cells,
    /// People reached with cash or vouchers.
    pub cva_people: i64,
    /// The month's total (a volume): only for a single month, never summed across months.
    pub monthly_total: Option<i64>,
}

/// A sector's reports in one admin-1 area and period, added up.
#[derive(Debug, Clone, Default)]
struct Acc {
    new: i64,
    total: i64,
    cva: i64,
    population: [i64; 5],
    age_gender: [i64; 6],
}

impl Acc {
    fn add(&mut self, r: &Reach) {
        self.new += r.new_beneficiaries;
        self.total += r.total_monthly;
        if r.cva {
            self.cva += r.new_beneficiaries;
        }
        for (a, b) in self.population.iter_mut().zip(r.population) {
            *a += b;
        }
        for (a, b) in self.age_gender.iter_mut().zip(r.age_gender) {
            *a += b;
        }
    }

    /// Adds another share of the same group's sums.
    fn merge(&mut self, other: &Acc) {
        self.new += other.new;
        self.total += other.total;
        self.cva += other.cva;
        for (a, b) in self.population.iter_mut().zip(other.population) {
            *a += b;
        }
        for (a, b) in self.age_gender.iter_mut().zip(other.age_gender) {
            *a += b;
        }
    }

    /// The population breakdown with "unspecified" for new beneficiaries it does not cover.
    fn population_cells(&self) -> [i64; POPULATION_CELLS] {
        let mut out = [0; POPULATION_CELLS];
        out[..5].copy_from_slice(&self.population);
        out[5] = (self.new - self.population.iter().sum::<i64>()).max(0);
        out
    }

    /// The age-gender breakdown with "unspecified" for people it does not cover.
    fn age_gender_cells(&self, population_total: i64) -> [i64; AGE_GENDER_CELLS] {
        let mut out = [0; AGE_GENDER_CELLS];
        out[..6].copy_from_slice(&self.age_gender);
        out[6] = (population_total - self.age_gender.iter().sum::<i64>()).max(0);
        out
    }

    fn cells(&self) -> Cells {
        let p = self.population_cells();
        let a = self.age_gender_cells(p.iter().sum());
        let s: i64 = a.iter().sum();
        let mut cells = [[0; AGE_GENDER_CELLS]; POPULATION_CELLS];
        if s == 0 {
            return cells;
        }
        // In 128 bits: the product of two large sums must not overflow; the quotient is at
        // most `pi`, so it fits back.
        let s = i128::from(s);
        for (row, &pi) in cells.iter_mut().zip(&p) {
            for (cell, &aj) in row.iter_mut().zip(&a) {
                let value = (2 * i128::from(pi) * i128::from(aj) + s) / (2 * s);
                *cell = i64::try_from(value).unwrap_or(i64::MAX);
            }
        }
        cells
    }
}

fn row_sums(cells: &Cells) -> [i64; POPULATION_CELLS] {
    cells.map(|row| row.iter().sum())
}

fn column_sums(cells: &Cells) -> [i64; AGE_GENDER_CELLS] {
    let mut out = [0; AGE_GENDER_CELLS];
    for row in cells {
        for (o, c) in out.iter_mut().zip(row) {
            *o += c;
        }
    }
    out
}

/// (country, admin-1 area, period, sector): the cell reports are added up in.
type GroupKey<'a> = (Iso3, &'a str, Period, &'a str);

/// FNV-1a: the group keys are short and trusted (they come from stored reports), so the
/// keyed SipHash of `HashMap`'s default buys nothing here and costs a third of the time.
#[derive(Default)]
struct Fnv(u64);

impl std::hash::Hasher for Fnv {
    fn finish(&self) -> u64 {
        self.0
    }

    fn write(&mut self, bytes: &[u8]) {
        let mut hash = if self.0 == 0 { 0xcbf2_9ce4_8422_2325 } else { self.0 };
        for b in bytes {
            hash ^= u64::from(*b);
            hash = hash.wrapping_mul(0x0000_0100_0000_01b3);
        }
        self.0 = hash;
    }
}

/// (country, admin-1 area, period) → each sector's sums.
type Groups<'a> = BTreeMap<(Iso3, &'a str, Period), Vec<(&'a str, Acc)>>;

type Sums<'a> = HashMap<GroupKey<'a>, Acc, std::hash::BuildHasherDefault<Fnv>>;

/// Adds up the reports per group, on every core for a large set: each thread sums its share,
/// then the shares are added (sums commute, so the result does not depend on the split).
fn sums<'a>(reports: &'a [Reach<'a>], span: Option<(Month, Month)>) -> Sums<'a> {
    const PER_THREAD: usize = 50_000;
    let sum_part = |part: &'a [Reach<'a>]| {
        let mut sums = Sums::default();
        for r in part {
            let period = match span {
                Some((from, to)) => {
                    let period = Period::Span { from, to };
                    if !period.contains(r.month) {
                        continue;
                    }
                    period
                }
                None => Period::Month { month: r.month },
            };
            sums.entry((r.country, r.admin1, period, r.sector)).or_default().add(r);
        }
        sums
    };
    let threads = std::thread::available_parallelism().map_or(1, |n| n.get().min(8));
    if reports.len() < 2 * PER_THREAD || threads < 2 {
        return sum_part(reports);
    }
    let chunk = reports.len().div_ceil(threads);
    let parts: Vec<Sums<'a>> = std::thread::scope(|scope| {
        let handles: Vec<_> = reports
            .chunks(chunk)
            .map(|part| scope.spawn(move || sum_part(part)))
            .collect();
        handles
            .into_iter()
            .zip(reports.chunks(chunk))
            .map(|(handle, part)| handle.join().unwrap_or_else(|_| sum_part(part)))
            .collect()
    });
    let mut parts = parts.into_iter();
    let mut total = parts.next().unwrap_or_default();
    for part in parts {
        for (key, acc) in part {
            total.entry(key).or_default().merge(&acc);
        }
    }
    total
}

/// Consolidates `reports` with `method`: one output per month (or, with `span`, one for the
/// whole span) at admin-1, country and region level, per sector and intersector.
pub fn consolidate(reports: &[Reach], method: Method, span: Option<(Month, Month)>) -> Vec<Output> {
    // (country, admin1, period) → sector → sums. Sectors are few per group: a sorted list of
    // them is both deterministic and faster than a map.
    let mut groups: Groups = BTreeMap::new();
    for ((country, admin1, period, sector), acc) in sums(reports, span) {
        groups.entry((country, admin1, period)).or_default().push((sector, acc));
    }
    for sectors in groups.values_mut() {
        sectors.sort_by(|a, b| a.0.cmp(b.0));
    }
    let single_month = span.is_none();
    let mut admin1_outputs = Vec::new();
    for ((country, admin1, period), sectors) in groups {
        let level = Level::Admin1 {
            country,
            admin1: admin1.to_owned(),
        };
        let mut inter = Output::empty(level.clone(), period, None, method);
        let mut inter_total = 0;
        for (sector, acc) in &sectors {
            let cells = acc.cells();
            let mut out = Output::empty(level.clone(), period, Some((*sector).to_owned()), method);
            out.people = acc.new;
            out.by_population = acc.population_cells();
            out.by_age_gender = acc.age_gender_cells(out.by_population.iter().sum());
            out.cells = cells;
            out.cva_people = acc.cva;
            out.monthly_total = single_month.then_some(acc.total);
            inter_total += acc.total;
            match method {
                Method::Sum => {
                    inter.people += acc.new;
                    inter.cva_people += acc.cva;
                    for (a, b) in inter.by_population.iter_mut().zip(out.by_population) {
                        *a += b;
                    }
                    for (a, b) in inter.by_age_gender.iter_mut().zip(out.by_age_gender) {
                        *a += b;
                    }
                    for (ra, rb) in inter.cells.iter_mut().zip(&cells) {
                        for (a, b) in ra.iter_mut().zip(rb) {
                            *a += b;
                        }
                    }
                }
                Method::MaxSector => {
                    inter.cva_people = inter.cva_people.max(acc.cva);
                    for (ra, rb) in inter.cells.iter_mut().zip(&cells) {
                        for (a, b) in ra.iter_mut().zip(rb) {
                            *a = (*a).max(*b);
                        }
                    }
                }
            }
            admin1_outputs.push(out);
        }
        if method == Method::MaxSector {
            inter.by_population = row_sums(&inter.cells);
            inter.by_age_gender = column_sums(&inter.cells);
            inter.people = inter.by_population.iter().sum();
        }
        // The month's volume across sectors, as R4V reports it; still never across months.
        inter.monthly_total = single_month.then_some(inter_total);
        admin1_outputs.push(inter);
    }

    // Countries are the sum of their admin-1 areas, the region the sum of its countries.
    let mut countries: BTreeMap<(Iso3, Period, Option<String>), Output> = BTreeMap::new();
    for out in &admin1_outputs {
        let Level::Admin1 { country, .. } = &out.level else {
            continue;
        };
        countries
            .entry((*country, out.period, out.sector.clone()))
            .or_insert_with(|| {
                let mut empty = Output::empty(
                    Level::Country { country: *country },
                    out.period,
                    out.sector.clone(),
                    method,
                );
                empty.monthly_total = single_month.then_some(0);
                empty
            })
            .add(out);
    }
    let mut region: BTreeMap<(Period, Option<String>), Output> = BTreeMap::new();
    for out in countries.values() {
        region
            .entry((out.period, out.sector.clone()))
            .or_insert_with(|| {
                let mut empty = Output::empty(Level::Region, out.period, out.sector.clone(), method);
                empty.monthly_total = single_month.then_some(0);
                empty
            })
            .add(out);
    }

    let mut all = admin1_outputs;
    all.extend(countries.into_values());
    all.extend(region.into_values());
    all.sort_by(|a, b| (&a.level, a.period, &a.sector).cmp(&(&b.level, b.period, &b.sector)));
    all
}

/// The outputs of each coordination platform (`(code, countries)`): the sum of its countries'
/// outputs, per period and sector, like the region.
pub fn platform_totals(outputs: &[Output], platforms: &[(String, Vec<Iso3>)]) -> Vec<Output> {
    let mut totals: BTreeMap<(String, Period, Option<String>), Output> = BTreeMap::new();
    for out in outputs {
        let Level::Country { country } = &out.level else {
            continue;
        };
        for (code, _) in platforms.iter().filter(|(_, c)| c.contains(country)) {
            totals
                .entry((code.clone(), out.period, out.sector.clone()))
                .or_insert_with(|| {
                    let mut empty = Output::empty(
                        Level::Platform { platform: code.clone() },
                        out.period,
                        out.sector.clone(),
                        out.method,
                    );
                    empty.monthly_total = out.monthly_total.map(|_| 0);
                    empty
                })
                .add(out);
        }
    }
    totals.into_values().collect()
}

impl Output {
    fn empty(level: Level, period: Period, sector: Option<String>, method: Method) -> Output {
        Output {
            level,
            period,
            sector,
            method,
            people: 0,
            by_population: [0; POPULATION_CELLS],
            by_age_gender: [0; AGE_GENDER_CELLS],
            cells: [[0; AGE_GENDER_CELLS]; POPULATION_CELLS],
            cva_people: 0,
            monthly_total: None,
        }
    }

    /// Adds a lower level's figure into this one (a country's admin-1 areas, the region's
    /// countries): areas hold different people, so they add.
    fn add(&mut self, other: &Output) {
        self.people += other.people;
        self.cva_people += other.cva_people;
        for (a, b) in self.by_population.iter_mut().zip(other.by_population) {
            *a += b;
        }
        for (a, b) in self.by_age_gender.iter_mut().zip(other.by_age_gender) {
            *a += b;
        }
        for (ra, rb) in self.cells.iter_mut().zip(&other.cells) {
            for (a, b) in ra.iter_mut().zip(rb) {
                *a += b;
            }
        }
        if let (Some(a), Some(b)) = (self.monthly_total.as_mut(), other.monthly_total) {
            *a += b;
        }
    }
}

#[cfg(test)]
#[path = "consolidation_tests.rs"]
mod tests;
