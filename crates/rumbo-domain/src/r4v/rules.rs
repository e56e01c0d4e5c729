//! R4V's 19 quality rules for 5W reports (completeness, consistency, accuracy), numbered and
//! named as in R4V's own error list. Each is a plain function of one report and the reference
//! tables: the stored geography (rules 2 and 3), the organisations (4 and 6) and the indicator
//! registry (9 and the rules that depend on the indicator type). A report that breaks a rule
//! is kept and flagged, so that its organisation corrects it; the flags are recomputed after
//! every edit.

use std::collections::HashMap;

use serde::Serialize;

use super::fields::{Month, fold, names_organisation};
use super::registry::{MULTIPURPOSE_CASH, Registry};
use super::vocab::IndicatorType;
use crate::country::Iso3;
use crate::geography::Pcode;

/// One monthly 5W report as the rules see it: every field may be missing, since finding what
/// is missing is half of the rules' work. Counts are whole people.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Activity {
    pub country: Option<Iso3>,
    pub admin1: Option<String>,
    pub admin2: Option<String>,
    pub appealing_org: Option<String>,
    /// The implementation set-up: `true` when an implementing partner carries it out.
    pub implementation: Option<bool>,
    pub implementing_partner: Option<String>,
    pub month: Option<Month>,
    /// The sector or subsector, as written.
    pub sector: Option<String>,
    pub indicator: Option<String>,
    pub activity_name: Option<String>,
    pub activity_description: Option<String>,
    pub rmrp_activity: Option<bool>,
    /// Cash and voucher assistance.
    pub cva: Option<bool>,
    pub value_usd: Option<f64>,
    pub delivery_mechanism: Option<String>,
    pub quantity_output: Option<i64>,
    /// Everyone served this month, counted again each month they return: a volume.
    pub total_monthly: Option<i64>,
    /// People served for the first time this year: the only count that adds up across months.
    pub new_beneficiaries: Option<i64>,
    /// New beneficiaries by population type, in [`PopulationType`](super::PopulationType) order.
    pub population: [Option<i64>; 5],
    /// New beneficiaries by age and gender, in [`AgeGender`](super::AgeGender) order.
    pub age_gender: [Option<i64>; 6],
}

impl Activity {
    pub fn population_sum(&self) -> i64 {
        self.population.iter().flatten().sum()
    }

    pub fn age_gender_sum(&self) -> i64 {
        self.age_gender.iter().flatten().sum()
    }
}

/// One of R4V's 19 rules.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
pub enum Rule {
    MissingCountry = 1,
    CountryAdminCheck = 2,
    Admin1And2Check = 3,
    MissAppealOrg = 4,
    MissSetup = 5,
    MissImplementingOrg = 6,
    MissMonth = 7,
    MissingWhat = 8,
    WrongSectIndicator = 9,
    ZeroCva = 10,
    MissingMechanism = 11,
    CvaNoToYes = 12,
    MultipurposeSector = 13,
    DirectAssistanceNoBenef = 14,
    NewBenefVsTotal = 15,
    PopTypeBreakdown = 16,
    AgdBreakdown = 17,
    CBuildingNoBenef = 18,
    NoOutput = 19,
}

/// Completeness, consistency or accuracy, as R4V groups its rules.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum RuleGroup {
    Completeness,
    Consistency,
    Accuracy,
}

impl Rule {
    pub const ALL: [Rule; 19] = [
        Rule::MissingCountry,
        Rule::CountryAdminCheck,
        Rule::Admin1And2Check,
        Rule::MissAppealOrg,
        Rule::MissSetup,
        Rule::MissImplementingOrg,
        Rule::MissMonth,
        Rule::MissingWhat,
        Rule::WrongSectIndicator,
        Rule::ZeroCva,
        Rule::MissingMechanism,
        Rule::CvaNoToYes,
        Rule::MultipurposeSector,
        Rule::DirectAssistanceNoBenef,
        Rule::NewBenefVsTotal,
        Rule::PopTypeBreakdown,
        Rule::AgdBreakdown,
        Rule::CBuildingNoBenef,
        Rule::NoOutput,
    ];

    /// R4V's number for the rule, 1 to 19.
    pub fn id(self) -> u8 {
        self as u8
    }

    pub fn from_id(id: i64) -> Option<Rule> {
        Rule::ALL.iter().copied().find(|r| i64::from(r.id()) == id)
    }

