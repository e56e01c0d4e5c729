//! The facts about a household that a vulnerability model reads: its composition, its head,
//! its members' specific needs and documents, when it arrived, its living conditions. Facts
//! come from the non-personal part of a registration only ([`Profile`]): scoring never needs
//! a name.
//!
//! Each fact is a number. Yes/no facts are 1 or 0; categories (the head's profile, the answer
//! to a question) are the index of their value in the fact's list; a fact that is not known
//! (a question not asked, an arrival date not given) is NaN, and no criterion matches it.

use serde::{Deserialize, Serialize};
use time::Date;

use super::conditions::{Conditions, QUESTIONS};
use super::documents::DocumentType;
use super::household::{ADULT_AGE, Household};
use super::needs::{NeedSet, SpecificNeed, WashingtonGroup};
use super::people::{PopulationGroup, Relationship, Sex, age_on};
use super::profiles::Profiles;
use crate::DomainError;
use crate::vocabulary::Vocabulary;

/// A member as scoring sees them: no name, no document number.
#[derive(Debug, Clone, PartialEq)]
pub struct MemberProfile {
    pub relationship: Relationship,
    pub sex: Sex,
    pub birth_date: Date,
    pub needs: NeedSet,
    pub washington: WashingtonGroup,
    /// Each document's type and expiry.
    pub documents: Vec<(DocumentType, Option<Date>)>,
}

/// A household as scoring sees it.
#[derive(Debug, Clone, PartialEq)]
pub struct Profile {
    pub population_group: PopulationGroup,
    pub arrival_date: Option<Date>,
    pub conditions: Conditions,
    pub members: Vec<MemberProfile>,
}

impl From<&Household> for Profile {
    fn from(h: &Household) -> Profile {
        Profile {
            population_group: h.details.population_group,
            arrival_date: h.details.arrival_date,
            conditions: h.details.conditions,
            members: h
                .members
                .iter()
                .map(|m| MemberProfile {
                    relationship: m.relationship,
                    sex: m.sex,
                    birth_date: m.birth.date,
                    needs: m.needs,
                    washington: m.washington,
                    documents: m.documents.iter().map(|d| (d.doc_type, d.expiry)).collect(),
                })
                .collect(),
        }
    }
}

impl MemberProfile {
    pub fn has_disability(&self) -> bool {
        self.needs.contains(SpecificNeed::Disability) || self.washington.identifies_disability()
    }

    /// Holds a document in force that establishes identity or legal stay (for children, a
    /// birth certificate is enough).
    pub fn documented_on(&self, on: Date) -> bool {
        let child = age_on(self.birth_date, on) < ADULT_AGE;
        self.documents.iter().any(|(kind, expiry)| {
            (kind.is_identity_document() || (child && *kind == DocumentType::BirthCertificate))
                && expiry.is_none_or(|e| e >= on)
        })
    }
}

/// What kind of value a fact holds.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FactKind {
    Number,
    /// 1 for yes, 0 for no.
    Flag,
    /// The index of one of these values.
    Category(&'static [&'static str]),
}

/// One fact a criterion can test.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub enum Fact {
    HouseholdSize,
    Children,
    UnderFive,
    OlderPeople,
    WorkingAgeAdults,
    /// Children and older people per working-age adult (infinite when there is none).
    DependencyRatio,
    Dependency,
    FemaleHeaded,
    ChildHeaded,
    /// The head lives without a spouse or partner, with at least one other member.
    SingleHeaded,
    HeadProfile,
    HeadAge,
    MembersWithDisability,
    Disability,
    /// How many members have at least one specific need.
    MembersWithSpecificNeeds,
    MembersWithoutDocuments,
    MissingDocumentation,
    DaysSinceArrival,
    PopulationGroup,
    /// How many members have this specific need.
    Need(SpecificNeed),
    /// The answer to a living-conditions question (index into `QUESTIONS`).
    Condition(u8),
}

const BASE: [Fact; 19] = [
    Fact::HouseholdSize,
    Fact::Children,
    Fact::UnderFive,
    Fact::OlderPeople,
    Fact::WorkingAgeAdults,
    Fact::DependencyRatio,
    Fact::Dependency,
    Fact::FemaleHeaded,
    Fact::ChildHeaded,
    Fact::SingleHeaded,
    Fact::HeadProfile,
    Fact::HeadAge,
    Fact::MembersWithDisability,
    Fact::Disability,
    Fact::MembersWithSpecificNeeds,
    Fact::MembersWithoutDocuments,
    Fact::MissingDocumentation,
    Fact::DaysSinceArrival,
    Fact::PopulationGroup,
];

