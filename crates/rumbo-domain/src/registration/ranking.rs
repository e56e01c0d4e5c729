//! Prioritised beneficiary lists. A programme (multipurpose cash for 500 households in Cúcuta)
//! ranks the eligible households it may serve by vulnerability score, breaks ties by the rules
//! it chose (larger households first, then earlier registrations...), and keeps its quotas (at
//! least 30% of the list female-headed): when the top of the ranking falls short of a quota,
//! the lowest-ranked households outside it give way to the best-ranked inside it. Every
//! selected household says why it is on the list.

use std::cmp::Ordering;

use serde::{Deserialize, Serialize};

use crate::DomainError;
use crate::vocabulary::Vocabulary;

/// What a quota counts.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum QuotaAttribute {
    FemaleHeaded,
    ChildHeaded,
    /// At least one member with a disability.
    Disability,
    /// At least one member aged 60 or over.
    OlderPerson,
    SingleHeaded,
    /// At least one member with a specific need.
    SpecificNeeds,
}

impl Vocabulary for QuotaAttribute {
    const NAME: &'static str = "quota attribute";
    const ALL: &'static [Self] = &[
        Self::FemaleHeaded,
        Self::ChildHeaded,
        Self::Disability,
        Self::OlderPerson,
        Self::SingleHeaded,
        Self::SpecificNeeds,
    ];

    fn code(self) -> &'static str {
        match self {
            Self::FemaleHeaded => "female_headed",
            Self::ChildHeaded => "child_headed",
            Self::Disability => "disability",
            Self::OlderPerson => "older_person",
            Self::SingleHeaded => "single_headed",
            Self::SpecificNeeds => "specific_needs",
        }
    }
}

impl QuotaAttribute {
    pub fn bit(self) -> u8 {
        1 << (self as u8)
    }
}

/// At least `min_share` (0 to 1) of the list must have `attribute`.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct Quota {
    pub attribute: QuotaAttribute,
    pub min_share: f64,
}

impl Quota {
    pub fn new(attribute: QuotaAttribute, min_share: f64) -> Result<Quota, DomainError> {
        if (0.0..=1.0).contains(&min_share) {
            Ok(Quota { attribute, min_share })
        } else {
            Err(DomainError::Invalid("a quota is a share between 0% and 100%".into()))
        }
    }

    /// How many of `n` households the quota asks for.
    pub fn needed(&self, n: usize) -> usize {
        // A hair below the product, so that 30% of 10 is 3 and not 4 through rounding error.
        ((self.min_share * n as f64) - 1e-9).ceil().max(0.0) as usize
    }
}

/// How households with equal scores are ordered, in the order a programme lists them.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum TieBreak {
    LargerHousehold,
    MoreChildren,
    MoreSpecificNeeds,
    EarlierRegistration,
    OlderHead,
}

impl Vocabulary for TieBreak {
    const NAME: &'static str = "tie-break";
    const ALL: &'static [Self] = &[
        Self::LargerHousehold,
        Self::MoreChildren,
        Self::MoreSpecificNeeds,
        Self::EarlierRegistration,
        Self::OlderHead,
    ];

    fn code(self) -> &'static str {
        match self {
            Self::LargerHousehold => "larger_household",
            Self::MoreChildren => "more_children",
            Self::MoreSpecificNeeds => "more_specific_needs",
            Self::EarlierRegistration => "earlier_registration",
            Self::OlderHead => "older_head",
        }
    }
}

/// A household a programme may serve, as ranking sees it.
#[derive(Debug, Clone, PartialEq)]
pub struct Candidate {
    pub household_id: i64,
    pub score: f64,
    pub eligible: bool,
    /// Bits of [`QuotaAttribute::bit`].
    pub attributes: u8,
    pub size: u32,
    pub children: u32,
    pub specific_needs: u32,
    /// RFC 3339, so that text order is time order.
    pub registered_at: String,
    pub head_age: u32,
    /// Already assisted by another programme.
    pub assisted_elsewhere: bool,
}

impl Candidate {
    pub fn has(&self, attribute: QuotaAttribute) -> bool {
        self.attributes & attribute.bit() != 0
    }
}

/// A programme's rules for its list.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
pub struct Rules {
    /// How many households the programme can serve.
    pub target: usize,
    pub quotas: Vec<Quota>,
    pub tie_breaks: Vec<TieBreak>,
    /// Leave out households another programme has assisted (otherwise they are listed and
    /// marked, so that a decision is taken knowingly).
    pub exclude_assisted_elsewhere: bool,
}