    /// R4V's name for the rule (its `error_var`).
    pub fn name(self) -> &'static str {
        match self {
            Rule::MissingCountry => "missingcountry",
            Rule::CountryAdminCheck => "countryadmincheck",
            Rule::Admin1And2Check => "admin1and2check",
            Rule::MissAppealOrg => "miss_appeal_org",
            Rule::MissSetup => "miss_setup",
            Rule::MissImplementingOrg => "miss_implementing_org",
            Rule::MissMonth => "miss_month",
            Rule::MissingWhat => "missing_what",
            Rule::WrongSectIndicator => "wrongsectindicator",
            Rule::ZeroCva => "zeroCVA",
            Rule::MissingMechanism => "missingmechanism",
            Rule::CvaNoToYes => "CVANotoYes",
            Rule::MultipurposeSector => "MultipurposeSector",
            Rule::DirectAssistanceNoBenef => "DirectAssistanceNoBenef",
            Rule::NewBenefVsTotal => "NewBenefvstotal",
            Rule::PopTypeBreakdown => "PopTypeBreakdown",
            Rule::AgdBreakdown => "AGDBreakdown",
            Rule::CBuildingNoBenef => "CBuildingNoBenef",
            Rule::NoOutput => "NoOutput",
        }
    }

    pub fn group(self) -> RuleGroup {
        match self.id() {
            1..=8 => RuleGroup::Completeness,
            9..=15 => RuleGroup::Consistency,
            _ => RuleGroup::Accuracy,
        }
    }

    /// The message-catalogue key of the rule's explanation.
    pub fn label_key(self) -> String {
        format!("r4v-rule-{}", self.id())
    }
}

/// The rules a report breaks, as a set of bits (bit `id`): cheap to compute for a million rows
/// and to store as one integer.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Hash, Serialize)]
pub struct Broken(pub u32);

impl Broken {
    pub fn insert(&mut self, rule: Rule) {
        self.0 |= 1 << rule.id();
    }

    pub fn contains(self, rule: Rule) -> bool {
        self.0 & (1 << rule.id()) != 0
    }

    pub fn is_empty(self) -> bool {
        self.0 == 0
    }

    pub fn len(self) -> usize {
        self.0.count_ones() as usize
    }

    pub fn rules(self) -> impl Iterator<Item = Rule> {
        Rule::ALL.into_iter().filter(move |r| self.contains(*r))
    }

    /// "2, 3, 9": the ids, as a report lists them.
    pub fn ids(self) -> String {
        self.rules().map(|r| r.id().to_string()).collect::<Vec<_>>().join(", ")
    }
}

/// An organisation as the partner rules know it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Partner {
    pub id: i64,
    pub acronym: String,
    pub name: String,
}

/// An admin area as the geography rules know it.
#[derive(Debug, Clone, PartialEq)]
pub struct Place {
    pub pcode: Pcode,
    pub country: Iso3,
    /// The level-1 area of a level-2 one.
    pub parent: Option<Pcode>,
    /// Every name it has, in any language.
    pub names: Vec<String>,
}

/// The reference tables of the rules, indexed for lookups by folded text.
#[derive(Debug, Clone, Default)]
pub struct References {
    pub registry: Registry,
    /// Country → folded name or P-code → admin-1 P-code. Nested, so that a lookup borrows its
    /// key instead of building one: the rules run on millions of reports.
    admin1: HashMap<Iso3, HashMap<String, Pcode>>,
    /// Admin-1 P-code → folded name or P-code → admin-2 P-code.
    admin2: HashMap<Pcode, HashMap<String, Pcode>>,
    /// Folded acronym, name or bracketed acronym → organisation id.
    partners: HashMap<String, i64>,
    /// Acronyms and names exactly as stored → organisation id: the lookup without folding.
    partners_exact: HashMap<String, i64>,
    /// Country → admin-1 names and P-codes exactly as stored → P-code.
    admin1_exact: HashMap<Iso3, HashMap<String, Pcode>>,
}

