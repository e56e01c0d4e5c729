//! Counts at flow monitoring points. One *observation* is a date, a time window (the hours it
//! covers), a point and a direction; it holds the *groups* seen, each with its size, its sex and
//! age breakdown, nationality, transport, previous point and next and final destination.
//!
//! [`check_count`] turns one raw row (from a file or a form, all text) into a [`CountGroup`] or
//! the list of what is wrong with it, column by column; [`Rollup`] adds checked groups into the
//! daily totals that dashboards read, so the store only has to add them to its tables.

use std::collections::{BTreeMap, HashMap, HashSet};

use serde::Serialize;
use time::Date;

use super::{AgeBrackets, Direction, Transport};
use crate::Vocabulary;
use crate::country::Iso3;

/// Sex and age slots of a group: females in brackets 0..8, then males in brackets 0..8.
pub const SLOTS: usize = 2 * AgeBrackets::MAX;

/// A count row as a file or a form gives it, before any check. `breakdown` holds one value per
/// column of [`AgeBrackets::columns`] (females first), or is empty when no breakdown is given.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct RawCount {
    pub fmp: String,
    pub date: String,
    pub start_time: String,
    pub hours: String,
    pub direction: String,
    pub group_size: String,
    pub breakdown: Vec<String>,
    pub nationality: String,
    pub transport: String,
    pub previous: String,
    pub next: String,
    pub final_destination: String,
}

/// The column names of a count file, as problems name them.
pub mod column {
    pub const FMP: &str = "fmp";
    pub const DATE: &str = "date";
    pub const START_TIME: &str = "start_time";
    pub const HOURS: &str = "hours";
    pub const DIRECTION: &str = "direction";
    pub const GROUP_SIZE: &str = "group_size";
    pub const NATIONALITY: &str = "nationality";
    pub const TRANSPORT: &str = "transport";
    pub const PREVIOUS: &str = "previous_point";
    pub const NEXT: &str = "next_destination";
    pub const FINAL: &str = "final_destination";
}

/// A checked group, ready to store.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize)]
pub struct CountGroup {
    pub fmp_id: i64,
    pub date: Date,
    /// Minutes after midnight when the window starts; `None` when not stated.
    pub start_minute: Option<u16>,
    pub hours: u8,
    pub direction: Direction,
    pub size: u32,
    /// People by sex and age bracket (see [`SLOTS`]); `None` when the breakdown is not known.
    pub breakdown: Option<[u32; SLOTS]>,
    pub nationality: Option<Iso3>,
    pub transport: Option<Transport>,
    pub previous: Option<String>,
    pub next: Option<String>,
    pub final_destination: Option<String>,
}

impl CountGroup {
    pub fn key(&self) -> ObservationKey {
        ObservationKey {
            fmp_id: self.fmp_id,
            date: self.date,
            start_minute: self.start_minute,
            hours: self.hours,
            direction: self.direction,
        }
    }
}

/// What identifies an observation: an observation is recorded once, and a second file or form
/// with the same point, date, window and direction is refused rather than counted twice.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
pub struct ObservationKey {
    pub fmp_id: i64,
    pub date: Date,
    pub start_minute: Option<u16>,
    pub hours: u8,
    pub direction: Direction,
}

/// What checking a count needs to know about a flow monitoring point.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PointRule {
    pub id: i64,
    pub code: String,
    pub active_from: Option<Date>,
    pub active_until: Option<Date>,
}

/// What checking counts needs: the points by code (upper case), the age brackets of the
/// operation, and today's date (a count cannot be in the future).
pub struct CountContext<'a> {
    pub points: &'a HashMap<String, PointRule>,
    pub brackets: &'a AgeBrackets,
    pub today: Date,
}

/// One problem of a row: the column and the reason.
pub type ColumnProblem = (String, String);

/// Longest place name accepted for previous point and destinations.
pub const MAX_PLACE: usize = 120;

