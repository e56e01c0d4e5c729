//! Vulnerability models as data. A model is a list of criteria — a fact, a comparison, a value
//! and the points it gives ("female_headed = yes: 10 points", "safety = unsafe: 25.8 points")
//! — grouped so that a group's points can be capped, with an optional cap on the whole score
//! and the threshold from which a household is eligible for assistance. Models belong to a
//! country and are versioned by the store; this module checks them and scores households.
//!
//! Every score can be explained: which criteria matched, how many points each gave, and which
//! groups were capped. Scoring is a tight loop over compiled criteria, so that a country's
//! households can all be scored again whenever its model changes.

use serde::{Deserialize, Serialize};

use super::facts::{Fact, Facts};
use crate::vocabulary::Vocabulary;
use crate::{DomainError, Problem};

/// The most criteria and groups a model may have (they are tracked as bit sets).
pub const MAX_CRITERIA: usize = 128;
pub const MAX_GROUPS: usize = 32;

/// How a criterion compares its fact with its value.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Op {
    Eq,
    Ne,
    Lt,
    Le,
    Gt,
    Ge,
}

impl Vocabulary for Op {
    const NAME: &'static str = "comparison";
    const ALL: &'static [Self] = &[Self::Eq, Self::Ne, Self::Lt, Self::Le, Self::Gt, Self::Ge];

    fn code(self) -> &'static str {
        match self {
            Self::Eq => "eq",
            Self::Ne => "ne",
            Self::Lt => "lt",
            Self::Le => "le",
            Self::Gt => "gt",
            Self::Ge => "ge",
        }
    }

    /// Also the symbols `=`, `!=`, `<`, `<=`, `>`, `>=`.
    fn parse(raw: &str) -> Result<Self, DomainError> {
        let found = match raw.trim() {
            "=" | "==" => Some(Self::Eq),
            "!=" | "<>" => Some(Self::Ne),
            "<" => Some(Self::Lt),
            "<=" => Some(Self::Le),
            ">" => Some(Self::Gt),
            ">=" => Some(Self::Ge),
            other => Self::ALL.iter().copied().find(|o| o.code().eq_ignore_ascii_case(other)),
        };
        found.ok_or_else(|| DomainError::UnknownCode {
            what: Self::NAME,
            value: raw.trim().to_owned(),
            expected: "eq (=), ne (!=), lt (<), le (<=), gt (>), ge (>=)".into(),
        })
    }
}

impl Op {
    pub fn symbol(self) -> &'static str {
        match self {
            Self::Eq => "=",
            Self::Ne => "≠",
            Self::Lt => "<",
            Self::Le => "≤",
            Self::Gt => ">",
            Self::Ge => "≥",
        }
    }

    /// Whether `fact op value` holds: the definition the compiled bounds are tested against.
    #[cfg(test)]
    fn holds(self, fact: f64, value: f64) -> bool {
        match self {
            Self::Eq => fact == value,
            Self::Ne => fact != value,
            Self::Lt => fact < value,
            Self::Le => fact <= value,
            Self::Gt => fact > value,
            Self::Ge => fact >= value,
        }
    }
}

/// One criterion as a model stores it. `value` is written as the fact reads it: a number,
/// yes/no, or a category's code.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Criterion {
    pub id: String,
    pub label: String,
    pub fact: Fact,
    pub op: Op,
    pub value: String,
    pub points: f64,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub group: Option<String>,
}

/// The most points a group of criteria may give together.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Cap {
    pub group: String,
    pub max_points: f64,
}

/// A model as it is stored and exchanged.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Definition {
    pub criteria: Vec<Criterion>,
    #[serde(default)]
    pub caps: Vec<Cap>,
    /// The most points a household may score in all; `None` for no limit.
    #[serde(default)]
    pub max_score: Option<f64>,
    /// Households scoring at least this are eligible for assistance.
    pub threshold: f64,
}

/// A criterion ready to score: every comparison as "the fact lies within `low..=high`", or
/// outside it for `Ne` (`outside`), so that testing it is the same two comparisons whatever the
/// operator, with no branch on the operator. A fact that is not known (NaN) lies within no
/// bounds.
#[derive(Debug, Clone, Copy, PartialEq)]
struct Compiled {
    fact: usize,
    low: f64,
    high: f64,
    outside: bool,
    points: f64,
    /// Index into the groups; `FREE` for none.
    group: usize,
    /// The criterion's place in the model, and its bit in [`Score::matched`].
    bit: u32,
}

