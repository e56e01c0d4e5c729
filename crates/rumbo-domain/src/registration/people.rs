//! The people in a registration: sex, relationship to the head of household, population group,
//! names in the Hispanic way (given names, first and second surname), phones, and the dates
//! of a life (birth, arrival) with the ages they give.

use serde::{Deserialize, Serialize};
use time::{Date, Month};

use crate::DomainError;
use crate::vocabulary::Vocabulary;

/// Sex as recorded at registration.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Sex {
    Female,
    Male,
    /// Intersex, or a person who chooses another answer.
    Other,
}

impl Vocabulary for Sex {
    const NAME: &'static str = "sex";
    const ALL: &'static [Self] = &[Self::Female, Self::Male, Self::Other];

    fn code(self) -> &'static str {
        match self {
            Self::Female => "female",
            Self::Male => "male",
            Self::Other => "other",
        }
    }

    /// Also `f`/`m`, and the words in Spanish and Portuguese, as forms and spreadsheets write them.
    fn parse(raw: &str) -> Result<Self, DomainError> {
        match raw.trim().to_lowercase().as_str() {
            "f" | "mujer" | "femenino" | "feminino" | "mulher" | "woman" => Ok(Self::Female),
            "m" | "hombre" | "masculino" | "homem" | "man" => Ok(Self::Male),
            _ => parse_code(raw),
        }
    }
}

/// How a member is related to the head of household.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Relationship {
    Head,
    Spouse,
    Child,
    Stepchild,
    Parent,
    Sibling,
    Grandchild,
    Grandparent,
    OtherRelative,
    NonRelative,
}

impl Vocabulary for Relationship {
    const NAME: &'static str = "relationship";
    const ALL: &'static [Self] = &[
        Self::Head,
        Self::Spouse,
        Self::Child,
        Self::Stepchild,
        Self::Parent,
        Self::Sibling,
        Self::Grandchild,
        Self::Grandparent,
        Self::OtherRelative,
        Self::NonRelative,
    ];

    fn code(self) -> &'static str {
        match self {
            Self::Head => "head",
            Self::Spouse => "spouse",
            Self::Child => "child",
            Self::Stepchild => "stepchild",
            Self::Parent => "parent",
            Self::Sibling => "sibling",
            Self::Grandchild => "grandchild",
            Self::Grandparent => "grandparent",
            Self::OtherRelative => "other_relative",
            Self::NonRelative => "non_relative",
        }
    }
}

/// The R4V population types.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum PopulationGroup {
    /// Refugees and migrants who mean to stay in the country.
    InDestination,
    InTransit,
    /// Crossing back and forth across the border.
    Pendular,
    /// Colombians (and others) coming back from Venezuela.
    Returnee,
    HostCommunity,
}

impl Vocabulary for PopulationGroup {
    const NAME: &'static str = "population group";
    const ALL: &'static [Self] = &[
        Self::InDestination,
        Self::InTransit,
        Self::Pendular,
        Self::Returnee,
        Self::HostCommunity,
    ];

    fn code(self) -> &'static str {
        match self {
            Self::InDestination => "in_destination",
            Self::InTransit => "in_transit",
            Self::Pendular => "pendular",
            Self::Returnee => "returnee",
            Self::HostCommunity => "host_community",
        }
    }
}

/// The vocabulary's default parse, for types that add their own synonyms first.
fn parse_code<V: Vocabulary>(raw: &str) -> Result<V, DomainError> {
    let wanted = raw.trim().to_ascii_lowercase().replace([' ', '-'], "_");
    V::ALL
        .iter()
        .copied()
        .find(|v| v.code() == wanted)
        .ok_or_else(|| DomainError::UnknownCode {
            what: V::NAME,
            value: raw.trim().to_owned(),
            expected: V::ALL.iter().map(|v| v.code()).collect::<Vec<_>>().join(", "),
        })
}

/// A person's name the Hispanic way: given names, a first (paternal) and a second (maternal)
/// surname. Many people have one surname only, so the second is optional. Personal data: it
/// is encrypted before it is stored.
#[derive(Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PersonName {
    pub given_names: String,
    pub first_surname: String,
    pub second_surname: Option<String>,
}

impl PersonName {
    /// "Given names First Second", as a list shows it.
    pub fn full(&self) -> String {
        match &self.second_surname {
            Some(second) => format!("{} {} {second}", self.given_names, self.first_surname),
            None => format!("{} {}", self.given_names, self.first_surname),
        }
    }
}

/// Never print a name by accident: debug output of a name is redacted.
impl std::fmt::Debug for PersonName {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("PersonName(<redacted>)")
    }
}

/// Longest name part accepted, in characters.
pub const MAX_NAME_PART: usize = 100;

