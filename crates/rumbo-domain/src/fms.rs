//! Flow monitoring surveys (FMS): individual interviews at flow monitoring points, refused
//! without recorded consent. [`Interview`] holds the answers (profile, journey, reasons,
//! intentions, needs, protection incidents and the human-trafficking and exploitation module);
//! [`rules`] turns them into risk flags from a rule set stored as data; [`indicators`] makes
//! the aggregate tables, with small counts suppressed.
//!
//! FMS samples are not representative of everyone who crosses, and an interview is not a case
//! identification on its own: every output carries [`CAVEAT`].

use serde::{Deserialize, Serialize};
use time::Date;

use crate::DomainError;
use crate::country::Iso3;
use crate::flow::{Sex, Transport};
use crate::vocabulary::Vocabulary;

/// Aggregate tables of interviews, with small counts suppressed.
pub mod indicators;
/// Risk flags from a versioned rule set stored as data.
pub mod rules;

/// The methodological caveat every FMS page and export carries (in English here; pages show it
/// from the message catalogue).
pub const CAVEAT: &str = "Flow monitoring survey samples are not representative of all people on the move, and \
     an interview is not a case-identification tool on its own: flags call for a protection officer's follow-up.";

/// Highest level of education completed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Education {
    None,
    Primary,
    Secondary,
    Technical,
    University,
}

impl Vocabulary for Education {
    const NAME: &'static str = "education";
    const ALL: &'static [Self] = &[
        Self::None,
        Self::Primary,
        Self::Secondary,
        Self::Technical,
        Self::University,
    ];

    fn code(self) -> &'static str {
        match self {
            Self::None => "none",
            Self::Primary => "primary",
            Self::Secondary => "secondary",
            Self::Technical => "technical",
            Self::University => "university",
        }
    }
}

/// Identity and travel documents carried.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Document {
    Passport,
    IdCard,
    BirthCertificate,
    ResidencePermit,
    NoDocument,
}

impl Vocabulary for Document {
    const NAME: &'static str = "document";
    const ALL: &'static [Self] = &[
        Self::Passport,
        Self::IdCard,
        Self::BirthCertificate,
        Self::ResidencePermit,
        Self::NoDocument,
    ];

    fn code(self) -> &'static str {
        match self {
            Self::Passport => "passport",
            Self::IdCard => "id_card",
            Self::BirthCertificate => "birth_certificate",
            Self::ResidencePermit => "residence_permit",
            Self::NoDocument => "no_document",
        }
    }
}

/// Why the person left their place of habitual residence.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Reason {
    Economic,
    LackOfFood,
    LackOfHealthCare,
    Violence,
    Persecution,
    FamilyReunification,
    Education,
    Other,
}

impl Vocabulary for Reason {
    const NAME: &'static str = "reason";
    const ALL: &'static [Self] = &[
        Self::Economic,
        Self::LackOfFood,
        Self::LackOfHealthCare,
        Self::Violence,
        Self::Persecution,
        Self::FamilyReunification,
        Self::Education,
        Self::Other,
    ];

    fn code(self) -> &'static str {
        match self {
            Self::Economic => "economic",
            Self::LackOfFood => "lack_of_food",
            Self::LackOfHealthCare => "lack_of_health_care",
            Self::Violence => "violence",
            Self::Persecution => "persecution",
            Self::FamilyReunification => "family_reunification",
            Self::Education => "education",
            Self::Other => "other",
        }
    }
}

/// What the person needs most now.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Need {
    Food,
    Water,
    Health,
    Shelter,
    Documentation,
    Legal,
    Transport,
    Employment,
}

impl Vocabulary for Need {
    const NAME: &'static str = "need";
    const ALL: &'static [Self] = &[
        Self::Food,
        Self::Water,
        Self::Health,
        Self::Shelter,
        Self::Documentation,
        Self::Legal,
        Self::Transport,
        Self::Employment,
    ];

    fn code(self) -> &'static str {
        match self {
            Self::Food => "food",
            Self::Water => "water",
            Self::Health => "health",
            Self::Shelter => "shelter",
            Self::Documentation => "documentation",
            Self::Legal => "legal",
            Self::Transport => "transport",
            Self::Employment => "employment",
        }
    }
}

/// Protection incidents suffered on the journey.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Incident {
    Robbery,
    PhysicalViolence,
    SexualViolence,
    Extortion,
    Detention,
    Threats,
}