const NEEDS: usize = 13;
/// How many facts there are: the base facts, one per specific need, one per question.
pub const FACT_COUNT: usize = BASE.len() + NEEDS + QUESTIONS.len();

/// The dependency categories: ratio up to 0.5, up to 1, above 1, no working-age adult.
pub const DEPENDENCY: [&str; 4] = ["low", "average", "high", "complete"];
/// The head's profile, most vulnerable last; a head gets the last that fits.
pub const HEAD_PROFILE: [&str; 5] = ["male", "female", "single", "elderly_or_disabled", "child"];
const POPULATION_GROUPS: [&str; 5] = ["in_destination", "in_transit", "pendular", "returnee", "host_community"];

impl Fact {
    /// Every fact, in index order.
    pub fn all() -> Vec<Fact> {
        let mut all = BASE.to_vec();
        all.extend(SpecificNeed::ALL.iter().map(|n| Fact::Need(*n)));
        all.extend((0..QUESTIONS.len()).map(|q| Fact::Condition(q as u8)));
        all
    }

    /// The fact's position in a [`Facts`] array.
    pub fn index(self) -> usize {
        match self {
            Fact::Need(n) => BASE.len() + n as usize,
            Fact::Condition(q) => BASE.len() + NEEDS + q as usize,
            // In the order of `BASE` (a test checks): a match, not a search, since facts are
            // set and read millions of times when a country is scored again.
            Fact::HouseholdSize => 0,
            Fact::Children => 1,
            Fact::UnderFive => 2,
            Fact::OlderPeople => 3,
            Fact::WorkingAgeAdults => 4,
            Fact::DependencyRatio => 5,
            Fact::Dependency => 6,
            Fact::FemaleHeaded => 7,
            Fact::ChildHeaded => 8,
            Fact::SingleHeaded => 9,
            Fact::HeadProfile => 10,
            Fact::HeadAge => 11,
            Fact::MembersWithDisability => 12,
            Fact::Disability => 13,
            Fact::MembersWithSpecificNeeds => 14,
            Fact::MembersWithoutDocuments => 15,
            Fact::MissingDocumentation => 16,
            Fact::DaysSinceArrival => 17,
            Fact::PopulationGroup => 18,
        }
    }

    pub fn code(self) -> String {
        match self {
            Fact::HouseholdSize => "household_size".into(),
            Fact::Children => "children".into(),
            Fact::UnderFive => "under_five".into(),
            Fact::OlderPeople => "older_people".into(),
            Fact::WorkingAgeAdults => "working_age_adults".into(),
            Fact::DependencyRatio => "dependency_ratio".into(),
            Fact::Dependency => "dependency".into(),
            Fact::FemaleHeaded => "female_headed".into(),
            Fact::ChildHeaded => "child_headed".into(),
            Fact::SingleHeaded => "single_headed".into(),
            Fact::HeadProfile => "head_profile".into(),
            Fact::HeadAge => "head_age".into(),
            Fact::MembersWithDisability => "members_with_disability".into(),
            Fact::Disability => "disability".into(),
            Fact::MembersWithSpecificNeeds => "members_with_specific_needs".into(),
            Fact::MembersWithoutDocuments => "members_without_documents".into(),
            Fact::MissingDocumentation => "missing_documentation".into(),
            Fact::DaysSinceArrival => "days_since_arrival".into(),
            Fact::PopulationGroup => "population_group".into(),
            Fact::Need(n) => format!("need_{}", n.code()),
            Fact::Condition(q) => QUESTIONS.get(q as usize).map_or("", |q| q.code).into(),
        }
    }

    pub fn kind(self) -> FactKind {
        match self {
            Fact::Dependency => FactKind::Category(&DEPENDENCY),
            Fact::HeadProfile => FactKind::Category(&HEAD_PROFILE),
            Fact::PopulationGroup => FactKind::Category(&POPULATION_GROUPS),
            Fact::Condition(q) => FactKind::Category(QUESTIONS.get(q as usize).map_or(&[], |q| q.answers)),
            Fact::FemaleHeaded
            | Fact::ChildHeaded
            | Fact::SingleHeaded
            | Fact::Disability
            | Fact::MissingDocumentation => FactKind::Flag,
            _ => FactKind::Number,
        }
    }