/// One part of a name: letters (any alphabet), spaces, apostrophes, hyphens and dots. The
/// error never repeats the value: it is personal data.
pub fn parse_name_part(field: &'static str, raw: &str) -> Result<String, DomainError> {
    let text: String = raw.split_whitespace().collect::<Vec<_>>().join(" ");
    if text.is_empty() {
        return Err(DomainError::Empty { field });
    }
    let len = text.chars().count();
    if len > MAX_NAME_PART {
        return Err(DomainError::TooLong {
            field,
            len,
            max: MAX_NAME_PART,
        });
    }
    if !text
        .chars()
        .all(|c| c.is_alphabetic() || matches!(c, ' ' | '\'' | '’' | '-' | '.'))
    {
        return Err(DomainError::Invalid(format!(
            "{field} may hold only letters, spaces, apostrophes, hyphens and dots"
        )));
    }
    Ok(text)
}

/// A phone number kept as typed but checked: 7 to 15 digits, with an optional leading `+`,
/// and spaces, dots, hyphens or brackets between them.
pub fn parse_phone(raw: &str) -> Result<Option<String>, DomainError> {
    let text = raw.trim();
    if text.is_empty() {
        return Ok(None);
    }
    let digits = text.chars().filter(char::is_ascii_digit).count();
    let allowed = text
        .char_indices()
        .all(|(i, c)| c.is_ascii_digit() || matches!(c, ' ' | '.' | '-' | '(' | ')') || (c == '+' && i == 0));
    if allowed && (7..=15).contains(&digits) {
        Ok(Some(text.split_whitespace().collect::<Vec<_>>().join(" ")))
    } else {
        Err(DomainError::Invalid(
            "a phone number has 7 to 15 digits, optionally starting with + and the country code, such as +57 301 555 0199"
                .into(),
        ))
    }
}

/// A calendar date written `YYYY-MM-DD` (also `DD/MM/YYYY`, as spreadsheets in Spanish and
/// Portuguese write it).
pub fn parse_date(field: &'static str, raw: &str) -> Result<Date, DomainError> {
    let text = raw.trim();
    let bad = || DomainError::Invalid(format!("{field} must be a date such as 2024-03-15 (year-month-day)"));
    let parts: Vec<&str> = text.split(['-', '/']).collect();
    let (y, m, d) = match parts.as_slice() {
        [y, m, d] if y.len() == 4 => (*y, *m, *d),
        [d, m, y] if y.len() == 4 && text.contains('/') => (*y, *m, *d),
        _ => return Err(bad()),
    };
    let year: i32 = y.parse().map_err(|_| bad())?;
    let month: u8 = m.parse().map_err(|_| bad())?;
    let day: u8 = d.parse().map_err(|_| bad())?;
    let month = Month::try_from(month).map_err(|_| bad())?;
    Date::from_calendar_date(year, month, day).map_err(|_| bad())
}

/// Like [`parse_date`], with `None` for an empty value.
pub fn parse_optional_date(field: &'static str, raw: &str) -> Result<Option<Date>, DomainError> {
    if raw.trim().is_empty() {
        Ok(None)
    } else {
        parse_date(field, raw).map(Some)
    }
}

/// `YYYY-MM-DD`, as dates are stored and exported.
pub fn format_date(date: Date) -> String {
    format!("{:04}-{:02}-{:02}", date.year(), u8::from(date.month()), date.day())
}

/// Whole years from `birth` to `on`; 0 when `on` is before `birth`.
pub fn age_on(birth: Date, on: Date) -> u32 {
    let mut years = on.year() - birth.year();
    if (u8::from(on.month()), on.day()) < (u8::from(birth.month()), birth.day()) {
        years -= 1;
    }
    years.max(0) as u32
}

/// A date of birth as recorded: known, or estimated from an age (then set to the first of July
/// of the estimated year, as UNHCR's registration does, so that nobody's age is overstated by
/// more than half a year).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct BirthDate {
    pub date: Date,
    pub estimated: bool,
}

/// The oldest age accepted.
pub const MAX_AGE: u32 = 120;

impl BirthDate {
    /// From a date of birth or, when it is blank, an age in whole years. `today` is the date of
    /// registration: a date of birth after it is refused, as is an age above [`MAX_AGE`].
    pub fn parse(birth_date: &str, estimated_age: &str, today: Date) -> Result<BirthDate, DomainError> {
        if !birth_date.trim().is_empty() {
            let date = parse_date("date of birth", birth_date)?;
            if date > today {
                return Err(DomainError::Invalid(
                    "the date of birth is in the future; check the year".into(),
                ));
            }
            if age_on(date, today) > MAX_AGE {
                return Err(DomainError::Invalid(format!(
                    "the date of birth gives an age above {MAX_AGE}; check the year"
                )));
            }
            return Ok(BirthDate { date, estimated: false });
        }
        let age = estimated_age.trim();
        if age.is_empty() {
            return Err(DomainError::Invalid(
                "give the date of birth or, when it is not known, the estimated age in years".into(),
            ));
        }
        let years: u32 = age.parse().ok().filter(|y| *y <= MAX_AGE).ok_or_else(|| {
            DomainError::Invalid(format!(
                "the estimated age is a whole number of years from 0 to {MAX_AGE}"
            ))
        })?;
        BirthDate::estimated(years, today)
    }

