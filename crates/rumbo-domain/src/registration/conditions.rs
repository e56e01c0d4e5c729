//! Living conditions asked at registration, each a question with a closed list of answers:
//! the questions of UNHCR Americas' vulnerability questionnaire (meals, shelter, water,
//! sanitation, electricity, work, negative coping, safety, internet, isolation), so that
//! vulnerability models calibrated on them (see [`super::conjoint`]) can score registrations.

use serde::{Deserialize, Serialize};

use crate::DomainError;

/// One question and its answers, in a fixed order: an answer is stored as its code.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Question {
    pub code: &'static str,
    pub answers: &'static [&'static str],
}

/// Every question, in the order of [`Conditions`].
pub const QUESTIONS: [Question; 10] = [
    Question {
        code: "meals",
        answers: &["one_or_less", "two_or_more"],
    },
    Question {
        code: "shelter",
        answers: &["owned_or_rented", "hosted_or_collective", "spontaneous_or_squatting"],
    },
    Question {
        code: "water",
        answers: &["safe", "unsafe"],
    },
    Question {
        code: "sanitation",
        answers: &["private", "shared", "none"],
    },
    Question {
        code: "electricity",
        answers: &["yes", "no"],
    },
    Question {
        code: "work",
        answers: &["could_work", "could_not_work"],
    },
    Question {
        code: "coping",
        answers: &["none", "stress", "extreme"],
    },
    Question {
        code: "safety",
        answers: &["safe", "unsafe"],
    },
    Question {
        code: "internet",
        answers: &["yes", "no"],
    },
    Question {
        code: "isolation",
        answers: &["connected", "isolated"],
    },
];

impl Question {
    /// The index of `raw` among the answers (any case, spaces or hyphens for underscores).
    pub fn parse(&self, raw: &str) -> Result<u8, DomainError> {
        let wanted = raw.trim().to_ascii_lowercase().replace([' ', '-'], "_");
        self.answers
            .iter()
            .position(|a| *a == wanted)
            .map(|i| i as u8)
            .ok_or_else(|| DomainError::UnknownCode {
                what: "answer",
                value: raw.trim().to_owned(),
                expected: self.answers.join(", "),
            })
    }

    pub fn index_of(code: &str) -> Option<usize> {
        QUESTIONS.iter().position(|q| q.code == code)
    }
}

/// The answers of one household, by question (index into [`QUESTIONS`]); `None` when not
/// asked or not answered.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct Conditions(pub [Option<u8>; 10]);

impl Conditions {
    /// Parses answers given as codes, in the order of [`QUESTIONS`]; blanks are unanswered.
    /// Errors carry the index of the question.
    pub fn parse(raw: &[&str]) -> Result<Conditions, Vec<(usize, DomainError)>> {
        let mut answers = [None; 10];
        let mut problems = Vec::new();
        for (i, question) in QUESTIONS.iter().enumerate() {
            let value = raw.get(i).copied().unwrap_or("");
            if value.trim().is_empty() {
                continue;
            }
            match question.parse(value) {
                Ok(a) => answers[i] = Some(a),
                Err(e) => problems.push((i, e)),
            }
        }
        if problems.is_empty() {
            Ok(Conditions(answers))
        } else {
            Err(problems)
        }
    }

    /// The answer's code for question `i`, if answered.
    pub fn answer(&self, i: usize) -> Option<&'static str> {
        let a = (*self.0.get(i)?)?;
        QUESTIONS.get(i)?.answers.get(a as usize).copied()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn answers_parse_and_read_back() {
        let conditions = Conditions::parse(&["two or more", "", "UNSAFE"]).expect("answers");
        assert_eq!(conditions.answer(0), Some("two_or_more"));
        assert_eq!(conditions.answer(1), None);
        assert_eq!(conditions.answer(2), Some("unsafe"));
        let err = Conditions::parse(&["three"]).expect_err("unknown");
        assert_eq!(err[0].0, 0);
        assert!(err[0].1.to_string().contains("one_or_less, two_or_more"));
    }
}