/// Why a household is on the list.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case", tag = "kind", content = "quota")]
pub enum Reason {
    /// Its rank by score and tie-breaks.
    Score,
    /// It was brought in to meet a quota.
    Quota(QuotaAttribute),
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Selected {
    pub household_id: i64,
    /// 1 for the first.
    pub rank: usize,
    pub score: f64,
    pub reason: Reason,
}

/// A quota that could not be met: too few eligible households have the attribute.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Shortfall {
    pub attribute: QuotaAttribute,
    pub needed: usize,
    pub selected: usize,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Selection {
    pub selected: Vec<Selected>,
    /// Eligible households the programme could have chosen from.
    pub eligible: usize,
    /// Eligible households left out because another programme assisted them.
    pub excluded_as_assisted: usize,
    pub shortfalls: Vec<Shortfall>,
}

/// The ranking order: higher score first, then the tie-breaks, then the lower id.
fn order(a: &Candidate, b: &Candidate, tie_breaks: &[TieBreak]) -> Ordering {
    b.score.total_cmp(&a.score).then_with(|| {
        for tie in tie_breaks {
            let o = match tie {
                TieBreak::LargerHousehold => b.size.cmp(&a.size),
                TieBreak::MoreChildren => b.children.cmp(&a.children),
                TieBreak::MoreSpecificNeeds => b.specific_needs.cmp(&a.specific_needs),
                TieBreak::EarlierRegistration => a.registered_at.cmp(&b.registered_at),
                TieBreak::OlderHead => b.head_age.cmp(&a.head_age),
            };
            if o != Ordering::Equal {
                return o;
            }
        }
        a.household_id.cmp(&b.household_id)
    })
}

/// Ranks `candidates` under `rules`.
pub fn rank(candidates: &[Candidate], rules: &Rules) -> Selection {
    let eligible: Vec<&Candidate> = candidates.iter().filter(|c| c.eligible).collect();
    let mut pool: Vec<&Candidate> = eligible
        .iter()
        .copied()
        .filter(|c| !(rules.exclude_assisted_elsewhere && c.assisted_elsewhere))
        .collect();
    let excluded_as_assisted = eligible.len() - pool.len();
    pool.sort_by(|a, b| order(a, b, &rules.tie_breaks));
    let n = rules.target.min(pool.len());
    // Positions in `pool`, with why each is in.
    let mut chosen: Vec<(usize, Reason)> = (0..n).map(|i| (i, Reason::Score)).collect();
    let mut in_list = vec![false; pool.len()];
    for (i, _) in &chosen {
        in_list[*i] = true;
    }
    let mut shortfalls = Vec::new();
    for (q, quota) in rules.quotas.iter().enumerate() {
        let needed = quota.needed(n);
        let count = |chosen: &[(usize, Reason)], attribute: QuotaAttribute| {
            chosen.iter().filter(|(i, _)| pool[*i].has(attribute)).count()
        };
        while count(&chosen, quota.attribute) < needed {
            let incoming = (0..pool.len()).find(|i| !in_list[*i] && pool[*i].has(quota.attribute));
            // The lowest-ranked household that neither has the attribute nor is needed by an
            // earlier quota.
            let outgoing = chosen
                .iter()
                .enumerate()
                .filter(|(_, (i, _))| !pool[*i].has(quota.attribute))
                .filter(|(_, (i, _))| {
                    rules.quotas[..q].iter().all(|earlier| {
                        !pool[*i].has(earlier.attribute) || count(&chosen, earlier.attribute) > earlier.needed(n)
                    })
                })
                .max_by_key(|(_, (i, _))| *i)
                .map(|(slot, _)| slot);
            match (incoming, outgoing) {
                (Some(incoming), Some(slot)) => {
                    in_list[chosen[slot].0] = false;
                    in_list[incoming] = true;
                    chosen[slot] = (incoming, Reason::Quota(quota.attribute));
                }
                _ => {
                    shortfalls.push(Shortfall {
                        attribute: quota.attribute,
                        needed,
                        selected: count(&chosen, quota.attribute),
                    });
                    break;
                }
            }
        }
    }
    chosen.sort_by_key(|(i, _)| *i);
    let selected = chosen
        .iter()
        .enumerate()
        .map(|(rank, (i, reason))| Selected {
            household_id: pool[*i].household_id,
            rank: rank + 1,
            score: pool[*i].score,
            reason: *reason,
        })
        .collect();
    Selection {
        selected,
        eligible: eligible.len(),
        excluded_as_assisted,
        shortfalls,
    }
}

#[cfg(test)]
mod tests;