    /// The birth date of someone estimated to be `years` old on `today`.
    pub fn estimated(years: u32, today: Date) -> Result<BirthDate, DomainError> {
        let year = today.year() - years as i32;
        let mid_year = Date::from_calendar_date(year, Month::July, 1)
            .map_err(|_| DomainError::Invalid("the estimated age gives no valid year".into()))?;
        // Someone estimated to be 30 on 2026-03-01 was born before 2026-03-01 minus 30 years.
        let date = if mid_year > today || age_on(mid_year, today) < years {
            Date::from_calendar_date(year - 1, Month::July, 1)
                .map_err(|_| DomainError::Invalid("the estimated age gives no valid year".into()))?
        } else {
            mid_year
        };
        Ok(BirthDate { date, estimated: true })
    }

    pub fn age_on(&self, on: Date) -> u32 {
        age_on(self.date, on)
    }
}

#[cfg(test)]
mod tests {
    use time::macros::date;

    use super::*;

    #[test]
    fn vocabularies_parse_synonyms() {
        assert_eq!(Sex::parse("F"), Ok(Sex::Female));
        assert_eq!(Sex::parse("Hombre"), Ok(Sex::Male));
        assert_eq!(Sex::parse("other"), Ok(Sex::Other));
        assert!(Sex::parse("x").is_err());
        assert_eq!(Relationship::parse("Other relative"), Ok(Relationship::OtherRelative));
        assert_eq!(PopulationGroup::parse("in-transit"), Ok(PopulationGroup::InTransit));
    }

    #[test]
    fn names_accept_letters_of_any_language_and_never_echo_the_value() {
        assert_eq!(
            parse_name_part("given names", "  María   José "),
            Ok("María José".into())
        );
        assert_eq!(
            parse_name_part("first surname", "D'Alessandro-Peña"),
            Ok("D'Alessandro-Peña".into())
        );
        let err = parse_name_part("first surname", "Pérez2")
            .expect_err("digit")
            .to_string();
        assert!(!err.contains("Pérez"), "{err}");
        assert!(parse_name_part("given names", "  ").is_err());
        assert_eq!(
            format!(
                "{:?}",
                PersonName {
                    given_names: "Ana".into(),
                    first_surname: "Rojas".into(),
                    second_surname: None
                }
            ),
            "PersonName(<redacted>)"
        );
    }

    #[test]
    fn phones() {
        assert_eq!(parse_phone("+57 301 555 0199"), Ok(Some("+57 301 555 0199".into())));
        assert_eq!(parse_phone(""), Ok(None));
        assert!(parse_phone("12345").is_err());
        assert!(parse_phone("57+3015550199").is_err());
        assert!(parse_phone("call me").is_err());
    }

    #[test]
    fn dates_and_ages() {
        assert_eq!(parse_date("d", "2024-03-15"), Ok(date!(2024 - 03 - 15)));
        assert_eq!(parse_date("d", "15/03/2024"), Ok(date!(2024 - 03 - 15)));
        assert!(parse_date("d", "2024-02-30").is_err());
        assert!(parse_date("d", "ayer").is_err());
        assert_eq!(age_on(date!(2000 - 06 - 15), date!(2026 - 06 - 14)), 25);
        assert_eq!(age_on(date!(2000 - 06 - 15), date!(2026 - 06 - 15)), 26);
    }

    #[test]
    fn births_in_the_future_are_refused_and_ages_estimated() {
        let today = date!(2026 - 03 - 01);
        assert!(BirthDate::parse("2026-03-02", "", today).is_err());
        assert!(BirthDate::parse("1890-01-01", "", today).is_err());
        assert!(BirthDate::parse("", "", today).is_err());
        assert!(BirthDate::parse("", "treinta", today).is_err());
        let estimated = BirthDate::parse("", "30", today).expect("estimated");
        assert!(estimated.estimated);
        assert_eq!(estimated.age_on(today), 30);
        assert_eq!(BirthDate::parse("", "0", today).expect("baby").age_on(today), 0);
        for today in [today, date!(2026 - 07 - 01), date!(2026 - 12 - 31)] {
            for years in 0..=MAX_AGE {
                let birth = BirthDate::estimated(years, today).expect("age");
                assert!(birth.date <= today);
                assert_eq!(birth.age_on(today), years);
            }
        }
    }
}
