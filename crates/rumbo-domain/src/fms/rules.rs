//! Vulnerable-case detection from a rule set stored as data. A rule names a flag, a level and
//! a condition over the interview's answers (by field name, as the answers are stored):
//!
//! ```json
//! {"flag": "gbv_risk", "level": "high", "when": {"field": "incidents", "contains": "sexual_violence"}}
//! {"flag": "unaccompanied_or_separated_child", "level": "high",
//!  "when": {"any": [{"field": "unaccompanied_child"}, {"field": "separated_child"}]}}
//! ```
//!
//! A field alone is true when the answer is yes (or a non-empty list); `equals`, `contains`,
//! `below` and `at_least` compare it. `all`, `any` and `not` combine conditions. Rule sets are
//! versioned by the store: each change is a new version, and each assessment records the
//! version that made it.

use serde::{Deserialize, Serialize};
use serde_json::Value;

use super::Interview;
use crate::DomainError;
use crate::vocabulary::Vocabulary;

/// The rule set Rumbo starts with (version 1).
pub const DEFAULT_RULES: &str = include_str!("default_rules.json");

/// What a flag says about a person: why a protection officer should follow up.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum RiskFlag {
    TraffickingOrExploitation,
    UnaccompaniedOrSeparatedChild,
    PregnantWoman,
    SeriousMedicalCondition,
    GbvRisk,
}

impl Vocabulary for RiskFlag {
    const NAME: &'static str = "risk flag";
    const ALL: &'static [Self] = &[
        Self::TraffickingOrExploitation,
        Self::UnaccompaniedOrSeparatedChild,
        Self::PregnantWoman,
        Self::SeriousMedicalCondition,
        Self::GbvRisk,
    ];

    fn code(self) -> &'static str {
        match self {
            Self::TraffickingOrExploitation => "trafficking_or_exploitation",
            Self::UnaccompaniedOrSeparatedChild => "unaccompanied_or_separated_child",
            Self::PregnantWoman => "pregnant_woman",
            Self::SeriousMedicalCondition => "serious_medical_condition",
            Self::GbvRisk => "gbv_risk",
        }
    }
}

/// How urgent a follow-up is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum RiskLevel {
    Low,
    Medium,
    High,
}

impl Vocabulary for RiskLevel {
    const NAME: &'static str = "risk level";
    const ALL: &'static [Self] = &[Self::Low, Self::Medium, Self::High];

    fn code(self) -> &'static str {
        match self {
            Self::Low => "low",
            Self::Medium => "medium",
            Self::High => "high",
        }
    }
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Rule {
    pub flag: RiskFlag,
    pub level: RiskLevel,
    pub when: Condition,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(untagged)]
pub enum Condition {
    All { all: Vec<Condition> },
    Any { any: Vec<Condition> },
    Not { not: Box<Condition> },
    Field(FieldTest),
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct FieldTest {
    pub field: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub equals: Option<Value>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub contains: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub below: Option<f64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub at_least: Option<f64>,
}

/// A rule set: the rules, in order.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RuleSet {
    pub rules: Vec<Rule>,
}

/// The flags an interview raised and the highest level among them; no flags, no level.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct Assessment {
    pub flags: Vec<RiskFlag>,
    pub level: Option<RiskLevel>,
}

impl Assessment {
    pub fn flagged(&self) -> bool {
        !self.flags.is_empty()
    }

    /// The flags as stored: `gbv_risk,pregnant_woman`.
    pub fn flag_codes(&self) -> String {
        crate::flow::join_codes(&self.flags)
    }
}

impl RuleSet {
    /// Parses a rule set and checks every field it names exists in an interview, so that a typo
    /// is refused when the rules are saved, not silently never true.
    pub fn parse(text: &str) -> Result<RuleSet, DomainError> {
        let set: RuleSet =
            serde_json::from_str(text).map_err(|e| DomainError::Invalid(format!("the rule set is not valid: {e}")))?;
        if set.rules.is_empty() {
            return Err(DomainError::Invalid("a rule set needs at least one rule".into()));
        }
        let known = serde_json::to_value(Interview::default()).unwrap_or(Value::Null);
        for (i, rule) in set.rules.iter().enumerate() {
            let mut unknown = Vec::new();
            rule.when.fields(&mut |f| {
                if known.get(f).is_none() {
                    unknown.push(f.to_owned());
                }
            });
            if let Some(field) = unknown.first() {
                return Err(DomainError::Invalid(format!(
                    "rule {}: '{field}' is not a question of the interview",
                    i + 1
                )));
            }
        }
        Ok(set)
    }

    pub fn default_rules() -> RuleSet {
        // The bundled rules are checked by a test; an empty set flags nothing.
        RuleSet::parse(DEFAULT_RULES).unwrap_or(RuleSet { rules: Vec::new() })
    }

    pub fn to_json(&self) -> String {
        serde_json::to_string_pretty(self).unwrap_or_default()
    }

