//! Series of inflow, outflow and net over time, from the daily rollups: days added up into
//! weeks (starting on Monday, as ISO 8601 weeks do) or calendar months.

use std::collections::BTreeMap;

use serde::Serialize;
use time::{Date, Duration};

use super::Direction;
use crate::vocabulary::Vocabulary;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Interval {
    Day,
    Week,
    Month,
}

impl Vocabulary for Interval {
    const NAME: &'static str = "interval";
    const ALL: &'static [Self] = &[Self::Day, Self::Week, Self::Month];

    fn code(self) -> &'static str {
        match self {
            Self::Day => "day",
            Self::Week => "week",
            Self::Month => "month",
        }
    }
}

impl Interval {
    /// The first day of the period `date` falls in.
    pub fn start_of(self, date: Date) -> Date {
        match self {
            Interval::Day => date,
            Interval::Week => date - Duration::days(i64::from(date.weekday().number_days_from_monday())),
            Interval::Month => date.replace_day(1).unwrap_or(date),
        }
    }
}

/// People counted in one period, by direction, and the hours of observation behind them.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct Period {
    pub start: Option<Date>,
    pub incoming: i64,
    pub outgoing: i64,
    pub transit: i64,
    /// Incoming minus outgoing.
    pub net: i64,
    pub hours: i64,
}

/// One day of the rollups, as the series need it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct DayCount {
    pub date: Date,
    pub direction: Direction,
    pub people: i64,
    pub hours: i64,
}

/// Adds `days` up by `interval`, in date order. Periods without any count are left out: a gap
/// means nothing was observed, not that nobody crossed.
pub fn series(days: &[DayCount], interval: Interval) -> Vec<Period> {
    let mut periods: BTreeMap<Date, Period> = BTreeMap::new();
    for day in days {
        let start = interval.start_of(day.date);
        let period = periods.entry(start).or_insert_with(|| Period {
            start: Some(start),
            ..Period::default()
        });
        match day.direction {
            Direction::Incoming => period.incoming += day.people,
            Direction::Outgoing => period.outgoing += day.people,
            Direction::Transit => period.transit += day.people,
        }
        period.net = period.incoming - period.outgoing;
        period.hours += day.hours;
    }
    periods.into_values().collect()
}

/// The sum of every period, for a table's total line.
pub fn total(periods: &[Period]) -> Period {
    let mut total = Period::default();
    for p in periods {
        total.incoming += p.incoming;
        total.outgoing += p.outgoing;
        total.transit += p.transit;
        total.hours += p.hours;
    }
    total.net = total.incoming - total.outgoing;
    total
}

#[cfg(test)]
mod tests {
    use time::macros::date;

    use super::*;

    fn day(date: Date, direction: Direction, people: i64) -> DayCount {
        DayCount {
            date,
            direction,
            people,
            hours: 12,
        }
    }

    #[test]
    fn weeks_start_on_monday_and_months_on_the_first() {
        let days = [
            day(date!(2025 - 03 - 02), Direction::Incoming, 10), // a Sunday
            day(date!(2025 - 03 - 03), Direction::Incoming, 5),  // Monday
            day(date!(2025 - 03 - 03), Direction::Outgoing, 8),
            day(date!(2025 - 04 - 01), Direction::Transit, 2),
        ];
        let weeks = series(&days, Interval::Week);
        assert_eq!(weeks[0].start, Some(date!(2025 - 02 - 24)));
        assert_eq!(weeks[1].start, Some(date!(2025 - 03 - 03)));
        assert_eq!((weeks[1].incoming, weeks[1].outgoing, weeks[1].net), (5, 8, -3));
        let months = series(&days, Interval::Month);
        assert_eq!(months.len(), 2);
        assert_eq!(months[0].net, 7);
        assert_eq!(months[0].hours, 36);
        assert_eq!(total(&months).transit, 2);
        assert_eq!(series(&days, Interval::Day).len(), 3);
    }
}
