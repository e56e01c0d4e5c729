//! The fields of the registration forms: a member block (names, documents, needs, Washington
//! Group answers), the household's own fields, their choices, and the problems of each.

use rumbo_domain::Vocabulary;
use rumbo_domain::registration::conditions::QUESTIONS;
use rumbo_domain::registration::documents::DocumentType;
use rumbo_domain::registration::household::{
    DetailsInput, DocumentInput, FieldProblem, MemberInput, WASHINGTON_FIELDS,
};
use rumbo_domain::registration::needs::{Difficulty, SpecificNeed};
use rumbo_domain::registration::people::{Relationship, Sex, format_date};
use rumbo_store::registration::{HouseholdView, MemberView};

use super::super::parts::{Choice, Fields};
use super::{Problems, field_message, vocabulary_choices};
use crate::error::AppError;
use crate::i18n::Tr;

/// The choices every member block offers.
pub(super) struct MemberChoices {
    pub relationships: Vec<Choice>,
    pub sexes: Vec<Choice>,
    pub documents: Vec<Choice>,
    pub needs: Vec<Choice>,
    pub difficulties: Vec<Choice>,
    /// (field name, label) of the Washington Group questions.
    pub washington: Vec<(String, String)>,
}

impl MemberChoices {
    pub fn new(tr: &Tr) -> MemberChoices {
        MemberChoices {
            relationships: vocabulary_choices::<Relationship>(tr, ""),
            sexes: vocabulary_choices::<Sex>(tr, ""),
            documents: vocabulary_choices::<DocumentType>(tr, ""),
            needs: SpecificNeed::ALL
                .iter()
                .map(|n| Choice::new(n.code(), format!("{} ({})", tr.label(*n), n.short_code()), false))
                .collect(),
            difficulties: vocabulary_choices::<Difficulty>(tr, ""),
            washington: WASHINGTON_FIELDS
                .iter()
                .map(|f| ((*f).to_owned(), tr.t(&format!("reg-{}", f.replace('_', "-")))))
                .collect(),
        }
    }
}

/// One member block as typed.
#[derive(Debug, Clone, Default)]
pub(super) struct MemberForm {
    pub index: usize,
    pub code: String,
    pub relationship: String,
    pub given_names: String,
    pub first_surname: String,
    pub second_surname: String,
    pub sex: String,
    pub birth_date: String,
    pub estimated_age: String,
    pub nationality: String,
    pub phone: String,
    pub document_type: String,
    pub document_number: String,
    pub document_expiry: String,
    pub needs: Vec<String>,
    pub wg: Vec<String>,
}

impl MemberForm {
    pub fn blank(index: usize) -> MemberForm {
        MemberForm {
            index,
            nationality: "VEN".into(),
            wg: vec![String::new(); 6],
            ..Default::default()
        }
    }

    pub fn read(fields: &Fields, index: usize) -> MemberForm {
        let f = |name: &str| fields.get(&format!("m{index}_{name}")).to_owned();
        MemberForm {
            index,
            code: String::new(),
            relationship: f("relationship"),
            given_names: f("given_names"),
            first_surname: f("first_surname"),
            second_surname: f("second_surname"),
            sex: f("sex"),
            birth_date: f("birth_date"),
            estimated_age: f("estimated_age"),
            nationality: f("nationality"),
            phone: f("phone"),
            document_type: f("document_type"),
            document_number: f("document_number"),
            document_expiry: f("document_expiry"),
            needs: fields
                .all(&format!("m{index}_needs"))
                .into_iter()
                .map(str::to_owned)
                .collect(),
            wg: WASHINGTON_FIELDS.iter().map(|w| f(w)).collect(),
        }
    }

    pub fn of(m: &MemberView, index: usize) -> MemberForm {
        let name = m.name.clone();
        let document = m.documents.first();
        MemberForm {
            index,
            code: m.code.clone(),
            relationship: m.relationship.code().into(),
            given_names: name.as_ref().map(|n| n.given_names.clone()).unwrap_or_default(),
            first_surname: name.as_ref().map(|n| n.first_surname.clone()).unwrap_or_default(),
            second_surname: name.and_then(|n| n.second_surname).unwrap_or_default(),
            sex: m.sex.code().into(),
            birth_date: if m.birth.estimated {
                String::new()
            } else {
                format_date(m.birth.date)
            },
            estimated_age: if m.birth.estimated {
                m.age.to_string()
            } else {
                String::new()
            },
            nationality: m.nationality.to_string(),
            phone: m.phone.clone().unwrap_or_default(),
            document_type: document.map(|d| d.doc_type.code().to_owned()).unwrap_or_default(),
            document_number: document.and_then(|d| d.number.clone()).unwrap_or_default(),
            document_expiry: document.and_then(|d| d.expiry).map(format_date).unwrap_or_default(),
            needs: m.needs.iter().map(|n| n.code().to_owned()).collect(),
            wg: m
                .washington
                .0
                .iter()
                .map(|d| d.map(|d| d.code().to_owned()).unwrap_or_default())
                .collect(),
        }
    }

    /// Whether the block was left blank (it is then no member).
    pub fn is_blank(&self) -> bool {
        [
            &self.relationship,
            &self.given_names,
            &self.first_surname,
            &self.birth_date,
            &self.estimated_age,
        ]
        .iter()
        .all(|v| v.is_empty())
    }

    pub fn has_need(&self, code: &str) -> bool {
        self.needs.iter().any(|n| n == code)
    }

    pub fn wg_answer(&self, i: &usize) -> &str {
        self.wg.get(*i).map_or("", String::as_str)
    }

