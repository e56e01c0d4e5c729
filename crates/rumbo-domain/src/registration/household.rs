//! A household and its members: the raw input a form, an API call or a spreadsheet row gives
//! ([`HouseholdInput`], [`MemberInput`]), and the checked values ([`Household`], [`Member`])
//! that cannot hold a date of birth in the future, a malformed document number, a household
//! without exactly one head, an unacknowledged child head or a missing consent to register.
//!
//! Every problem is reported with the member and the field it concerns ([`FieldProblem`]),
//! all at once, so that a form or an import shows everything to fix.

use serde::{Deserialize, Serialize};
use time::Date;

use super::conditions::{Conditions, QUESTIONS};
use super::consent::Consent;
use super::documents::{Document, DocumentType};
use super::nationalities::parse_nationality;
use super::needs::{NeedSet, SpecificNeed, WASHINGTON_DOMAINS, WashingtonGroup};
use super::people::{
    BirthDate, PersonName, PopulationGroup, Relationship, Sex, parse_name_part, parse_optional_date, parse_phone,
};
use crate::DomainError;
use crate::country::Iso3;
use crate::geography::{Pcode, Position};
use crate::vocabulary::Vocabulary;

/// Age from which a person counts as an adult, and from which one is an older person.
pub const ADULT_AGE: u32 = 18;
pub const OLDER_AGE: u32 = 60;

/// A problem with one field of a household (`member` is `None`) or of one of its members
/// (counted from 0, in the order given).
#[derive(Debug, Clone, PartialEq)]
pub struct FieldProblem {
    pub member: Option<usize>,
    pub field: &'static str,
    pub error: DomainError,
}

impl FieldProblem {
    fn household(field: &'static str, error: DomainError) -> FieldProblem {
        FieldProblem {
            member: None,
            field,
            error,
        }
    }
}

impl std::fmt::Display for FieldProblem {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self.member {
            Some(m) => write!(f, "member {}, {}: {}", m + 1, self.field, self.error),
            None => write!(f, "{}: {}", self.field, self.error),
        }
    }
}

/// A document as typed.
#[derive(Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct DocumentInput {
    pub doc_type: String,
    pub number: String,
    pub expiry: String,
}

/// A member as typed. Debug output leaves out names, phones and document numbers.
#[derive(Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct MemberInput {
    pub relationship: String,
    pub given_names: String,
    pub first_surname: String,
    pub second_surname: String,
    pub sex: String,
    pub birth_date: String,
    pub estimated_age: String,
    pub nationality: String,
    pub phone: String,
    pub needs: Vec<String>,
    /// Answers to the Washington Group questions, in the order of `WASHINGTON_DOMAINS`.
    pub washington: [String; 6],
    pub documents: Vec<DocumentInput>,
}

impl std::fmt::Debug for MemberInput {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("MemberInput")
            .field("relationship", &self.relationship)
            .field("sex", &self.sex)
            .field("birth_date", &self.birth_date)
            .field("needs", &self.needs)
            .finish_non_exhaustive()
    }
}

/// The household's own fields as typed (everything but its members).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct DetailsInput {
    pub population_group: String,
    pub arrival_date: String,
    pub previous_country: String,
    /// P-code of the area of previous residence (a Venezuelan state, such as VE13).
    pub previous_area: String,
    /// P-code of the admin area where the household lives now.
    pub residence_area: String,
    pub lat: String,
    pub lon: String,
    /// Staff confirm that the head is a child: a child-headed household is recorded only then.
    pub child_headed: bool,
    /// Answers in the order of `conditions::QUESTIONS`.
    pub conditions: Vec<String>,
}

/// A household as typed: its fields, its consent and its members.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct HouseholdInput {
    pub details: DetailsInput,
    pub consent: Consent,
    pub members: Vec<MemberInput>,
}

/// The household's own fields, checked.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Details {
    pub population_group: PopulationGroup,
    pub arrival_date: Option<Date>,
    pub previous_country: Option<Iso3>,
    pub previous_area: Option<Pcode>,
    pub residence_area: Option<Pcode>,
    /// Personal data: encrypted at rest.
    pub position: Option<Position>,
    pub child_headed: bool,
    pub conditions: Conditions,
}

