//! Flow monitoring: the vocabulary of flow monitoring points (FMPs) and of what is counted
//! there, the operation's age brackets, and the rules a count must meet before it is stored
//! ([`counts`]). A count is an *observed volume*: the people seen at one point, in one
//! direction, during the hours it covers, never a total of all crossings.

use serde::{Deserialize, Serialize};

use crate::DomainError;
use crate::vocabulary::Vocabulary;

/// The stored form of an observation's groups: one text value instead of a row per group.
pub mod compact;
/// Observations and their groups: raw rows in, checked groups out.
pub mod counts;
/// The stored form of a day's breakdown: every value and its people as one text value.
pub mod daily_values;
/// Official border movement figures (entries and exits by border point and month).
pub mod official;
/// A point's profile: type, movements observed, schedule, services, institutions.
pub mod profile;
/// Daily, weekly and monthly series of inflow, outflow and net.
pub mod series;

/// Which way people were going when they were counted.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Direction {
    /// Entering the country of the point.
    Incoming,
    /// Leaving it.
    Outgoing,
    /// Passing through without entering or leaving (a bus terminal, a transit centre).
    Transit,
}

impl Vocabulary for Direction {
    const NAME: &'static str = "direction";
    const ALL: &'static [Self] = &[Self::Incoming, Self::Outgoing, Self::Transit];

    fn code(self) -> &'static str {
        match self {
            Self::Incoming => "incoming",
            Self::Outgoing => "outgoing",
            Self::Transit => "transit",
        }
    }
}

/// What kind of place a flow monitoring point is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum PointType {
    OfficialBorderCrossing,
    InformalCrossing,
    TransitCentre,
    BusTerminal,
    Airport,
}

impl Vocabulary for PointType {
    const NAME: &'static str = "point type";
    const ALL: &'static [Self] = &[
        Self::OfficialBorderCrossing,
        Self::InformalCrossing,
        Self::TransitCentre,
        Self::BusTerminal,
        Self::Airport,
    ];

    fn code(self) -> &'static str {
        match self {
            Self::OfficialBorderCrossing => "official_border_crossing",
            Self::InformalCrossing => "informal_crossing",
            Self::TransitCentre => "transit_centre",
            Self::BusTerminal => "bus_terminal",
            Self::Airport => "airport",
        }
    }
}

/// How a group travels.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Transport {
    OnFoot,
    Bus,
    Car,
    Truck,
    Motorcycle,
    Boat,
    Plane,
    Bicycle,
    Other,
}

impl Vocabulary for Transport {
    const NAME: &'static str = "transport";
    const ALL: &'static [Self] = &[
        Self::OnFoot,
        Self::Bus,
        Self::Car,
        Self::Truck,
        Self::Motorcycle,
        Self::Boat,
        Self::Plane,
        Self::Bicycle,
        Self::Other,
    ];

    fn code(self) -> &'static str {
        match self {
            Self::OnFoot => "on_foot",
            Self::Bus => "bus",
            Self::Car => "car",
            Self::Truck => "truck",
            Self::Motorcycle => "motorcycle",
            Self::Boat => "boat",
            Self::Plane => "plane",
            Self::Bicycle => "bicycle",
            Self::Other => "other",
        }
    }
}

/// Services available at a point, as its profile lists them.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Service {
    Water,
    Food,
    Health,
    Shelter,
    Sanitation,
    Information,
    LegalAssistance,
    ChildFriendlySpace,
    Connectivity,
    Transport,
}

impl Vocabulary for Service {
    const NAME: &'static str = "service";
    const ALL: &'static [Self] = &[
        Self::Water,
        Self::Food,
        Self::Health,
        Self::Shelter,
        Self::Sanitation,
        Self::Information,
        Self::LegalAssistance,
        Self::ChildFriendlySpace,
        Self::Connectivity,
        Self::Transport,
    ];

    fn code(self) -> &'static str {
        match self {
            Self::Water => "water",
            Self::Food => "food",
            Self::Health => "health",
            Self::Shelter => "shelter",
            Self::Sanitation => "sanitation",
            Self::Information => "information",
            Self::LegalAssistance => "legal_assistance",
            Self::ChildFriendlySpace => "child_friendly_space",
            Self::Connectivity => "connectivity",
            Self::Transport => "transport",
        }
    }
}

/// Institutions present at a point.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Institution {
    MigrationAuthority,
    Police,
    Military,
    HealthAuthority,
    Ombudsman,
    LocalGovernment,
    UnAgency,
    Ngo,
    RedCross,
    Church,
}