    pub fn input(&self) -> MemberInput {
        MemberInput {
            relationship: self.relationship.clone(),
            given_names: self.given_names.clone(),
            first_surname: self.first_surname.clone(),
            second_surname: self.second_surname.clone(),
            sex: self.sex.clone(),
            birth_date: self.birth_date.clone(),
            estimated_age: self.estimated_age.clone(),
            nationality: self.nationality.clone(),
            phone: self.phone.clone(),
            needs: self.needs.clone(),
            washington: std::array::from_fn(|i| self.wg.get(i).cloned().unwrap_or_default()),
            documents: vec![DocumentInput {
                doc_type: self.document_type.clone(),
                number: self.document_number.clone(),
                expiry: self.document_expiry.clone(),
            }],
        }
    }
}

/// The household's own fields as typed.
#[derive(Debug, Clone, Default)]
pub(super) struct DetailsForm {
    pub population_group: String,
    pub arrival_date: String,
    pub previous_country: String,
    pub previous_area: String,
    pub residence_area: String,
    pub lat: String,
    pub lon: String,
    pub child_headed: bool,
    /// (question code, label, answers as choices with the one given selected)
    pub conditions: Vec<(String, String, Vec<Choice>)>,
}

impl DetailsForm {
    pub fn read(fields: &Fields, tr: &Tr) -> DetailsForm {
        DetailsForm {
            population_group: fields.get("population_group").into(),
            arrival_date: fields.get("arrival_date").into(),
            previous_country: fields.get("previous_country").into(),
            previous_area: fields.get("previous_area").into(),
            residence_area: fields.get("residence_area").into(),
            lat: fields.get("lat").into(),
            lon: fields.get("lon").into(),
            child_headed: fields.checked("child_headed"),
            conditions: condition_choices(tr, |q| fields.get(q).to_owned()),
        }
    }

    pub fn of(view: &HouseholdView, tr: &Tr) -> DetailsForm {
        let d = &view.details;
        DetailsForm {
            population_group: d.population_group.code().into(),
            arrival_date: d.arrival_date.map(format_date).unwrap_or_default(),
            previous_country: d.previous_country.map(|c| c.to_string()).unwrap_or_default(),
            previous_area: d.previous_area.as_ref().map(|p| p.to_string()).unwrap_or_default(),
            residence_area: view
                .adm2
                .as_ref()
                .or(view.adm1.as_ref())
                .map(|p| p.to_string())
                .unwrap_or_default(),
            lat: d.position.map(|p| p.lat.to_string()).unwrap_or_default(),
            lon: d.position.map(|p| p.lon.to_string()).unwrap_or_default(),
            child_headed: d.child_headed,
            conditions: condition_choices(tr, |q| {
                QUESTIONS
                    .iter()
                    .position(|x| x.code == q)
                    .and_then(|i| d.conditions.answer(i))
                    .unwrap_or("")
                    .to_owned()
            }),
        }
    }

    pub fn input(&self) -> DetailsInput {
        DetailsInput {
            population_group: self.population_group.clone(),
            arrival_date: self.arrival_date.clone(),
            previous_country: self.previous_country.clone(),
            previous_area: self.previous_area.clone(),
            residence_area: self.residence_area.clone(),
            lat: self.lat.clone(),
            lon: self.lon.clone(),
            child_headed: self.child_headed,
            conditions: self
                .conditions
                .iter()
                .map(|(_, _, choices)| {
                    choices
                        .iter()
                        .find(|c| c.selected)
                        .map(|c| c.value.clone())
                        .unwrap_or_default()
                })
                .collect(),
        }
    }
}

pub(super) fn condition_choices(tr: &Tr, given: impl Fn(&str) -> String) -> Vec<(String, String, Vec<Choice>)> {
    QUESTIONS
        .iter()
        .map(|q| {
            let value = given(q.code);
            let choices = q
                .answers
                .iter()
                .map(|a| {
                    Choice::new(
                        *a,
                        tr.t(&format!("reg-answer-{}-{}", q.code, a.replace('_', "-"))),
                        *a == value,
                    )
                })
                .collect();
            (q.code.to_owned(), tr.t(&format!("reg-question-{}", q.code)), choices)
        })
        .collect()
}

/// Problems found by the domain's rules, keyed as the form names its fields.
pub(super) fn form_problems(tr: &Tr, problems: &[FieldProblem], members: &[usize]) -> Problems {
    let mut out = Problems::default();
    for p in problems {
        let key = match p.member.and_then(|m| members.get(m)) {
            Some(index) => format!("m{index}_{}", p.field),
            None => p.field.to_owned(),
        };
        out.add(key, field_message(tr, p.field, &p.error));
    }
    out
}

/// Store refusals with places (`residence_area`, `member 2, birth_date`), keyed as the form names them.
pub(super) fn store_problems(
    tr: &Tr,
    error: AppError,
    members: &[usize],
    problems: &mut Problems,
) -> Result<(), AppError> {
    match error {
        AppError::Rejected { problems: found, .. } => {
            for p in found {
                let (key, field) = match p
                    .location
                    .strip_prefix("member ")
                    .and_then(|rest| rest.split_once(", "))
                {
                    Some((n, field)) => {
                        let index = n
                            .parse::<usize>()
                            .ok()
                            .and_then(|n| members.get(n.saturating_sub(1)))
                            .copied()
                            .unwrap_or(0);
                        (format!("m{index}_{field}"), field.to_owned())
                    }
                    None => (p.location.clone(), p.location.clone()),
                };
                problems.add(
                    key,
                    field_message(tr, &field, &rumbo_domain::DomainError::Invalid(p.problem)),
                );
            }
            Ok(())
        }
        other => Err(other),
    }
}