/// A member, checked. Names, phone and document numbers are personal data: the store encrypts
/// them.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Member {
    pub relationship: Relationship,
    pub name: PersonName,
    pub sex: Sex,
    pub birth: BirthDate,
    pub nationality: Iso3,
    pub phone: Option<String>,
    pub needs: NeedSet,
    pub washington: WashingtonGroup,
    pub documents: Vec<Document>,
}

/// A household, checked: details, consent and at least one member, exactly one of them head.
#[derive(Debug, Clone, PartialEq)]
pub struct Household {
    pub details: Details,
    pub consent: Consent,
    pub members: Vec<Member>,
}

impl Member {
    pub fn age_on(&self, on: Date) -> u32 {
        self.birth.age_on(on)
    }

    /// Whether the person has a disability: recorded as a specific need, or identified by
    /// the Washington Group questions.
    pub fn has_disability(&self) -> bool {
        self.needs.contains(SpecificNeed::Disability) || self.washington.identifies_disability()
    }
}

impl MemberInput {
    /// Checks every field; `today` is the date of registration.
    pub fn validate(&self, today: Date) -> Result<Member, Vec<FieldProblem>> {
        let mut problems = Vec::new();
        let mut check = |field: &'static str, result: Result<(), DomainError>| {
            if let Err(error) = result {
                problems.push(FieldProblem {
                    member: None,
                    field,
                    error,
                });
            }
        };
        let mut relationship = None;
        check(
            "relationship",
            Relationship::parse(&self.relationship).map(|r| relationship = Some(r)),
        );
        let mut given = None;
        check(
            "given_names",
            parse_name_part("given names", &self.given_names).map(|v| given = Some(v)),
        );
        let mut first = None;
        check(
            "first_surname",
            parse_name_part("first surname", &self.first_surname).map(|v| first = Some(v)),
        );
        let mut second = None;
        if !self.second_surname.trim().is_empty() {
            check(
                "second_surname",
                parse_name_part("second surname", &self.second_surname).map(|v| second = Some(v)),
            );
        }
        let mut sex = None;
        check("sex", Sex::parse(&self.sex).map(|s| sex = Some(s)));
        let mut birth = None;
        let birth_field = if self.birth_date.trim().is_empty() {
            "estimated_age"
        } else {
            "birth_date"
        };
        check(
            birth_field,
            BirthDate::parse(&self.birth_date, &self.estimated_age, today).map(|b| birth = Some(b)),
        );
        let mut nationality = None;
        check(
            "nationality",
            parse_nationality(&self.nationality).map(|n| nationality = Some(n)),
        );
        let mut phone = None;
        check("phone", parse_phone(&self.phone).map(|p| phone = p));
        let mut needs = NeedSet::default();
        for raw in self.needs.iter().flat_map(|n| n.split([';', ',', '|'])) {
            if raw.trim().is_empty() {
                continue;
            }
            check("needs", SpecificNeed::parse(raw).map(|n| needs.insert(n)));
        }
        let mut washington = WashingtonGroup::default();
        let answers: [&str; 6] = std::array::from_fn(|i| self.washington[i].as_str());
        if let Err((i, e)) = WashingtonGroup::parse(&answers).map(|w| washington = w) {
            check(WASHINGTON_FIELDS[i], Err(e));
        }
        let mut documents = Vec::new();
        for input in &self.documents {
            match document(input) {
                Ok(Some(doc)) => documents.push(doc),
                Ok(None) => {}
                Err((field, e)) => check(field, Err(e)),
            }
        }
        if let (Some(birth), Some(sex)) = (birth, sex) {
            for (field, e) in need_consistency(needs, sex, birth.age_on(today)) {
                check(field, Err(e));
            }
        }
        match (relationship, given, first, sex, birth, nationality) {
            (Some(relationship), Some(given_names), Some(first_surname), Some(sex), Some(birth), Some(nationality))
                if problems.is_empty() =>
            {
                Ok(Member {
                    relationship,
                    name: PersonName {
                        given_names,
                        first_surname,
                        second_surname: second,
                    },
                    sex,
                    birth,
                    nationality,
                    phone,
                    needs,
                    washington,
                    documents,
                })
            }
            _ => Err(problems),
        }
    }
}

/// The fields of the Washington Group answers, as forms and files name them.
pub const WASHINGTON_FIELDS: [&str; 6] = [
    "wg_seeing",
    "wg_hearing",
    "wg_walking",
    "wg_cognition",
    "wg_self_care",
    "wg_communication",
];