impl Compiled {
    /// The bounds of `op value`; `value` is finite (checked with the definition), so the next
    /// number up or down is exactly where a strict comparison starts to hold.
    fn bounds(op: Op, value: f64) -> (f64, f64, bool) {
        match op {
            Op::Eq => (value, value, false),
            Op::Ne => (value, value, true),
            Op::Lt => (f64::NEG_INFINITY, value.next_down(), false),
            Op::Le => (f64::NEG_INFINITY, value, false),
            Op::Gt => (value.next_up(), f64::INFINITY, false),
            Op::Ge => (value, f64::INFINITY, false),
        }
    }

    #[inline]
    fn holds(&self, fact: f64) -> bool {
        ((self.low <= fact) & (fact <= self.high)) != self.outside
    }
}

/// The group index of criteria in no group: the place after every group's.
const FREE: usize = MAX_GROUPS;

/// A checked model, ready to score.
#[derive(Debug, Clone, PartialEq)]
pub struct Model {
    definition: Definition,
    /// The criteria ordered by group, criteria in no group first, each group's in the model's
    /// order; `spans[g]` are group `g`'s (the free criteria's after the last group's span).
    compiled: Vec<Compiled>,
    spans: Vec<std::ops::Range<usize>>,
    groups: Vec<String>,
    /// The cap of each group (infinite when uncapped).
    caps: Vec<f64>,
}

/// One household's score: its value, whether it reaches the threshold, and which criteria
/// matched and groups were capped (as bit sets, so scoring allocates nothing).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Score {
    pub value: f64,
    pub eligible: bool,
    pub matched: u128,
    pub capped: u32,
}

/// What a criterion contributed to a score.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Contribution {
    pub id: String,
    pub label: String,
    pub group: Option<String>,
    pub points: f64,
}

/// A capped group: the points its criteria gave, and what was counted.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct CappedGroup {
    pub group: String,
    pub raw_points: f64,
    pub counted: f64,
}

/// Why a household scored what it scored.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Explanation {
    pub score: f64,
    pub threshold: f64,
    pub eligible: bool,
    pub contributions: Vec<Contribution>,
    pub capped: Vec<CappedGroup>,
}

impl Model {
    /// Checks a definition: at most [`MAX_CRITERIA`] criteria with unique ids, values the
    /// facts can hold, finite points, caps on groups that exist. Every problem is listed with
    /// the criterion it concerns.
    pub fn new(definition: Definition) -> Result<Model, Vec<Problem>> {
        let mut problems = Vec::new();
        if definition.criteria.is_empty() {
            problems.push(Problem::new("criteria", "a model has at least one criterion"));
        }
        if definition.criteria.len() > MAX_CRITERIA {
            problems.push(Problem::new(
                "criteria",
                format!(
                    "a model has at most {MAX_CRITERIA} criteria; this one has {}",
                    definition.criteria.len()
                ),
            ));
        }
        if !definition.threshold.is_finite() {
            problems.push(Problem::new("threshold", "the threshold is a number"));
        }
        if definition.max_score.is_some_and(|m| !m.is_finite()) {
            problems.push(Problem::new("max_score", "the maximum score is a number"));
        }
        let mut groups: Vec<String> = Vec::new();
        let mut compiled = Vec::with_capacity(definition.criteria.len());
        for (i, c) in definition.criteria.iter().enumerate() {
            let at = format!("criterion {} ({})", i + 1, c.id);
            if !valid_id(&c.id) {
                problems.push(Problem::new(
                    format!("criterion {}", i + 1),
                    "an id has 1 to 60 letters, digits, '.', '-' or '_'",
                ));
            }
            if definition.criteria[..i].iter().any(|other| other.id == c.id) {
                problems.push(Problem::new(&at, "this id is used by an earlier criterion"));
            }
            if c.label.trim().is_empty() || c.label.chars().count() > 200 {
                problems.push(Problem::new(&at, "a label has 1 to 200 characters"));
            }
            if !c.points.is_finite() {
                problems.push(Problem::new(&at, "points are a number"));
            }
            let value = match c.fact.value(&c.value) {
                Ok(v) => v,
                Err(e) => {
                    problems.push(Problem::new(&at, e));
                    continue;
                }
            };
            let group = match &c.group {
                None => FREE,
                Some(g) => match groups.iter().position(|x| x == g) {
                    Some(i) => i,
                    None => {
                        groups.push(g.clone());
                        groups.len() - 1
                    }
                },
            };
            let (low, high, outside) = Compiled::bounds(c.op, value);
            compiled.push(Compiled {
                fact: c.fact.index(),
                low,
                high,
                outside,
                points: c.points,
                group,
                bit: i as u32,
            });
        }
        if groups.len() > MAX_GROUPS {
            problems.push(Problem::new(
                "criteria",
                format!("a model has at most {MAX_GROUPS} groups"),
            ));
        }
        let mut caps = vec![f64::INFINITY; groups.len()];
        for cap in &definition.caps {
            match groups.iter().position(|g| *g == cap.group) {
                Some(i) if cap.max_points.is_finite() && cap.max_points >= 0.0 => caps[i] = cap.max_points,
                Some(_) => problems.push(Problem::new(
                    format!("cap of {}", cap.group),
                    "a cap is a number of points, 0 or more",
                )),
                None => problems.push(Problem::new(
                    format!("cap of {}", cap.group),
                    "no criterion belongs to this group",
                )),
            }
        }
        if !problems.is_empty() {
            return Err(problems);
        }
        // Stable: within a group the points are added in the model's order, as before.
        compiled.sort_by_key(|c| c.group);
        let span = |g: usize| {
            let start = compiled.partition_point(|c| c.group < g);
            start..compiled.partition_point(|c| c.group <= g)
        };
        let spans = (0..groups.len()).chain([FREE]).map(span).collect();
        Ok(Model {
            definition,
            compiled,
            spans,
            groups,
            caps,
        })
    }