    pub fn parse(raw: &str) -> Result<Fact, DomainError> {
        let wanted = raw.trim().to_ascii_lowercase().replace([' ', '-'], "_");
        Fact::all()
            .into_iter()
            .find(|f| f.code() == wanted)
            .ok_or_else(|| DomainError::UnknownCode {
                what: "fact",
                value: raw.trim().to_owned(),
                expected: Fact::all().iter().map(|f| f.code()).collect::<Vec<_>>().join(", "),
            })
    }

    /// The number a criterion compares this fact with: a number, yes/no, or a category's code.
    pub fn value(self, raw: &str) -> Result<f64, DomainError> {
        let text = raw.trim();
        match self.kind() {
            FactKind::Number => text.parse::<f64>().ok().filter(|v| v.is_finite()).ok_or_else(|| {
                DomainError::Invalid(format!("{} is compared with a number, not '{text}'", self.code()))
            }),
            FactKind::Flag => match text.to_ascii_lowercase().as_str() {
                "1" | "yes" | "true" | "sí" | "si" | "sim" => Ok(1.0),
                "0" | "no" | "false" | "não" | "nao" => Ok(0.0),
                _ => Err(DomainError::Invalid(format!(
                    "{} is yes or no, not '{text}'",
                    self.code()
                ))),
            },
            FactKind::Category(values) => {
                let wanted = text.to_ascii_lowercase().replace([' ', '-'], "_");
                values
                    .iter()
                    .position(|v| *v == wanted)
                    .map(|i| i as f64)
                    .ok_or_else(|| DomainError::UnknownCode {
                        what: "value",
                        value: text.to_owned(),
                        expected: values.join(", "),
                    })
            }
        }
    }

    /// A value of this fact written back as [`Fact::value`] reads it.
    pub fn format_value(self, value: f64) -> String {
        match self.kind() {
            FactKind::Category(values) => values
                .get(value as usize)
                .map_or_else(|| value.to_string(), |v| (*v).to_owned()),
            FactKind::Flag => if value != 0.0 { "yes" } else { "no" }.to_owned(),
            FactKind::Number => value.to_string(),
        }
    }
}

impl TryFrom<String> for Fact {
    type Error = DomainError;
    fn try_from(value: String) -> Result<Self, Self::Error> {
        Fact::parse(&value)
    }
}

impl From<Fact> for String {
    fn from(f: Fact) -> Self {
        f.code()
    }
}

/// Every fact about one household, by [`Fact::index`].
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Facts(pub [f64; FACT_COUNT]);

impl Facts {
    pub fn get(&self, fact: Fact) -> f64 {
        self.0[fact.index()]
    }

    /// The facts of one household on `today` (ages and days since arrival depend on it). Many
    /// households are scored from [`Profiles`], which holds them column by column.
    pub fn of(profile: &Profile, today: Date) -> Facts {
        Profiles::from_iter([profile]).facts(0, today)
    }
}

#[cfg(test)]
mod tests {
    use time::macros::date;

    use super::*;

    #[test]
    fn every_fact_has_its_own_place() {
        let all = Fact::all();
        assert_eq!(all.len(), FACT_COUNT);
        for (i, fact) in all.iter().enumerate() {
            assert_eq!(fact.index(), i, "{}", fact.code());
        }
    }

    const TODAY: Date = date!(2026 - 03 - 01);

    fn member(relationship: Relationship, sex: Sex, birth_date: Date) -> MemberProfile {
        MemberProfile {
            relationship,
            sex,
            birth_date,
            needs: NeedSet::default(),
            washington: WashingtonGroup::default(),
            documents: Vec::new(),
        }
    }

    #[test]
    fn every_fact_has_a_unique_code_and_index() {
        let all = Fact::all();
        assert_eq!(all.len(), FACT_COUNT);
        for (i, fact) in all.iter().enumerate() {
            assert_eq!(fact.index(), i, "{}", fact.code());
            assert_eq!(Fact::parse(&fact.code()), Ok(*fact));
        }
        assert_eq!(Fact::parse("need_disability"), Ok(Fact::Need(SpecificNeed::Disability)));
        assert_eq!(Fact::parse("Safety"), Ok(Fact::Condition(7)));
        assert!(Fact::parse("income").is_err());
    }