const _: () = assert!(WASHINGTON_FIELDS.len() == WASHINGTON_DOMAINS.len());

/// A document, or `None` when the whole row is blank.
fn document(input: &DocumentInput) -> Result<Option<Document>, (&'static str, DomainError)> {
    let (kind, number, expiry) = (input.doc_type.trim(), input.number.trim(), input.expiry.trim());
    if kind.is_empty() && number.is_empty() && expiry.is_empty() {
        return Ok(None);
    }
    if kind.is_empty() {
        return Err((
            "document_type",
            DomainError::Invalid("say which type of document this number belongs to".into()),
        ));
    }
    let doc_type = DocumentType::parse(kind).map_err(|e| ("document_type", e))?;
    if number.is_empty() {
        return Err((
            "document_number",
            DomainError::Empty {
                field: "document number",
            },
        ));
    }
    let number = doc_type.normalise(number).map_err(|e| ("document_number", e))?;
    let expiry = parse_optional_date("document expiry", expiry).map_err(|e| ("document_expiry", e))?;
    Ok(Some(Document {
        doc_type,
        number,
        expiry,
    }))
}

/// Needs that cannot apply to this person: child-only needs for adults, needs of women for
/// men, the older-person need before 60.
fn need_consistency(needs: NeedSet, sex: Sex, age: u32) -> Vec<(&'static str, DomainError)> {
    let mut problems = Vec::new();
    for need in needs.iter() {
        let problem = if need.for_children_only() && age >= ADULT_AGE {
            Some(format!("{} applies to children under {ADULT_AGE} only", need.code()))
        } else if matches!(need, SpecificNeed::PregnantLactating | SpecificNeed::WomanAtRisk) && sex == Sex::Male {
            Some(format!("{} is recorded for women and girls only", need.code()))
        } else if need == SpecificNeed::OlderPersonAtRisk && age < OLDER_AGE {
            Some(format!("{} applies from the age of {OLDER_AGE}", need.code()))
        } else {
            None
        };
        if let Some(problem) = problem {
            problems.push(("needs", DomainError::Invalid(problem)));
        }
    }
    problems
}

impl DetailsInput {
    pub fn validate(&self, today: Date) -> Result<Details, Vec<FieldProblem>> {
        let mut problems = Vec::new();
        let population_group = PopulationGroup::parse(&self.population_group)
            .map_err(|e| problems.push(FieldProblem::household("population_group", e)))
            .ok();
        let arrival_date = match parse_optional_date("arrival date", &self.arrival_date) {
            Ok(Some(date)) if date > today => {
                problems.push(FieldProblem::household(
                    "arrival_date",
                    DomainError::Invalid("the arrival date is in the future".into()),
                ));
                None
            }
            Ok(date) => date,
            Err(e) => {
                problems.push(FieldProblem::household("arrival_date", e));
                None
            }
        };
        let previous_country = optional(&self.previous_country)
            .map(parse_nationality)
            .transpose()
            .map_err(|e| problems.push(FieldProblem::household("previous_country", e)))
            .ok()
            .flatten();
        let mut area = |field: &'static str, raw: &str| {
            optional(raw)
                .map(Pcode::parse)
                .transpose()
                .map_err(|e| problems.push(FieldProblem::household(field, e)))
                .ok()
                .flatten()
        };
        let previous_area = area("previous_area", &self.previous_area);
        let residence_area = area("residence_area", &self.residence_area);
        let position = match (optional(&self.lat), optional(&self.lon)) {
            (None, None) => None,
            (Some(lat), Some(lon)) => match (number(lat), number(lon)) {
                (Some(lat), Some(lon)) => Position::new(lon, lat)
                    .map_err(|e| problems.push(FieldProblem::household("lat", e)))
                    .ok(),
                _ => {
                    problems.push(FieldProblem::household(
                        "lat",
                        DomainError::Invalid("the position is a latitude and a longitude in decimal degrees".into()),
                    ));
                    None
                }
            },
            _ => {
                problems.push(FieldProblem::household(
                    "lat",
                    DomainError::Invalid("give both latitude and longitude, or neither".into()),
                ));
                None
            }
        };
        let raw: Vec<&str> = self.conditions.iter().map(String::as_str).collect();
        let conditions = Conditions::parse(&raw)
            .map_err(|errors| {
                for (i, e) in errors {
                    problems.push(FieldProblem::household(QUESTIONS[i].code, e));
                }
            })
            .ok();
        match (population_group, conditions) {
            (Some(population_group), Some(conditions)) if problems.is_empty() => Ok(Details {
                population_group,
                arrival_date,
                previous_country,
                previous_area,
                residence_area,
                position,
                child_headed: self.child_headed,
                conditions,
            }),
            _ => Err(problems),
        }
    }
}