impl Vocabulary for Institution {
    const NAME: &'static str = "institution";
    const ALL: &'static [Self] = &[
        Self::MigrationAuthority,
        Self::Police,
        Self::Military,
        Self::HealthAuthority,
        Self::Ombudsman,
        Self::LocalGovernment,
        Self::UnAgency,
        Self::Ngo,
        Self::RedCross,
        Self::Church,
    ];

    fn code(self) -> &'static str {
        match self {
            Self::MigrationAuthority => "migration_authority",
            Self::Police => "police",
            Self::Military => "military",
            Self::HealthAuthority => "health_authority",
            Self::Ombudsman => "ombudsman",
            Self::LocalGovernment => "local_government",
            Self::UnAgency => "un_agency",
            Self::Ngo => "ngo",
            Self::RedCross => "red_cross",
            Self::Church => "church",
        }
    }
}

/// A day of the week, for a point's observation schedule.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Weekday {
    Mon,
    Tue,
    Wed,
    Thu,
    Fri,
    Sat,
    Sun,
}

impl Vocabulary for Weekday {
    const NAME: &'static str = "weekday";
    const ALL: &'static [Self] = &[
        Self::Mon,
        Self::Tue,
        Self::Wed,
        Self::Thu,
        Self::Fri,
        Self::Sat,
        Self::Sun,
    ];

    fn code(self) -> &'static str {
        match self {
            Self::Mon => "mon",
            Self::Tue => "tue",
            Self::Wed => "wed",
            Self::Thu => "thu",
            Self::Fri => "fri",
            Self::Sat => "sat",
            Self::Sun => "sun",
        }
    }
}

/// Sex, as counts and surveys disaggregate it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Sex {
    Female,
    Male,
}

impl Vocabulary for Sex {
    const NAME: &'static str = "sex";
    const ALL: &'static [Self] = &[Self::Female, Self::Male];

    fn code(self) -> &'static str {
        match self {
            Self::Female => "female",
            Self::Male => "male",
        }
    }
}

/// A list of codes of one vocabulary, as a profile stores it: `water,food,health`.
pub fn parse_codes<V: Vocabulary>(raw: &str) -> Result<Vec<V>, DomainError> {
    let mut out = Vec::new();
    for piece in raw.split([',', ';', '|']).map(str::trim).filter(|p| !p.is_empty()) {
        let value = V::parse(piece)?;
        if !out.contains(&value) {
            out.push(value);
        }
    }
    Ok(out)
}

/// The codes joined as [`parse_codes`] reads them.
pub fn join_codes<V: Vocabulary>(values: &[V]) -> String {
    values.iter().map(|v| v.code()).collect::<Vec<_>>().join(",")
}

/// The age brackets of the operation: the lower bound of each, in years, starting at 0. The
/// default is 0-4, 5-11, 12-17, 18-59, 60+. Counts store one number per sex and bracket, so at
/// most [`AgeBrackets::MAX`] brackets.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct AgeBrackets(Vec<u8>);

impl Default for AgeBrackets {
    fn default() -> Self {
        AgeBrackets(vec![0, 5, 12, 18, 60])
    }
}

impl AgeBrackets {
    pub const MAX: usize = 8;

    /// Parses lower bounds such as `0,5,12,18,60`.
    pub fn parse(raw: &str) -> Result<AgeBrackets, DomainError> {
        let bounds = raw
            .split([',', ';', ' '])
            .filter(|p| !p.trim().is_empty())
            .map(|p| {
                p.trim()
                    .parse::<u8>()
                    .map_err(|_| DomainError::Invalid(format!("'{}' is not an age in years", p.trim())))
            })
            .collect::<Result<Vec<u8>, _>>()?;
        AgeBrackets::new(bounds)
    }

    pub fn new(bounds: Vec<u8>) -> Result<AgeBrackets, DomainError> {
        if bounds.first() != Some(&0) {
            return Err(DomainError::Invalid("the first age bracket starts at 0".into()));
        }
        if !(2..=Self::MAX).contains(&bounds.len()) {
            return Err(DomainError::Invalid(format!(
                "give between 2 and {} age brackets",
                Self::MAX
            )));
        }
        if bounds.windows(2).any(|w| w[0] >= w[1]) || bounds.iter().any(|b| *b > 120) {
            return Err(DomainError::Invalid(
                "age brackets must start at increasing ages up to 120".into(),
            ));
        }
        Ok(AgeBrackets(bounds))
    }

    pub fn len(&self) -> usize {
        self.0.len()
    }

    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    pub fn bounds(&self) -> &[u8] {
        &self.0
    }

    /// How they are written back: `0,5,12,18,60`.
    pub fn code(&self) -> String {
        self.0.iter().map(u8::to_string).collect::<Vec<_>>().join(",")
    }

    /// The bracket an age falls in.
    pub fn bracket_of(&self, age: u8) -> usize {
        self.0.iter().rposition(|b| *b <= age).unwrap_or(0)
    }