/// Checks one row. Every problem is returned, each with its column, so a file shows all that
/// is wrong with a row at once.
pub fn check_count(raw: &RawCount, ctx: &CountContext) -> Result<CountGroup, Vec<ColumnProblem>> {
    let mut problems: Vec<ColumnProblem> = Vec::new();
    let mut fail = |column: &str, reason: String| problems.push((column.to_owned(), reason));

    let point = {
        // Codes are upper case; a file that writes them so (nearly all) is looked up without
        // a copy of the code for each of its rows.
        let trimmed = raw.fmp.trim();
        let code = if trimmed.bytes().any(|b| b.is_ascii_lowercase()) {
            std::borrow::Cow::Owned(trimmed.to_ascii_uppercase())
        } else {
            std::borrow::Cow::Borrowed(trimmed)
        };
        if code.is_empty() {
            fail(
                column::FMP,
                "missing: give the code of the flow monitoring point".into(),
            );
            None
        } else {
            let found = ctx.points.get(code.as_ref());
            if found.is_none() {
                fail(column::FMP, format!("no flow monitoring point has the code '{code}'"));
            }
            found
        }
    };
    let date = match parse_date(&raw.date) {
        Ok(date) => {
            if date > ctx.today {
                fail(column::DATE, format!("{date} is in the future"));
            } else if let Some(point) = point {
                let before = point.active_from.is_some_and(|from| date < from);
                let after = point.active_until.is_some_and(|until| date > until);
                if before || after {
                    fail(
                        column::DATE,
                        format!(
                            "{date} is outside the active period of {} ({} to {})",
                            point.code,
                            point.active_from.map_or("the start".to_owned(), |d| d.to_string()),
                            point.active_until.map_or("today".to_owned(), |d| d.to_string())
                        ),
                    );
                }
            }
            Some(date)
        }
        Err(e) => {
            fail(column::DATE, e);
            None
        }
    };
    let start_minute = parse_time(&raw.start_time)
        .map_err(|e| fail(column::START_TIME, e))
        .ok();
    let hours = match raw.hours.trim().parse::<i64>() {
        Ok(h) if (1..=24).contains(&h) => Some(h as u8),
        Ok(h) => {
            fail(column::HOURS, format!("{h} is not a number of hours from 1 to 24"));
            None
        }
        Err(_) if raw.hours.trim().is_empty() => {
            fail(
                column::HOURS,
                "missing: give the hours the count covers (1 to 24)".into(),
            );
            None
        }
        Err(_) => {
            fail(
                column::HOURS,
                format!("'{}' is not a whole number of hours", raw.hours.trim()),
            );
            None
        }
    };
    let direction = Direction::parse(&raw.direction)
        .map_err(|e| fail(column::DIRECTION, e.to_string()))
        .ok();
    let size = count(&raw.group_size, true)
        .map_err(|e| fail(column::GROUP_SIZE, e))
        .ok();
    let columns = ctx.brackets.columns();
    let breakdown = if raw.breakdown.iter().all(|v| v.trim().is_empty()) {
        None
    } else {
        let mut slots = [0u32; SLOTS];
        let mut ok = true;
        for (i, (sex, bracket)) in columns.iter().enumerate() {
            let value = raw.breakdown.get(i).map_or("", String::as_str);
            match count(value, false) {
                Ok(n) => slots[*sex as usize * AgeBrackets::MAX + bracket] = n,
                Err(e) => {
                    ok = false;
                    fail(&ctx.brackets.column(*sex, *bracket), e);
                }
            }
        }
        if ok && let Some(size) = size {
            let total: u64 = slots.iter().map(|n| u64::from(*n)).sum();
            if total != u64::from(size) {
                fail(
                    column::GROUP_SIZE,
                    format!("the sex and age breakdown adds up to {total}, not to the group size {size}"),
                );
            }
        }
        ok.then_some(slots)
    };
    let nationality = match raw.nationality.trim() {
        "" => None,
        code => Iso3::parse(code)
            .map_err(|e| fail(column::NATIONALITY, e.to_string()))
            .ok(),
    };
    let transport = match raw.transport.trim() {
        "" => None,
        code => Transport::parse(code)
            .map_err(|e| fail(column::TRANSPORT, e.to_string()))
            .ok(),
    };
    let mut place = |column: &str, raw: &str| match raw.trim() {
        "" => None,
        text if text.chars().count() > MAX_PLACE => {
            fail(column, format!("is longer than {MAX_PLACE} characters"));
            None
        }
        text => Some(text.to_owned()),
    };
    let previous = place(column::PREVIOUS, &raw.previous);
    let next = place(column::NEXT, &raw.next);
    let final_destination = place(column::FINAL, &raw.final_destination);
    if !problems.is_empty() {
        return Err(problems);
    }
    match (point, date, start_minute, hours, direction, size) {
        (Some(point), Some(date), Some(start_minute), Some(hours), Some(direction), Some(size)) => Ok(CountGroup {
            fmp_id: point.id,
            date,
            start_minute,
            hours,
            direction,
            size,
            breakdown,
            nationality,
            transport,
            previous,
            next,
            final_destination,
        }),
        _ => Err(vec![(column::FMP.to_owned(), "the row could not be read".to_owned())]),
    }
}

/// A whole number of people; negative numbers are refused by name.
fn count(raw: &str, required: bool) -> Result<u32, String> {
    let text = raw.trim();
    if text.is_empty() {
        return if required {
            Err("missing: give the number of people".into())
        } else {
            Ok(0)
        };
    }
    match text.parse::<i64>() {
        Ok(n) if n < 0 => Err(format!("{n} is negative: counts are zero or more")),
        Ok(0) if required => Err("a group has at least one person".into()),
        Ok(n) if n > 1_000_000 => Err(format!("{n} is not a plausible number of people in one group")),
        Ok(n) => Ok(n as u32),
        Err(_) => Err(format!("'{text}' is not a whole number")),
    }
}