/// The trimmed value, or `None` when blank.
fn optional(raw: &str) -> Option<&str> {
    Some(raw.trim()).filter(|v| !v.is_empty())
}

/// A decimal number, with a point or a decimal comma.
fn number(raw: &str) -> Option<f64> {
    let normalised = if raw.contains('.') {
        raw.to_owned()
    } else {
        raw.replace(',', ".")
    };
    normalised.parse().ok().filter(|v: &f64| v.is_finite())
}

/// The rules about a household as a whole: exactly one head, a child head only when staff
/// acknowledged it, an arrival after the head was born. `members` are the relationship and
/// birth of the household's current members; problems about one of them carry its index.
pub fn composition_problems(
    details: &Details,
    members: &[(Relationship, BirthDate)],
    today: Date,
) -> Vec<FieldProblem> {
    let mut problems = Vec::new();
    if members.is_empty() {
        problems.push(FieldProblem::household(
            "members",
            DomainError::Invalid("a household has at least one member".into()),
        ));
        return problems;
    }
    let heads: Vec<usize> = (0..members.len())
        .filter(|i| members[*i].0 == Relationship::Head)
        .collect();
    match heads.as_slice() {
        [] => problems.push(FieldProblem {
            member: Some(0),
            field: "relationship",
            error: DomainError::Invalid("a household has exactly one head; none of its members is the head".into()),
        }),
        [head] => {
            let (_, birth) = &members[*head];
            let age = birth.age_on(today);
            if age < ADULT_AGE && !details.child_headed {
                problems.push(FieldProblem::household(
                    "child_headed",
                    DomainError::Invalid(format!(
                        "the head of household is {age} years old: confirm that this is a child-headed household"
                    )),
                ));
            }
            if let Some(arrival) = details.arrival_date
                && arrival < birth.date
                && !birth.estimated
            {
                problems.push(FieldProblem::household(
                    "arrival_date",
                    DomainError::Invalid("the arrival date is before the head of household was born".into()),
                ));
            }
        }
        [_, extra @ ..] => {
            for i in extra {
                problems.push(FieldProblem {
                    member: Some(*i),
                    field: "relationship",
                    error: DomainError::Invalid(
                        "a household has exactly one head; another member is the head already".into(),
                    ),
                });
            }
        }
    }
    problems
}

impl HouseholdInput {
    /// Checks the whole household; `today` is the date of registration.
    pub fn validate(&self, today: Date) -> Result<Household, Vec<FieldProblem>> {
        let mut problems = Vec::new();
        if !self.consent.registration {
            problems.push(FieldProblem::household(
                "consent_registration",
                DomainError::Invalid(
                    "consent to register is required: without it nothing about the household is recorded".into(),
                ),
            ));
        }
        let details = self.details.validate(today).map_err(|p| problems.extend(p)).ok();
        let mut members = Vec::with_capacity(self.members.len());
        for (i, input) in self.members.iter().enumerate() {
            match input.validate(today) {
                Ok(member) => members.push(member),
                Err(member_problems) => problems.extend(
                    member_problems
                        .into_iter()
                        .map(|p| FieldProblem { member: Some(i), ..p }),
                ),
            }
        }
        if let Some(details) = &details
            && members.len() == self.members.len()
        {
            let composition: Vec<(Relationship, BirthDate)> =
                members.iter().map(|m| (m.relationship, m.birth)).collect();
            problems.extend(composition_problems(details, &composition, today));
        } else if self.members.is_empty() {
            problems.push(FieldProblem::household(
                "members",
                DomainError::Invalid("a household has at least one member".into()),
            ));
        }
        match details {
            Some(details) if problems.is_empty() => Ok(Household {
                details,
                consent: self.consent,
                members,
            }),
            _ => Err(problems),
        }
    }
}

impl Household {
    /// The head: validation guarantees there is exactly one.
    pub fn head(&self) -> Option<&Member> {
        self.members.iter().find(|m| m.relationship == Relationship::Head)
    }
}

#[cfg(test)]
mod tests;
