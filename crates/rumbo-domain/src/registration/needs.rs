//! Specific needs, with the categories and short codes of UNHCR's registration (proGres), and
//! the Washington Group Short Set of questions on functioning, from which disability is
//! identified rather than asked directly.

use serde::{Deserialize, Serialize};

use crate::DomainError;
use crate::vocabulary::Vocabulary;

/// A specific need of a person.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum SpecificNeed {
    ChildAtRisk,
    UnaccompaniedChild,
    SeparatedChild,
    WomanAtRisk,
    OlderPersonAtRisk,
    Disability,
    SeriousMedicalCondition,
    SingleParent,
    SgbvSurvivor,
    TortureSurvivor,
    LegalPhysicalProtection,
    FamilyUnity,
    PregnantLactating,
}

impl SpecificNeed {
    /// UNHCR's short code (proGres). Pregnant or lactating women are a sub-category there;
    /// Rumbo gives them their own code, PL, because programmes target them directly.
    pub fn short_code(self) -> &'static str {
        match self {
            Self::ChildAtRisk => "CR",
            Self::UnaccompaniedChild => "UM",
            Self::SeparatedChild => "SC",
            Self::WomanAtRisk => "WR",
            Self::OlderPersonAtRisk => "ER",
            Self::Disability => "DS",
            Self::SeriousMedicalCondition => "SM",
            Self::SingleParent => "SP",
            Self::SgbvSurvivor => "SV",
            Self::TortureSurvivor => "TR",
            Self::LegalPhysicalProtection => "LP",
            Self::FamilyUnity => "FU",
            Self::PregnantLactating => "PL",
        }
    }

    /// The bit of this need in a [`NeedSet`].
    fn bit(self) -> u16 {
        1 << (self as u16)
    }

    /// Needs that only apply to children (under 18).
    pub fn for_children_only(self) -> bool {
        matches!(
            self,
            Self::ChildAtRisk | Self::UnaccompaniedChild | Self::SeparatedChild
        )
    }
}

impl Vocabulary for SpecificNeed {
    const NAME: &'static str = "specific need";
    const ALL: &'static [Self] = &[
        Self::ChildAtRisk,
        Self::UnaccompaniedChild,
        Self::SeparatedChild,
        Self::WomanAtRisk,
        Self::OlderPersonAtRisk,
        Self::Disability,
        Self::SeriousMedicalCondition,
        Self::SingleParent,
        Self::SgbvSurvivor,
        Self::TortureSurvivor,
        Self::LegalPhysicalProtection,
        Self::FamilyUnity,
        Self::PregnantLactating,
    ];

    fn code(self) -> &'static str {
        match self {
            Self::ChildAtRisk => "child_at_risk",
            Self::UnaccompaniedChild => "unaccompanied_child",
            Self::SeparatedChild => "separated_child",
            Self::WomanAtRisk => "woman_at_risk",
            Self::OlderPersonAtRisk => "older_person_at_risk",
            Self::Disability => "disability",
            Self::SeriousMedicalCondition => "serious_medical_condition",
            Self::SingleParent => "single_parent",
            Self::SgbvSurvivor => "sgbv_survivor",
            Self::TortureSurvivor => "torture_survivor",
            Self::LegalPhysicalProtection => "legal_physical_protection",
            Self::FamilyUnity => "family_unity",
            Self::PregnantLactating => "pregnant_lactating",
        }
    }

    /// Our code or UNHCR's short code (`CR`, `UM`, `SV`...), in any case.
    fn parse(raw: &str) -> Result<Self, DomainError> {
        let wanted = raw.trim();
        if let Some(need) = Self::ALL.iter().find(|n| n.short_code().eq_ignore_ascii_case(wanted)) {
            return Ok(*need);
        }
        let code = wanted.to_ascii_lowercase().replace([' ', '-'], "_");
        Self::ALL
            .iter()
            .copied()
            .find(|n| n.code() == code)
            .ok_or_else(|| DomainError::UnknownCode {
                what: Self::NAME,
                value: wanted.to_owned(),
                expected: Self::ALL
                    .iter()
                    .map(|n| format!("{} ({})", n.code(), n.short_code()))
                    .collect::<Vec<_>>()
                    .join(", "),
            })
    }
}

/// The specific needs of one person, as a small set.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default, Serialize, Deserialize)]
pub struct NeedSet(u16);

impl NeedSet {
    pub fn insert(&mut self, need: SpecificNeed) {
        self.0 |= need.bit();
    }

    pub fn remove(&mut self, need: SpecificNeed) {
        self.0 &= !need.bit();
    }

    pub fn contains(self, need: SpecificNeed) -> bool {
        self.0 & need.bit() != 0
    }

    pub fn is_empty(self) -> bool {
        self.0 == 0
    }

    /// The set as bits, need `n` at bit `n as u16`: what scoring counts, without a loop over
    /// every need.
    pub fn bits(self) -> u16 {
        self.0
    }

    pub fn len(self) -> u32 {
        self.0.count_ones()
    }

    pub fn iter(self) -> impl Iterator<Item = SpecificNeed> {
        SpecificNeed::ALL.iter().copied().filter(move |n| self.contains(*n))
    }

    /// Codes separated by `;`, as files carry them.
    pub fn codes(self) -> String {
        self.iter().map(|n| n.code()).collect::<Vec<_>>().join(";")
    }
}