    /// Evaluates every rule against the answers.
    pub fn assess(&self, interview: &Interview) -> Assessment {
        let answers = serde_json::to_value(interview).unwrap_or(Value::Null);
        let mut assessment = Assessment::default();
        for rule in &self.rules {
            if rule.when.holds(&answers) {
                if !assessment.flags.contains(&rule.flag) {
                    assessment.flags.push(rule.flag);
                }
                assessment.level = assessment.level.max(Some(rule.level));
            }
        }
        assessment.flags.sort();
        assessment
    }
}

impl Condition {
    fn holds(&self, answers: &Value) -> bool {
        match self {
            Condition::All { all } => all.iter().all(|c| c.holds(answers)),
            Condition::Any { any } => any.iter().any(|c| c.holds(answers)),
            Condition::Not { not } => !not.holds(answers),
            Condition::Field(test) => test.holds(answers.get(&test.field).unwrap_or(&Value::Null)),
        }
    }

    fn fields(&self, visit: &mut impl FnMut(&str)) {
        match self {
            Condition::All { all: list } | Condition::Any { any: list } => {
                list.iter().for_each(|c| c.fields(visit));
            }
            Condition::Not { not } => not.fields(visit),
            Condition::Field(test) => visit(&test.field),
        }
    }
}

impl FieldTest {
    fn holds(&self, value: &Value) -> bool {
        let number = value.as_f64();
        let mut any_test = false;
        if let Some(expected) = &self.equals {
            any_test = true;
            if value != expected {
                return false;
            }
        }
        if let Some(item) = &self.contains {
            any_test = true;
            let found = value
                .as_array()
                .is_some_and(|list| list.iter().any(|v| v.as_str() == Some(item)));
            if !found {
                return false;
            }
        }
        if let Some(limit) = self.below {
            any_test = true;
            if !number.is_some_and(|n| n < limit) {
                return false;
            }
        }
        if let Some(limit) = self.at_least {
            any_test = true;
            if !number.is_some_and(|n| n >= limit) {
                return false;
            }
        }
        any_test || truthy(value)
    }
}

fn truthy(value: &Value) -> bool {
    match value {
        Value::Bool(b) => *b,
        Value::Array(items) => !items.is_empty(),
        Value::Null => false,
        Value::String(s) => !s.is_empty(),
        Value::Number(n) => n.as_f64().is_some_and(|n| n != 0.0),
        Value::Object(o) => !o.is_empty(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::flow::Sex;
    use crate::fms::{Incident, tests::adult_woman};

    #[test]
    fn the_default_rules_parse_and_cover_every_flag() {
        let set = RuleSet::parse(DEFAULT_RULES).expect("default rules");
        for flag in RiskFlag::ALL {
            assert!(set.rules.iter().any(|r| r.flag == *flag), "{flag:?}");
        }
    }

    #[test]
    fn an_interview_without_indicators_raises_nothing() {
        let assessment = RuleSet::default_rules().assess(&adult_woman());
        assert_eq!(assessment, Assessment::default());
        assert!(!assessment.flagged());
    }

    #[test]
    fn trafficking_indicators_and_children_are_flagged_high() {
        let rules = RuleSet::default_rules();
        let mut i = adult_woman();
        i.worked_without_pay = true;
        i.pregnant = true;
        let a = rules.assess(&i);
        assert_eq!(a.flags, [RiskFlag::TraffickingOrExploitation, RiskFlag::PregnantWoman]);
        assert_eq!(a.level, Some(RiskLevel::High));
        assert_eq!(a.flag_codes(), "trafficking_or_exploitation,pregnant_woman");

        let mut child = adult_woman();
        child.age = Some(15);
        child.sex = Some(Sex::Male);
        child.separated_child = true;
        assert_eq!(rules.assess(&child).flags, [RiskFlag::UnaccompaniedOrSeparatedChild]);
        let mut survivor = adult_woman();
        survivor.incidents = vec![Incident::SexualViolence];
        assert_eq!(rules.assess(&survivor).flags, [RiskFlag::GbvRisk]);
    }

    #[test]
    fn conditions_compare_and_combine() {
        let set = RuleSet::parse(
            r#"{"rules":[{"flag":"gbv_risk","level":"low","when":{"all":[
                {"field":"sex","equals":"female"},{"field":"age","below":18},{"not":{"field":"consent_follow_up"}}]}}]}"#,
        )
        .expect("rules");
        let mut girl = adult_woman();
        girl.age = Some(16);
        assert_eq!(set.assess(&girl).level, Some(RiskLevel::Low));
        girl.consent_follow_up = true;
        assert!(!set.assess(&girl).flagged());
        assert!(!set.assess(&adult_woman()).flagged());
    }

    #[test]
    fn typos_in_rules_are_refused() {
        let err = RuleSet::parse(r#"{"rules":[{"flag":"gbv_risk","level":"high","when":{"field":"pregant"}}]}"#)
            .expect_err("unknown field");
        assert!(err.to_string().contains("'pregant'"), "{err}");
        assert!(RuleSet::parse(r#"{"rules":[{"flag":"danger","level":"high","when":{"field":"pregnant"}}]}"#).is_err());
        assert!(RuleSet::parse(r#"{"rules":[]}"#).is_err());
    }
}