impl References {
    /// `areas` are the admin areas of level 1 and 2 (others are ignored).
    pub fn new(registry: Registry, areas: &[(u8, Place)], partners: &[Partner]) -> References {
        let mut admin1 = HashMap::new();
        let mut admin1_exact: HashMap<Iso3, HashMap<String, Pcode>> = HashMap::new();
        let mut admin2 = HashMap::new();
        for (level, place) in areas {
            let keys = std::iter::once(fold(place.pcode.as_str())).chain(place.names.iter().map(|n| fold(n)));
            match (level, &place.parent) {
                (1, _) => {
                    let exact = admin1_exact.entry(place.country).or_default();
                    for name in place.names.iter().chain(std::iter::once(&place.pcode.to_string())) {
                        exact.entry(name.clone()).or_insert_with(|| place.pcode.clone());
                    }
                    let names: &mut HashMap<String, Pcode> = admin1.entry(place.country).or_default();
                    for key in keys {
                        names.entry(key).or_insert_with(|| place.pcode.clone());
                    }
                }
                (2, Some(parent)) => {
                    let names: &mut HashMap<String, Pcode> = admin2.entry(parent.clone()).or_default();
                    for key in keys {
                        names.entry(key).or_insert_with(|| place.pcode.clone());
                    }
                }
                _ => {}
            }
        }
        let mut by_name = HashMap::new();
        let mut exact = HashMap::new();
        for partner in partners {
            by_name.entry(fold(&partner.acronym)).or_insert(partner.id);
            by_name.entry(fold(&partner.name)).or_insert(partner.id);
            exact.entry(partner.acronym.clone()).or_insert(partner.id);
            exact.entry(partner.name.clone()).or_insert(partner.id);
        }
        References {
            registry,
            admin1,
            admin2,
            partners: by_name,
            partners_exact: exact,
            admin1_exact,
        }
    }

    /// The admin-1 area `text` names (a name in any language, or a P-code) in `country`.
    pub fn admin1(&self, country: Iso3, text: &str) -> Option<&Pcode> {
        if let Some(p) = self.admin1_exact.get(&country).and_then(|m| m.get(text.trim())) {
            return Some(p);
        }
        self.admin1.get(&country)?.get(&fold(text))
    }

    /// The admin-2 area `text` names inside the admin-1 area `parent`.
    pub fn admin2(&self, parent: &Pcode, text: &str) -> Option<&Pcode> {
        self.admin2.get(parent)?.get(&fold(text))
    }

    /// The organisation `text` names: its acronym, its name, or a name ending in its acronym
    /// in brackets.
    pub fn partner(&self, text: &str) -> Option<i64> {
        let text = text.trim();
        let inner = text
            .strip_suffix(')')
            .and_then(|t| t.rsplit_once('('))
            .map(|(_, a)| a.trim());
        // Exact spellings first (the acronym alone, or in brackets), then folded ones.
        if let Some(id) = self.partners_exact.get(text) {
            return Some(*id);
        }
        if let Some(id) = inner.and_then(|a| self.partners_exact.get(a)) {
            return Some(*id);
        }
        if let Some(id) = self.partners.get(&fold(text)) {
            return Some(*id);
        }
        self.partners.get(&fold(inner?)).copied()
    }

    /// Whether `text` names `partner` (see [`names_organisation`]).
    pub fn is_partner(&self, text: &str, partner: &Partner) -> bool {
        names_organisation(text, &partner.acronym, &partner.name)
    }

    /// The type of the indicator a report names within its sector, if both are known.
    pub fn indicator_type(&self, activity: &Activity) -> Option<IndicatorType> {
        let sector = self.registry.sector(activity.sector.as_deref()?)?;
        self.registry
            .indicator_in(&sector.code, activity.indicator.as_deref()?)
            .map(|i| i.kind)
    }
}

fn zero_or_missing(n: Option<i64>) -> bool {
    n.unwrap_or(0) == 0
}

/// What a report's text matched in the reference tables: stored with the report, and used by
/// consolidation (P-codes, sector and indicator codes) and access (organisations).
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Matched {
    pub adm1: Option<Pcode>,
    pub adm2: Option<Pcode>,
    pub appealing_org: Option<i64>,
    pub implementing_partner: Option<i64>,
    pub sector: Option<String>,
    pub indicator: Option<String>,
    pub kind: Option<IndicatorType>,
}