impl Vocabulary for Incident {
    const NAME: &'static str = "incident";
    const ALL: &'static [Self] = &[
        Self::Robbery,
        Self::PhysicalViolence,
        Self::SexualViolence,
        Self::Extortion,
        Self::Detention,
        Self::Threats,
    ];

    fn code(self) -> &'static str {
        match self {
            Self::Robbery => "robbery",
            Self::PhysicalViolence => "physical_violence",
            Self::SexualViolence => "sexual_violence",
            Self::Extortion => "extortion",
            Self::Detention => "detention",
            Self::Threats => "threats",
        }
    }
}

/// Whether the person intends to return to their country of origin.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Return {
    Yes,
    No,
    DontKnow,
}

impl Vocabulary for Return {
    const NAME: &'static str = "intention to return";
    const ALL: &'static [Self] = &[Self::Yes, Self::No, Self::DontKnow];

    fn code(self) -> &'static str {
        match self {
            Self::Yes => "yes",
            Self::No => "no",
            Self::DontKnow => "dont_know",
        }
    }
}

/// The answers of one interview. Every question may be left unanswered (`None` or empty),
/// except consent, sex, age and nationality.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct Interview {
    // Consent and profile.
    pub consent: bool,
    pub sex: Option<Sex>,
    pub age: Option<u8>,
    pub nationality: Option<Iso3>,
    pub education: Option<Education>,
    pub documents: Vec<Document>,
    /// Country of habitual residence.
    pub residence_country: Option<Iso3>,
    pub residence_area: Option<String>,
    pub pregnant: bool,
    pub serious_medical_condition: bool,
    /// Under 18 and travelling without either parent or a usual caregiver.
    pub unaccompanied_child: bool,
    /// Under 18, travelling with another adult but without parents or usual caregiver.
    pub separated_child: bool,
    // Journey.
    pub departure_date: Option<Date>,
    pub transit_countries: Vec<Iso3>,
    pub route: Option<String>,
    pub means: Vec<Transport>,
    /// What the journey has cost so far, in US dollars.
    pub cost_usd: Option<u32>,
    pub paid_guide_or_smuggler: bool,
    pub made_to_wait_by_guide: bool,
    // Reasons, intentions, needs.
    pub reasons: Vec<Reason>,
    pub destination_country: Option<Iso3>,
    pub destination_city: Option<String>,
    pub intends_to_return: Option<Return>,
    pub needs: Vec<Need>,
    // Protection.
    pub incidents: Vec<Incident>,
    pub feels_unsafe: bool,
    // Human trafficking and exploitation module.
    /// Held against one's will by someone other than the authorities.
    pub held_against_will: bool,
    /// Deceived with false promises, then forced to act against one's will.
    pub deceived_and_forced: bool,
    pub worked_without_pay: bool,
    pub paid_less_than_agreed: bool,
    pub forced_overtime: bool,
    pub working_to_pay_debt: bool,
    pub forced_begging: bool,
    /// Asked by an employer to do something inappropriate.
    pub employer_inappropriate_request: bool,
    // Follow-up.
    /// Agrees to be contacted by a protection officer.
    pub consent_follow_up: bool,
    /// A phone number or other way to reach the person; only with `consent_follow_up`.
    pub contact: Option<String>,
}