/// A date as `2025-03-14` or, as people write it in the region, `14/03/2025`.
pub fn parse_date(raw: &str) -> Result<Date, String> {
    let text = raw.trim();
    if text.is_empty() {
        return Err("missing: give the date as YYYY-MM-DD".into());
    }
    // The usual form, read without splitting (a file holds a date on every row).
    if let [y0, y1, y2, y3, b'-', m0, m1, b'-', d0, d1] = *text.as_bytes()
        && [y0, y1, y2, y3, m0, m1, d0, d1].iter().all(u8::is_ascii_digit)
    {
        let n = |digits: &[u8]| digits.iter().fold(0i32, |n, d| n * 10 + i32::from(d - b'0'));
        let (year, month, day) = (n(&[y0, y1, y2, y3]), n(&[m0, m1]), n(&[d0, d1]));
        if let Ok(month) = time::Month::try_from(month as u8)
            && let Ok(date) = Date::from_calendar_date(year, month, day as u8)
        {
            return Ok(date);
        }
    }
    let parts: Vec<&str> = text.split(['-', '/']).collect();
    let numbers: Option<Vec<i32>> = parts.iter().map(|p| p.parse::<i32>().ok()).collect();
    let (year, month, day) = match (numbers.as_deref(), text.contains('/')) {
        (Some([y, m, d]), false) if parts[0].len() == 4 => (*y, *m, *d),
        (Some([d, m, y]), true) if parts[2].len() == 4 => (*y, *m, *d),
        _ => return Err(format!("'{text}' is not a date (YYYY-MM-DD or DD/MM/YYYY)")),
    };
    let month = u8::try_from(month)
        .ok()
        .and_then(|m| time::Month::try_from(m).ok())
        .ok_or_else(|| format!("'{text}' is not a date: there is no month {month}"))?;
    let day = u8::try_from(day).map_err(|_| format!("'{text}' is not a date"))?;
    Date::from_calendar_date(year, month, day).map_err(|_| format!("'{text}' is not a date of the calendar"))
}

/// `HH:MM` as minutes after midnight; blank is `None` (window start not stated).
fn parse_time(raw: &str) -> Result<Option<u16>, String> {
    let text = raw.trim();
    if text.is_empty() {
        return Ok(None);
    }
    let parsed = text
        .split_once(':')
        .and_then(|(h, m)| Some((h.parse::<u16>().ok()?, m.get(..2)?.parse::<u16>().ok()?)));
    match parsed {
        Some((h, m)) if h < 24 && m < 60 => Ok(Some(h * 60 + m)),
        _ => Err(format!("'{text}' is not a time of day (HH:MM, such as 06:00)")),
    }
}

/// Minutes after midnight as `HH:MM`.
pub fn format_time(minutes: u16) -> String {
    format!("{:02}:{:02}", minutes / 60, minutes % 60)
}

/// The breakdowns the daily rollups keep, beside the totals.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Dimension {
    Nationality,
    Transport,
    Previous,
    Next,
    Final,
    /// Previous point → next destination, as `previous|next`.
    Corridor,
}

impl Vocabulary for Dimension {
    const NAME: &'static str = "breakdown";
    const ALL: &'static [Self] = &[
        Self::Nationality,
        Self::Transport,
        Self::Previous,
        Self::Next,
        Self::Final,
        Self::Corridor,
    ];

    fn code(self) -> &'static str {
        match self {
            Self::Nationality => "nationality",
            Self::Transport => "transport",
            Self::Previous => "previous_point",
            Self::Next => "next_destination",
            Self::Final => "final_destination",
            Self::Corridor => "corridor",
        }
    }
}

/// The totals of one point, day and direction.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct DailyTotal {
    pub observations: i64,
    /// Hours covered by those observations, added up.
    pub hours: i64,
    pub groups: i64,
    pub people: i64,
    /// People whose sex and age were recorded, by slot.
    pub slots: [i64; SLOTS],
}

/// Point, day and direction: the grain of the daily rollups.
pub type DayKey = (i64, Date, Direction);

/// What a batch of groups adds to the daily rollups. Built in memory from the batch and added to
/// the stored rollups in the same transaction as the groups, so dashboards never read raw rows.
#[derive(Debug, Default, PartialEq, Eq)]
pub struct Rollup {
    pub daily: BTreeMap<DayKey, DailyTotal>,
    /// People by value of each breakdown, per day. Nested so that a value already seen is
    /// found by `&str`: a million groups add six values each, and allocating a key for each
    /// lookup was a tenth of an import's time.
    pub dimensions: BTreeMap<(DayKey, Dimension), BTreeMap<String, i64>>,
}