/// Matches a report's text against the reference tables.
pub fn matched(a: &Activity, refs: &References) -> Matched {
    let adm1 = match (a.country, a.admin1.as_deref()) {
        (Some(country), Some(name)) => refs.admin1(country, name).cloned(),
        _ => None,
    };
    let adm2 = match (&adm1, a.admin2.as_deref()) {
        (Some(parent), Some(name)) => refs.admin2(parent, name).cloned(),
        _ => None,
    };
    let sector = a.sector.as_deref().and_then(|s| refs.registry.sector(s));
    let indicator = match (sector, a.indicator.as_deref()) {
        (Some(sector), Some(text)) => refs.registry.indicator_in(&sector.code, text),
        _ => None,
    };
    Matched {
        adm1,
        adm2,
        appealing_org: a.appealing_org.as_deref().and_then(|o| refs.partner(o)),
        implementing_partner: a.implementing_partner.as_deref().and_then(|o| refs.partner(o)),
        sector: sector.map(|s| s.code.clone()),
        indicator: indicator.map(|i| i.code.clone()),
        kind: indicator.map(|i| i.kind),
    }
}

/// The rules `activity` breaks.
pub fn check(activity: &Activity, refs: &References) -> Broken {
    broken_rules(activity, &matched(activity, refs))
}

/// Matches and checks many reports, on every core when there are enough of them to be worth
/// it (an import of a year of a country's 5W). The results are in the order of `activities`.
pub fn evaluate_all(activities: &[&Activity], refs: &References) -> Vec<(Matched, Broken)> {
    const PER_THREAD: usize = 20_000;
    let one = |a: &&Activity| {
        let m = matched(a, refs);
        let broken = broken_rules(a, &m);
        (m, broken)
    };
    crate::parallel::map(activities, PER_THREAD, one)
}

/// The rules a report breaks, given what its text matched.
pub fn broken_rules(a: &Activity, m: &Matched) -> Broken {
    use Rule::*;
    let mut broken = Broken::default();

    // Where.
    if a.country.is_none() || a.admin1.is_none() {
        broken.insert(MissingCountry);
    }
    if m.adm1.is_none() {
        broken.insert(CountryAdminCheck);
    }
    if a.admin2.is_some() && m.adm2.is_none() {
        broken.insert(Admin1And2Check);
    }

    // Who.
    if m.appealing_org.is_none() {
        broken.insert(MissAppealOrg);
    }
    match a.implementation {
        None => broken.insert(MissSetup),
        Some(true) => {
            if m.implementing_partner.is_none() {
                broken.insert(MissImplementingOrg);
            }
        }
        Some(false) => {
            if a.implementing_partner.is_some() {
                broken.insert(MissImplementingOrg);
            }
        }
    }

    // When.
    if a.month.is_none() {
        broken.insert(MissMonth);
    }

    // What.
    if a.sector.is_none()
        || a.indicator.is_none()
        || a.activity_name.is_none()
        || a.rmrp_activity.is_none()
        || a.cva.is_none()
    {
        broken.insert(MissingWhat);
    }
    if m.indicator.is_none() {
        broken.insert(WrongSectIndicator);
    }

    // Cash and voucher assistance.
    let has_value = a.value_usd.is_some_and(|v| v > 0.0);
    match a.cva {
        Some(true) => {
            if !has_value {
                broken.insert(ZeroCva);
            }
            if a.delivery_mechanism.is_none() {
                broken.insert(MissingMechanism);
            }
        }
        Some(false) => {
            if has_value || a.delivery_mechanism.is_some() {
                broken.insert(CvaNoToYes);
            }
            if m.sector.as_deref() == Some(MULTIPURPOSE_CASH) {
                broken.insert(MultipurposeSector);
            }
        }
        None => {}
    }

    // Beneficiaries and outputs, by indicator type.
    let new = a.new_beneficiaries.unwrap_or(0);
    if let (Some(new), Some(total)) = (a.new_beneficiaries, a.total_monthly)
        && new > total
    {
        broken.insert(NewBenefVsTotal);
    }
    match m.kind {
        Some(IndicatorType::DirectAssistance) => {
            if zero_or_missing(a.new_beneficiaries) && zero_or_missing(a.total_monthly) {
                broken.insert(DirectAssistanceNoBenef);
            }
            if new != a.population_sum() {
                broken.insert(PopTypeBreakdown);
            }
            if new != a.age_gender_sum() {
                broken.insert(AgdBreakdown);
            }
        }
        Some(IndicatorType::CapacityBuilding) if zero_or_missing(a.total_monthly) => broken.insert(CBuildingNoBenef),
        Some(IndicatorType::CapacityBuilding) => {}
        Some(_) if zero_or_missing(a.quantity_output) => broken.insert(NoOutput),
        Some(_) => {}
        // An unknown indicator is rule 9's finding; its type-dependent rules cannot apply.
        None => {}
    }
    broken
}

#[cfg(test)]
#[path = "rules_tests.rs"]
mod tests;