    pub fn definition(&self) -> &Definition {
        &self.definition
    }

    pub fn threshold(&self) -> f64 {
        self.definition.threshold
    }

    /// The score of one household.
    #[inline]
    pub fn score(&self, facts: &Facts) -> Score {
        let mut matched = 0u128;
        // Each group's points in a sum of its own, held in a register: one running sum over
        // all criteria kept in memory made every addition wait for the one before it.
        // Points are added whether or not a criterion holds (times 1 or 0): whether it holds
        // is as good as random from one household to the next, and a branch on it would be
        // mispredicted half the time.
        let mut sum_of = |span: &std::ops::Range<usize>| {
            let mut sum = 0.0f64;
            for c in &self.compiled[span.clone()] {
                let holds = c.holds(facts.0[c.fact]);
                matched |= u128::from(holds) << c.bit;
                sum += c.points * f64::from(u8::from(holds));
            }
            sum
        };
        let (spans, free) = self.spans.split_at(self.caps.len());
        let mut total = free.iter().map(&mut sum_of).sum::<f64>();
        let mut capped = 0u32;
        for (g, (span, cap)) in spans.iter().zip(&self.caps).enumerate() {
            let sum = sum_of(span);
            if sum > *cap {
                capped |= 1 << g;
                total += cap;
            } else {
                total += sum;
            }
        }
        self.finish(total, matched, capped)
    }

    /// The score from the points counted after group caps.
    #[inline]
    fn finish(&self, mut total: f64, matched: u128, capped: u32) -> Score {
        if let Some(max) = self.definition.max_score {
            total = total.min(max);
        }
        // Rounded to thousandths, so that equal scores compare equal whatever the order in
        // which their points were added.
        let value = (total * 1000.0).round() / 1000.0;
        Score {
            value,
            eligible: value >= self.definition.threshold,
            matched,
            capped,
        }
    }

    /// Which criteria gave `score` its points, in the model's order, and which groups were capped.
    pub fn explain(&self, score: &Score) -> Explanation {
        let contributions = self
            .definition
            .criteria
            .iter()
            .enumerate()
            .filter(|(i, _)| score.matched & (1 << i) != 0)
            .map(|(_, c)| Contribution {
                id: c.id.clone(),
                label: c.label.clone(),
                group: c.group.clone(),
                points: c.points,
            })
            .collect();
        let capped = self
            .groups
            .iter()
            .enumerate()
            .filter(|(g, _)| score.capped & (1 << g) != 0)
            .map(|(g, name)| CappedGroup {
                group: name.clone(),
                raw_points: self.compiled[self.spans[g].clone()]
                    .iter()
                    .filter(|c| score.matched & (1 << c.bit) != 0)
                    .map(|c| c.points)
                    .sum(),
                counted: self.caps[g],
            })
            .collect();
        Explanation {
            score: score.value,
            threshold: self.definition.threshold,
            eligible: score.eligible,
            contributions,
            capped,
        }
    }
}

fn valid_id(id: &str) -> bool {
    (1..=60).contains(&id.len())
        && id
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'.' | b'-' | b'_'))
}

/// A criterion id from free text: lower case letters and digits, words joined with `-`.
pub fn slug(text: &str) -> String {
    let mut out = String::new();
    for c in text.chars().flat_map(char::to_lowercase) {
        if c.is_ascii_alphanumeric() {
            out.push(c);
        } else if c == '.' {
            out.push('.');
        } else if !out.ends_with('-') && !out.is_empty() {
            out.push('-');
        }
    }
    out.trim_end_matches('-').chars().take(60).collect()
}

mod block;
#[cfg(test)]
mod tests;