impl FromIterator<SpecificNeed> for NeedSet {
    fn from_iter<I: IntoIterator<Item = SpecificNeed>>(iter: I) -> Self {
        let mut set = NeedSet::default();
        for need in iter {
            set.insert(need);
        }
        set
    }
}

/// One answer to a Washington Group question: how much difficulty the person has.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Difficulty {
    None,
    Some,
    ALot,
    CannotDoAtAll,
}

impl Difficulty {
    /// The answer's number in the questionnaire (1 to 4), as it is stored.
    pub fn score(self) -> i64 {
        match self {
            Self::None => 1,
            Self::Some => 2,
            Self::ALot => 3,
            Self::CannotDoAtAll => 4,
        }
    }

    pub fn from_score(score: i64) -> Option<Difficulty> {
        match score {
            1 => Some(Self::None),
            2 => Some(Self::Some),
            3 => Some(Self::ALot),
            4 => Some(Self::CannotDoAtAll),
            _ => None,
        }
    }
}

impl Vocabulary for Difficulty {
    const NAME: &'static str = "difficulty";
    const ALL: &'static [Self] = &[Self::None, Self::Some, Self::ALot, Self::CannotDoAtAll];

    fn code(self) -> &'static str {
        match self {
            Self::None => "none",
            Self::Some => "some",
            Self::ALot => "a_lot",
            Self::CannotDoAtAll => "cannot_do_at_all",
        }
    }

    /// A code, or the answer's number 1 to 4.
    fn parse(raw: &str) -> Result<Self, DomainError> {
        if let Some(d) = raw.trim().parse::<i64>().ok().and_then(Difficulty::from_score) {
            return Ok(d);
        }
        let code = raw.trim().to_ascii_lowercase().replace([' ', '-'], "_");
        Self::ALL
            .iter()
            .copied()
            .find(|d| d.code() == code)
            .ok_or_else(|| DomainError::UnknownCode {
                what: Self::NAME,
                value: raw.trim().to_owned(),
                expected: "1 or none, 2 or some, 3 or a_lot, 4 or cannot_do_at_all".into(),
            })
    }
}

/// The six domains of the Washington Group Short Set.
pub const WASHINGTON_DOMAINS: [&str; 6] = [
    "seeing",
    "hearing",
    "walking",
    "cognition",
    "self_care",
    "communication",
];

/// A person's answers to the Washington Group Short Set, in the order of
/// [`WASHINGTON_DOMAINS`]; `None` where the question was not asked.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct WashingtonGroup(pub [Option<Difficulty>; 6]);

impl WashingtonGroup {
    /// Parses the six answers; a blank one was not asked.
    pub fn parse(raw: &[&str; 6]) -> Result<WashingtonGroup, (usize, DomainError)> {
        let mut answers = [None; 6];
        for (i, value) in raw.iter().enumerate() {
            if !value.trim().is_empty() {
                answers[i] = Some(Difficulty::parse(value).map_err(|e| (i, e))?);
            }
        }
        Ok(WashingtonGroup(answers))
    }

    /// The Washington Group's recommended cut-off: a disability is identified when at least
    /// one domain is answered "a lot of difficulty" or "cannot do at all".
    pub fn identifies_disability(&self) -> bool {
        self.0.iter().flatten().any(|d| *d >= Difficulty::ALot)
    }

    pub fn is_empty(&self) -> bool {
        self.0.iter().all(Option::is_none)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn needs_parse_from_our_codes_or_unhcr_short_codes() {
        assert_eq!(SpecificNeed::parse("SV"), Ok(SpecificNeed::SgbvSurvivor));
        assert_eq!(SpecificNeed::parse("um"), Ok(SpecificNeed::UnaccompaniedChild));
        assert_eq!(SpecificNeed::parse("Woman at risk"), Ok(SpecificNeed::WomanAtRisk));
        let err = SpecificNeed::parse("XX").expect_err("unknown").to_string();
        assert!(err.contains("child_at_risk (CR)"), "{err}");
        let codes: std::collections::HashSet<_> = SpecificNeed::ALL.iter().map(|n| n.short_code()).collect();
        assert_eq!(codes.len(), SpecificNeed::ALL.len(), "short codes are unique");
    }

    #[test]
    fn need_sets() {
        let set: NeedSet = [SpecificNeed::Disability, SpecificNeed::PregnantLactating]
            .into_iter()
            .collect();
        assert!(set.contains(SpecificNeed::Disability) && !set.contains(SpecificNeed::ChildAtRisk));
        assert_eq!(set.len(), 2);
        assert_eq!(set.codes(), "disability;pregnant_lactating");
    }

    #[test]
    fn washington_group_cut_off() {
        let some = WashingtonGroup::parse(&["2", "some", "", "1", "", ""]).expect("answers");
        assert!(!some.identifies_disability());
        let a_lot = WashingtonGroup::parse(&["", "", "3", "", "", ""]).expect("answers");
        assert!(a_lot.identifies_disability());
        assert!(
            WashingtonGroup::parse(&["", "", "", "", "", "cannot_do_at_all"])
                .expect("answers")
                .identifies_disability()
        );
        let err = WashingtonGroup::parse(&["", "5", "", "", "", ""]).expect_err("5 is no answer");
        assert_eq!(err.0, 1);
        assert!(WashingtonGroup::default().is_empty());
    }
}