    #[test]
    fn a_single_mother_with_two_children() {
        let mut mother = member(Relationship::Head, Sex::Female, date!(1994 - 05 - 01));
        mother.documents.push((DocumentType::Ppt, None));
        let mut son = member(Relationship::Child, Sex::Male, date!(2023 - 01 - 01));
        son.needs.insert(SpecificNeed::SeriousMedicalCondition);
        let mut daughter = member(Relationship::Child, Sex::Female, date!(2015 - 01 - 01));
        daughter.documents.push((DocumentType::BirthCertificate, None));
        let profile = Profile {
            population_group: PopulationGroup::InDestination,
            arrival_date: Some(date!(2026 - 01 - 30)),
            conditions: Conditions([None, Some(2), None, None, None, None, None, Some(1), None, None]),
            members: vec![mother, son, daughter],
        };
        let facts = Facts::of(&profile, TODAY);
        assert_eq!(facts.get(Fact::HouseholdSize), 3.0);
        assert_eq!(facts.get(Fact::Children), 2.0);
        assert_eq!(facts.get(Fact::UnderFive), 1.0);
        assert_eq!(facts.get(Fact::DependencyRatio), 2.0);
        assert_eq!(facts.get(Fact::Dependency), 2.0, "high");
        assert_eq!(facts.get(Fact::FemaleHeaded), 1.0);
        assert_eq!(facts.get(Fact::SingleHeaded), 1.0);
        assert_eq!(facts.get(Fact::HeadProfile), 2.0, "single wins over female");
        assert_eq!(facts.get(Fact::MembersWithoutDocuments), 1.0, "the boy has no document");
        assert_eq!(facts.get(Fact::MissingDocumentation), 1.0);
        assert_eq!(facts.get(Fact::Need(SpecificNeed::SeriousMedicalCondition)), 1.0);
        assert_eq!(facts.get(Fact::DaysSinceArrival), 30.0);
        assert_eq!(facts.get(Fact::Condition(1)), 2.0);
        assert!(facts.get(Fact::Condition(0)).is_nan(), "meals were not asked");
    }

    #[test]
    fn heads_who_are_children_or_older_and_households_without_adults() {
        let child = member(Relationship::Head, Sex::Male, date!(2010 - 01 - 01));
        let profile = Profile {
            population_group: PopulationGroup::InTransit,
            arrival_date: None,
            conditions: Conditions::default(),
            members: vec![child, member(Relationship::Sibling, Sex::Female, date!(2012 - 01 - 01))],
        };
        let facts = Facts::of(&profile, TODAY);
        assert_eq!(facts.get(Fact::ChildHeaded), 1.0);
        assert_eq!(facts.get(Fact::HeadProfile), 4.0);
        assert_eq!(facts.get(Fact::Dependency), 3.0, "complete: no working-age adult");
        assert!(facts.get(Fact::DependencyRatio).is_infinite());
        assert!(facts.get(Fact::DaysSinceArrival).is_nan());
        let mut older = member(Relationship::Head, Sex::Male, date!(1950 - 01 - 01));
        older.documents.push((DocumentType::Pep, Some(date!(2023 - 01 - 01))));
        let alone = Profile {
            members: vec![older],
            ..profile
        };
        let facts = Facts::of(&alone, TODAY);
        assert_eq!(facts.get(Fact::HeadProfile), 3.0);
        assert_eq!(facts.get(Fact::SingleHeaded), 0.0, "living alone is not single-headed");
        assert_eq!(
            facts.get(Fact::MissingDocumentation),
            1.0,
            "an expired PEP is no document"
        );
    }

    #[test]
    fn values_parse_per_kind() {
        assert_eq!(Fact::HouseholdSize.value("5"), Ok(5.0));
        assert!(Fact::HouseholdSize.value("five").is_err());
        assert_eq!(Fact::FemaleHeaded.value("sí"), Ok(1.0));
        assert_eq!(Fact::HeadProfile.value("elderly or disabled"), Ok(3.0));
        assert_eq!(Fact::Condition(7).value("unsafe"), Ok(1.0));
        assert!(Fact::Condition(7).value("scared").is_err());
        assert_eq!(Fact::HeadProfile.format_value(3.0), "elderly_or_disabled");
        assert_eq!(Fact::Disability.format_value(1.0), "yes");
    }
}