    /// `0-4`, `18-59`, `60+`.
    pub fn label(&self, index: usize) -> String {
        match (self.0.get(index), self.0.get(index + 1)) {
            (Some(from), Some(next)) => format!("{from}-{}", next - 1),
            (Some(from), None) => format!("{from}+"),
            _ => String::new(),
        }
    }

    /// The column of a sex and bracket in files: `female_0_4`, `male_60plus`.
    pub fn column(&self, sex: Sex, index: usize) -> String {
        format!(
            "{}_{}",
            sex.code(),
            self.label(index).replace('-', "_").replace('+', "plus")
        )
    }

    /// Its HXL hashtag: `#population+f+age0_4`, `#population+m+age60plus`.
    pub fn hashtag(&self, sex: Sex, index: usize) -> String {
        let s = match sex {
            Sex::Female => "f",
            Sex::Male => "m",
        };
        format!(
            "#population+{s}+age{}",
            self.label(index).replace('-', "_").replace('+', "plus")
        )
    }

    /// Every (sex, bracket) column, females first, as files and tables list them.
    pub fn columns(&self) -> Vec<(Sex, usize)> {
        Sex::ALL
            .iter()
            .flat_map(|s| (0..self.len()).map(move |i| (*s, i)))
            .collect()
    }
}

/// Published tables hide counts below this, so that nobody can be singled out.
pub const SMALL_COUNT: i64 = 5;

/// A count as a published table shows it: the number, or a marker when it is small enough to
/// point at someone. Zero stays zero: an empty cell singles nobody out.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(untagged)]
pub enum Disclosed {
    Count(i64),
    /// Between 1 and `threshold - 1`: shown as `<threshold`.
    Suppressed,
}

impl Disclosed {
    pub fn of(count: i64, threshold: i64) -> Disclosed {
        if count > 0 && count < threshold {
            Disclosed::Suppressed
        } else {
            Disclosed::Count(count)
        }
    }

    pub fn text(&self, threshold: i64) -> String {
        match self {
            Disclosed::Count(n) => n.to_string(),
            Disclosed::Suppressed => format!("<{threshold}"),
        }
    }
}

/// A share in percent, rounded to one decimal, or `None` when the base is empty.
pub fn percent(part: i64, whole: i64) -> Option<f64> {
    (whole > 0).then(|| (part as f64 * 1000.0 / whole as f64).round() / 10.0)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn default_brackets_label_and_place_ages() {
        let b = AgeBrackets::default();
        assert_eq!(
            (0..b.len()).map(|i| b.label(i)).collect::<Vec<_>>(),
            ["0-4", "5-11", "12-17", "18-59", "60+"]
        );
        assert_eq!(b.bracket_of(0), 0);
        assert_eq!(b.bracket_of(4), 0);
        assert_eq!(b.bracket_of(17), 2);
        assert_eq!(b.bracket_of(18), 3);
        assert_eq!(b.bracket_of(90), 4);
        assert_eq!(b.column(Sex::Male, 4), "male_60plus");
        assert_eq!(b.hashtag(Sex::Female, 0), "#population+f+age0_4");
        assert_eq!(AgeBrackets::parse(&b.code()), Ok(b));
    }

    #[test]
    fn brackets_must_be_sensible() {
        assert!(AgeBrackets::parse("5,18").is_err(), "must start at 0");
        assert!(AgeBrackets::parse("0,18,18").is_err());
        assert!(AgeBrackets::parse("0").is_err());
        assert!(AgeBrackets::parse("0,1,2,3,4,5,6,7,8").is_err());
        assert!(AgeBrackets::parse("0,x").is_err());
        assert_eq!(AgeBrackets::parse("0, 18").map(|b| b.len()), Ok(2));
    }

    #[test]
    fn small_counts_are_hidden_but_zero_is_not() {
        assert_eq!(Disclosed::of(0, 5), Disclosed::Count(0));
        assert_eq!(Disclosed::of(3, 5), Disclosed::Suppressed);
        assert_eq!(Disclosed::of(5, 5), Disclosed::Count(5));
        assert_eq!(Disclosed::of(4, 5).text(5), "<5");
        assert_eq!(percent(1, 3), Some(33.3));
        assert_eq!(percent(1, 0), None);
    }

    #[test]
    fn code_lists_parse_once_each() {
        assert_eq!(
            parse_codes::<Service>("water; Food,water"),
            Ok(vec![Service::Water, Service::Food])
        );
        assert!(parse_codes::<Service>("water,spa").is_err());
        assert_eq!(join_codes(&[Weekday::Mon, Weekday::Sun]), "mon,sun");
    }
}
