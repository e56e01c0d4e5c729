//! A flow monitoring point's profile: what kind of point it is, which movements are observed
//! there and when, the services and institutions present, and the key informants (by role,
//! never by name). Profiles are kept round by round.

use serde::Serialize;
use time::Date;

use super::counts::parse_date;
use super::{Direction, Institution, PointType, Service, Weekday, parse_codes};
use crate::DomainError;
use crate::error::optional_text;
use crate::vocabulary::Vocabulary;

/// A profile as a form, an API call or a file gives it, before it is checked.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct ProfileInput {
    pub point_type: String,
    /// Codes separated by commas: `incoming,outgoing`.
    pub movement_types: String,
    pub days: String,
    pub hours_from: String,
    pub hours_to: String,
    pub services: String,
    pub institutions: String,
    pub key_informants: String,
    pub active_from: String,
    pub active_until: String,
    pub notes: String,
}

/// A checked profile.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Profile {
    pub point_type: PointType,
    pub movement_types: Vec<Direction>,
    pub days: Vec<Weekday>,
    pub hours_from: Option<String>,
    pub hours_to: Option<String>,
    pub services: Vec<Service>,
    pub institutions: Vec<Institution>,
    pub key_informants: Option<String>,
    pub active_from: Option<Date>,
    pub active_until: Option<Date>,
    pub notes: Option<String>,
}

impl ProfileInput {
    /// The checked profile, or every problem with the field it is in.
    pub fn check(&self) -> Result<Profile, Vec<(&'static str, DomainError)>> {
        let mut problems = Vec::new();
        let mut keep = |field: &'static str, e: DomainError| problems.push((field, e));
        let point_type = PointType::parse(&self.point_type)
            .map_err(|e| keep("point_type", e))
            .ok();
        let movement_types = parse_codes::<Direction>(&self.movement_types)
            .map_err(|e| keep("movement_types", e))
            .ok();
        if movement_types.as_ref().is_some_and(Vec::is_empty) {
            keep(
                "movement_types",
                DomainError::Empty {
                    field: "movement types",
                },
            );
        }
        let days = parse_codes::<Weekday>(&self.days).map_err(|e| keep("days", e)).ok();
        let hours_from = hour(&self.hours_from).map_err(|e| keep("hours_from", e)).ok();
        let hours_to = hour(&self.hours_to).map_err(|e| keep("hours_to", e)).ok();
        let services = parse_codes::<Service>(&self.services)
            .map_err(|e| keep("services", e))
            .ok();
        let institutions = parse_codes::<Institution>(&self.institutions)
            .map_err(|e| keep("institutions", e))
            .ok();
        let key_informants = optional_text("key informants", Some(&self.key_informants), 1000)
            .map_err(|e| keep("key_informants", e))
            .ok();
        let date = |raw: &str| match raw.trim() {
            "" => Ok(None),
            text => parse_date(text).map(Some).map_err(DomainError::Invalid),
        };
        let active_from = date(&self.active_from).map_err(|e| keep("active_from", e)).ok();
        let active_until = date(&self.active_until).map_err(|e| keep("active_until", e)).ok();
        if let (Some(Some(from)), Some(Some(until))) = (active_from, active_until)
            && until < from
        {
            keep(
                "active_until",
                DomainError::Invalid(format!("{until} is before the start of the active period ({from})")),
            );
        }
        let notes = optional_text("notes", Some(&self.notes), 2000)
            .map_err(|e| keep("notes", e))
            .ok();
        if !problems.is_empty() {
            return Err(problems);
        }
        match (
            point_type,
            movement_types,
            days,
            hours_from,
            hours_to,
            services,
            institutions,
            key_informants,
            active_from,
            active_until,
            notes,
        ) {
            (
                Some(point_type),
                Some(movement_types),
                Some(days),
                Some(hours_from),
                Some(hours_to),
                Some(services),
                Some(institutions),
                Some(key_informants),
                Some(active_from),
                Some(active_until),
                Some(notes),
            ) => Ok(Profile {
                point_type,
                movement_types,
                days,
                hours_from,
                hours_to,
                services,
                institutions,
                key_informants,
                active_from,
                active_until,
                notes,
            }),
            _ => Err(vec![(
                "point_type",
                DomainError::Invalid("the profile could not be read".into()),
            )]),
        }
    }
}

impl Profile {
    /// The profile as a form shows it again.
    pub fn input(&self) -> ProfileInput {
        let date = |d: Option<Date>| d.map(|d| d.to_string()).unwrap_or_default();
        ProfileInput {
            point_type: self.point_type.code().to_owned(),
            movement_types: super::join_codes(&self.movement_types),
            days: super::join_codes(&self.days),
            hours_from: self.hours_from.clone().unwrap_or_default(),
            hours_to: self.hours_to.clone().unwrap_or_default(),
            services: super::join_codes(&self.services),
            institutions: super::join_codes(&self.institutions),
            key_informants: self.key_informants.clone().unwrap_or_default(),
            active_from: date(self.active_from),
            active_until: date(self.active_until),
            notes: self.notes.clone().unwrap_or_default(),
        }
    }
}

/// `HH:MM`, or nothing.
fn hour(raw: &str) -> Result<Option<String>, DomainError> {
    let text = raw.trim();
    if text.is_empty() {
        return Ok(None);
    }
    let ok = text.len() == 5
        && text.as_bytes()[2] == b':'
        && text[..2].parse::<u8>().is_ok_and(|h| h < 24)
        && text[3..].parse::<u8>().is_ok_and(|m| m < 60);
    if ok {
        Ok(Some(text.to_owned()))
    } else {
        Err(DomainError::Invalid(format!("'{text}' is not a time of day (HH:MM)")))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn input() -> ProfileInput {
        ProfileInput {
            point_type: "official border crossing".into(),
            movement_types: "incoming,outgoing".into(),
            days: "mon,tue,wed,thu,fri".into(),
            hours_from: "06:00".into(),
            hours_to: "18:00".into(),
            services: "water,health".into(),
            institutions: "migration_authority,un_agency".into(),
            key_informants: "Migration officer; parish priest".into(),
            active_from: "2024-01-01".into(),
            ..Default::default()
        }
    }

    #[test]
    fn a_profile_round_trips_through_its_form() {
        let profile = input().check().expect("valid");
        assert_eq!(profile.point_type, PointType::OfficialBorderCrossing);
        assert_eq!(profile.input().check(), Ok(profile));
    }

    #[test]
    fn every_bad_field_is_named() {
        let mut bad = input();
        bad.point_type = "harbour".into();
        bad.movement_types = String::new();
        bad.hours_to = "25:00".into();
        bad.active_until = "2023-01-01".into();
        let fields: Vec<_> = bad.check().expect_err("bad").into_iter().map(|(f, _)| f).collect();
        assert_eq!(fields, ["point_type", "movement_types", "hours_to", "active_until"]);
    }
}