impl Rollup {
    /// The rollup of `groups`, which must be new: each observation is counted (and its hours
    /// added) once.
    pub fn of(groups: &[CountGroup]) -> Rollup {
        let mut rollup = Rollup::default();
        let mut seen: HashSet<ObservationKey> = HashSet::new();
        for g in groups {
            rollup.add(g, seen.insert(g.key()));
        }
        rollup
    }

    pub fn is_empty(&self) -> bool {
        self.daily.is_empty()
    }

    /// Adds one group; `new_observation` when it is the first group of its observation.
    pub fn add(&mut self, g: &CountGroup, new_observation: bool) {
        self.add_observation(&[g], new_observation);
    }

    /// Adds groups of one observation; `new_observation` when the first of them is the
    /// observation's first group. A file lists an observation's groups together, dozens at a
    /// time: its day's totals and each breakdown are looked up once for all of them instead of
    /// seven times per group (those look-ups were a tenth of a million-row import's CPU).
    pub fn add_observation(&mut self, groups: &[&CountGroup], new_observation: bool) {
        let Some(first) = groups.first() else {
            return;
        };
        let day = (first.fmp_id, first.date, first.direction);
        if groups.iter().any(|g| (g.fmp_id, g.date, g.direction) != day) {
            // Not one observation after all: each group goes to its own day.
            let (first, rest) = groups.split_at(1);
            self.add_observation(first, new_observation);
            for g in rest {
                self.add_observation(&[g], false);
            }
            return;
        }
        let total = self.daily.entry(day).or_default();
        if new_observation {
            total.observations += 1;
            total.hours += i64::from(first.hours);
        }
        for g in groups {
            total.groups += 1;
            total.people += i64::from(g.size);
            if let Some(slots) = &g.breakdown {
                for (sum, n) in total.slots.iter_mut().zip(slots) {
                    *sum += i64::from(*n);
                }
            }
        }
        let has_corridor = |g: &&CountGroup| g.previous.is_some() || g.next.is_some();
        for &dimension in Dimension::ALL {
            // A day gets a corridor breakdown only if one of its groups has a corridor.
            if dimension == Dimension::Corridor && !groups.iter().any(has_corridor) {
                continue;
            }
            let values = self.dimensions.entry((day, dimension)).or_default();
            let mut add = |value: &str, people: i64| match values.get_mut(value) {
                Some(sum) => *sum += people,
                None => {
                    values.insert(value.to_owned(), people);
                }
            };
            for g in groups {
                let people = i64::from(g.size);
                match dimension {
                    Dimension::Nationality => add(g.nationality.as_ref().map_or("", |n| n.as_str()), people),
                    Dimension::Transport => add(g.transport.map_or("", |t| t.code()), people),
                    Dimension::Previous => add(g.previous.as_deref().unwrap_or(""), people),
                    Dimension::Next => add(g.next.as_deref().unwrap_or(""), people),
                    Dimension::Final => add(g.final_destination.as_deref().unwrap_or(""), people),
                    Dimension::Corridor if has_corridor(g) => {
                        // Built on the stack: a file has a corridor on most of its rows, and a
                        // new String for each was a measurable part of a large import.
                        let previous = g.previous.as_deref().unwrap_or("");
                        let next = g.next.as_deref().unwrap_or("");
                        let len = previous.len() + 1 + next.len();
                        let mut buf = [0u8; 1024];
                        if len <= buf.len() {
                            buf[..previous.len()].copy_from_slice(previous.as_bytes());
                            buf[previous.len()] = b'|';
                            buf[previous.len() + 1..len].copy_from_slice(next.as_bytes());
                            // Two strings joined by an ASCII bar are UTF-8.
                            add(std::str::from_utf8(&buf[..len]).unwrap_or_default(), people);
                        } else {
                            add(&format!("{previous}|{next}"), people);
                        }
                    }
                    Dimension::Corridor => {}
                }
            }
        }
    }

    /// People with `value` of `dimension` on a point's day and direction.
    pub fn people_by(&self, day: DayKey, dimension: Dimension, value: &str) -> Option<i64> {
        self.dimensions.get(&(day, dimension))?.get(value).copied()
    }

    /// The same totals with the opposite sign: what removing the groups takes away.
    pub fn negated(mut self) -> Rollup {
        for total in self.daily.values_mut() {
            total.observations = -total.observations;
            total.hours = -total.hours;
            total.groups = -total.groups;
            total.people = -total.people;
            for slot in &mut total.slots {
                *slot = -*slot;
            }
        }
        for people in self.dimensions.values_mut().flat_map(|values| values.values_mut()) {
            *people = -*people;
        }
        self
    }
}

#[cfg(test)]
#[path = "counts_tests.rs"]
mod tests;