/// The stored form of an interview: its answers, checked.
impl Interview {
    /// The rules every interview meets before it is stored. `today` bounds the dates.
    pub fn check(&self, interview_date: Date, today: Date) -> Result<(), Vec<(&'static str, String)>> {
        let mut problems = Vec::new();
        if !self.consent {
            problems.push((
                "consent",
                "the interview cannot be recorded without the person's consent".to_owned(),
            ));
        }
        if self.sex.is_none() {
            problems.push(("sex", "missing".to_owned()));
        }
        match self.age {
            None => problems.push(("age", "missing".to_owned())),
            Some(age) if age > 110 => problems.push(("age", format!("{age} is not a plausible age"))),
            Some(_) => {}
        }
        if self.nationality.is_none() {
            problems.push(("nationality", "missing".to_owned()));
        }
        if interview_date > today {
            problems.push(("date", format!("{interview_date} is in the future")));
        }
        if let Some(departure) = self.departure_date
            && departure > interview_date
        {
            problems.push((
                "departure_date",
                format!("{departure} is after the interview ({interview_date})"),
            ));
        }
        let adult = self.age.is_some_and(|a| a >= 18);
        if adult && (self.unaccompanied_child || self.separated_child) {
            problems.push((
                "unaccompanied_child",
                "an unaccompanied or separated child is under 18".to_owned(),
            ));
        }
        if self.pregnant && self.sex == Some(Sex::Male) {
            problems.push(("pregnant", "only recorded for women and girls".to_owned()));
        }
        if self.contact.is_some() && !self.consent_follow_up {
            problems.push((
                "contact",
                "a contact is kept only when the person agrees to be contacted".to_owned(),
            ));
        }
        for (field, text, max) in [
            ("residence_area", &self.residence_area, 120),
            ("route", &self.route, 300),
            ("destination_city", &self.destination_city, 120),
            ("contact", &self.contact, 80),
        ] {
            if let Some(text) = text
                && text.chars().count() > max
            {
                problems.push((field, format!("is longer than {max} characters")));
            }
        }
        if problems.is_empty() { Ok(()) } else { Err(problems) }
    }

    /// Parses the stored JSON of an interview.
    pub fn from_json(text: &str) -> Result<Interview, DomainError> {
        serde_json::from_str(text).map_err(|e| DomainError::Invalid(format!("interview answers: {e}")))
    }

    pub fn to_json(&self) -> String {
        // Serialising a plain struct of strings, numbers and lists cannot fail.
        serde_json::to_string(self).unwrap_or_default()
    }

    /// Any indicator of the trafficking and exploitation module.
    pub fn trafficking_indicators(&self) -> usize {
        [
            self.held_against_will,
            self.deceived_and_forced,
            self.worked_without_pay,
            self.paid_less_than_agreed,
            self.forced_overtime,
            self.working_to_pay_debt,
            self.forced_begging,
            self.employer_inappropriate_request,
        ]
        .iter()
        .filter(|b| **b)
        .count()
    }
}

/// What a protection officer did about a flagged interview.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum CaseStatus {
    /// Flagged, nobody has followed it up yet.
    Open,
    Referred,
    NoActionNeeded,
    UnableToContact,
}

impl Vocabulary for CaseStatus {
    const NAME: &'static str = "case status";
    const ALL: &'static [Self] = &[Self::Open, Self::Referred, Self::NoActionNeeded, Self::UnableToContact];

    fn code(self) -> &'static str {
        match self {
            Self::Open => "open",
            Self::Referred => "referred",
            Self::NoActionNeeded => "no_action_needed",
            Self::UnableToContact => "unable_to_contact",
        }
    }
}

#[cfg(test)]
mod tests {
    use time::macros::date;

    use super::*;

    pub(crate) fn adult_woman() -> Interview {
        Interview {
            consent: true,
            sex: Some(Sex::Female),
            age: Some(29),
            nationality: Iso3::parse("VEN").ok(),
            ..Default::default()
        }
    }

    #[test]
    fn consent_is_required_and_named() {
        let mut i = adult_woman();
        i.consent = false;
        let problems = i
            .check(date!(2025 - 05 - 01), date!(2025 - 05 - 02))
            .expect_err("no consent");
        assert_eq!(problems[0].0, "consent");
    }

    #[test]
    fn answers_that_contradict_each_other_are_refused() {
        let mut i = adult_woman();
        i.unaccompanied_child = true;
        i.contact = Some("+57 300".into());
        i.departure_date = Some(date!(2025 - 06 - 01));
        let fields: Vec<_> = i
            .check(date!(2025 - 05 - 01), date!(2025 - 05 - 02))
            .expect_err("refused")
            .into_iter()
            .map(|(f, _)| f)
            .collect();
        assert_eq!(fields, ["departure_date", "unaccompanied_child", "contact"]);
        assert!(
            adult_woman()
                .check(date!(2025 - 05 - 01), date!(2025 - 05 - 01))
                .is_ok()
        );
    }

    #[test]
    fn answers_round_trip_through_json() {
        let mut i = adult_woman();
        i.needs = vec![Need::Food, Need::Legal];
        i.worked_without_pay = true;
        assert_eq!(Interview::from_json(&i.to_json()), Ok(i.clone()));
        assert_eq!(i.trafficking_indicators(), 1);
        assert!(Interview::from_json("{\"sex\":\"robot\"}").is_err());
    }
}
