//! Many households' profiles held column by column: one array per field of the households and
//! one per field of their members, members of a household side by side, instead of a `Vec` of
//! members (each with a `Vec` of documents) per household. A country's households are all
//! scored again whenever its model changes; walking a few flat arrays in order is what keeps
//! that fast, where millions of small allocations scattered through memory did not.
//!
//! A [`Profiles`] is filled from row-shaped [`Profile`]s (as the store loads them and the
//! intake builds them) and read back only as [`Facts`], so callers never see the columns.

use time::Date;

use super::conditions::Conditions;
use super::documents::DocumentType;
use super::facts::{FACT_COUNT, Fact, Facts, Profile};
use super::household::{ADULT_AGE, OLDER_AGE};
use super::needs::SpecificNeed;
use super::people::{PopulationGroup, Relationship, Sex};
use crate::vocabulary::Vocabulary;

/// A date's month and day as one number (`month × 32 + day`), so that "has the birthday come
/// yet this year" is one comparison.
fn month_day(date: Date) -> u16 {
    u16::from(u8::from(date.month())) * 32 + u16::from(date.day())
}

/// No expiry: a document in force for ever.
const FOREVER: i32 = i32::MAX;
/// No document of the kind.
const NEVER: i32 = i32::MIN;
/// No arrival date given.
const UNKNOWN: i32 = i32::MIN;

/// Households' profiles, column by column.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Profiles {
    population_group: Vec<PopulationGroup>,
    /// Julian day of arrival, or [`UNKNOWN`].
    arrival: Vec<i32>,
    conditions: Vec<Conditions>,
    /// Household `h`'s members are `first_member[h]..first_member[h + 1]`.
    first_member: Vec<u32>,
    relationship: Vec<Relationship>,
    sex: Vec<Sex>,
    birth_year: Vec<i32>,
    birth_month_day: Vec<u16>,
    needs: Vec<u16>,
    /// A specific need of disability, or the Washington Group answers identify one.
    disabled: Vec<bool>,
    /// Julian day until which the member holds a document establishing identity or legal
    /// stay ([`FOREVER`] without expiry, [`NEVER`] without one): whether they are documented
    /// on a day is one comparison, whatever the number of documents.
    identity_until: Vec<i32>,
    /// The same for a birth certificate, which is enough for a child.
    birth_certificate_until: Vec<i32>,
}

impl Profiles {
    pub fn new() -> Profiles {
        Profiles {
            first_member: vec![0],
            ..Profiles::default()
        }
    }

    /// How many households there are.
    pub fn len(&self) -> usize {
        self.population_group.len()
    }

    pub fn is_empty(&self) -> bool {
        self.population_group.is_empty()
    }

    /// How many members all the households have together.
    pub fn members(&self) -> usize {
        self.relationship.len()
    }

    /// Adds a household at the end.
    pub fn push(&mut self, profile: &Profile) {
        if self.first_member.is_empty() {
            self.first_member.push(0);
        }
        self.population_group.push(profile.population_group);
        self.arrival
            .push(profile.arrival_date.map_or(UNKNOWN, Date::to_julian_day));
        self.conditions.push(profile.conditions);
        for m in &profile.members {
            self.relationship.push(m.relationship);
            self.sex.push(m.sex);
            self.birth_year.push(m.birth_date.year());
            self.birth_month_day.push(month_day(m.birth_date));
            self.needs.push(m.needs.bits());
            self.disabled.push(m.has_disability());
            let until = |of_kind: fn(DocumentType) -> bool| {
                m.documents
                    .iter()
                    .filter(|(kind, _)| of_kind(*kind))
                    .map(|(_, expiry)| expiry.map_or(FOREVER, Date::to_julian_day))
                    .max()
                    .unwrap_or(NEVER)
            };
            self.identity_until.push(until(DocumentType::is_identity_document));
            self.birth_certificate_until
                .push(until(|kind| kind == DocumentType::BirthCertificate));
        }
        self.first_member.push(self.relationship.len() as u32);
    }

    /// The facts of household `h` on `today` (ages and days since arrival depend on it): one
    /// pass over its members, allocating nothing.
    pub fn facts(&self, h: usize, today: Date) -> Facts {
        self.facts_on(h, &Day::of(today))
    }

    /// The facts of every household on `today`, [`BLOCK`] households at a time, each block
    /// turned into `f`'s result, in order, on every core when there are enough households.
    /// Facts are laid out fact by fact within a block, so that a criterion is tested on a whole
    /// block in one loop the compiler turns into vector instructions.
    pub fn map_blocks<R: Send>(&self, today: Date, f: impl Fn(&FactBlock) -> R + Sync) -> Vec<R> {
        let day = Day::of(today);
        let blocks = self.len().div_ceil(BLOCK);
        crate::parallel::map_indices(blocks, 20_000 / BLOCK, |b| {
            let households = b * BLOCK..((b + 1) * BLOCK).min(self.len());
            let mut block = FactBlock {
                len: households.len(),
                columns: [[f64::NAN; BLOCK]; FACT_COUNT],
            };
            for (lane, h) in households.enumerate() {
                self.write_facts(h, &day, |fact, value| block.columns[fact.index()][lane] = value);
            }
            f(&block)
        })
    }

    fn facts_on(&self, h: usize, today: &Day) -> Facts {
        let mut f = [f64::NAN; FACT_COUNT];
        self.write_facts(h, today, |fact, value| f[fact.index()] = value);
        Facts(f)
    }

    /// Household `h`'s facts, each given to `set`; facts that do not apply are not given.
    #[inline(always)]
    fn write_facts(&self, h: usize, today: &Day, mut set: impl FnMut(Fact, f64)) {
        let (mut children, mut older, mut under_five) = (0u32, 0u32, 0u32);
        let (mut disabled, mut with_needs, mut undocumented) = (0u32, 0u32, 0u32);
        let mut per_need = [0u32; 16];
        let mut head: Option<(usize, u32)> = None;
        let mut partnered = false;
        let members = self.first_member[h] as usize..self.first_member[h + 1] as usize;
        let size = members.len();
        for m in members {
            let later = i32::from(today.month_day < self.birth_month_day[m]);
            let age = (today.year - self.birth_year[m] - later).max(0) as u32;
            let child = age < ADULT_AGE;
            children += u32::from(child);
            older += u32::from(age >= OLDER_AGE);
            under_five += u32::from(age < 5);
            disabled += u32::from(self.disabled[m]);
            undocumented += u32::from(!self.documented(m, today.julian, child));
            let mut needs = self.needs[m];
            if needs != 0 {
                with_needs += 1;
                while needs != 0 {
                    per_need[needs.trailing_zeros() as usize] += 1;
                    needs &= needs - 1;
                }
            }
            match self.relationship[m] {
                Relationship::Head if head.is_none() => head = Some((m, age)),
                Relationship::Spouse => partnered = true,
                _ => {}
            }
        }
        let size_f = size as f64;
        let (children, older) = (f64::from(children), f64::from(older));
        let working = size_f - children - older;
        set(Fact::HouseholdSize, size_f);
        set(Fact::Children, children);
        set(Fact::UnderFive, f64::from(under_five));
        set(Fact::OlderPeople, older);
        set(Fact::WorkingAgeAdults, working);
        let ratio = if working > 0.0 {
            (children + older) / working
        } else {
            f64::INFINITY
        };
        set(Fact::DependencyRatio, ratio);
        set(
            Fact::Dependency,
            if working == 0.0 {
                3.0
            } else if ratio <= 0.5 {
                0.0
            } else if ratio <= 1.0 {
                1.0
            } else {
                2.0
            },
        );
        set(Fact::MembersWithDisability, f64::from(disabled));
        set(Fact::Disability, flag(disabled > 0));
        set(Fact::MembersWithSpecificNeeds, f64::from(with_needs));
        set(Fact::MembersWithoutDocuments, f64::from(undocumented));
        set(Fact::MissingDocumentation, flag(undocumented > 0));
        for need in SpecificNeed::ALL {
            set(Fact::Need(*need), f64::from(per_need[*need as usize]));
        }
        let arrival = self.arrival[h];
        if arrival != UNKNOWN {
            set(Fact::DaysSinceArrival, f64::from((today.julian - arrival).max(0)));
        }
        let group = self.population_group[h];
        set(
            Fact::PopulationGroup,
            PopulationGroup::ALL.iter().position(|g| *g == group).unwrap_or(0) as f64,
        );
        for (q, answer) in self.conditions[h].0.iter().enumerate() {
            if let Some(a) = answer {
                set(Fact::Condition(q as u8), f64::from(*a));
            }
        }
        if let Some((head, age)) = head {
            let single = !partnered && size > 1;
            let sex = self.sex[head];
            set(Fact::FemaleHeaded, flag(sex == Sex::Female));
            set(Fact::ChildHeaded, flag(age < ADULT_AGE));
            set(Fact::SingleHeaded, flag(single));
            set(Fact::HeadAge, f64::from(age));
            let profile_index = if age < ADULT_AGE {
                Some(4.0)
            } else if age >= OLDER_AGE || self.disabled[head] {
                Some(3.0)
            } else if single {
                Some(2.0)
            } else {
                match sex {
                    Sex::Female => Some(1.0),
                    Sex::Male => Some(0.0),
                    // The calibrated models know male and female heads only.
                    Sex::Other => None,
                }
            };
            if let Some(p) = profile_index {
                set(Fact::HeadProfile, p);
            }
        }
    }

    /// Holds a document in force on `today` that establishes identity or legal stay (for
    /// children, a birth certificate is enough).
    fn documented(&self, m: usize, today: i32, child: bool) -> bool {
        self.identity_until[m] >= today || (child && self.birth_certificate_until[m] >= today)
    }
}

impl<'a> FromIterator<&'a Profile> for Profiles {
    fn from_iter<I: IntoIterator<Item = &'a Profile>>(iter: I) -> Profiles {
        let mut profiles = Profiles::new();
        for p in iter {
            profiles.push(p);
        }
        profiles
    }
}

/// How many households' facts a [`FactBlock`] holds: their columns (23 KB) stay in the
/// fastest cache while the criteria are tested on them.
pub const BLOCK: usize = 64;

/// The facts of up to [`BLOCK`] consecutive households, fact by fact; a fact that does not
/// apply to a household is NaN, as in [`Facts`].
pub struct FactBlock {
    /// How many households the block holds; the lanes after them hold nothing.
    pub len: usize,
    columns: [[f64; BLOCK]; FACT_COUNT],
}

impl FactBlock {
    /// Fact number `index` (see [`Fact::index`]) of each household of the block.
    pub fn column(&self, index: usize) -> &[f64; BLOCK] {
        &self.columns[index]
    }
}

/// The day facts are computed on, split once: splitting a date is most of an age's cost.
struct Day {
    year: i32,
    month_day: u16,
    julian: i32,
}

impl Day {
    fn of(date: Date) -> Day {
        Day {
            year: date.year(),
            month_day: month_day(date),
            julian: date.to_julian_day(),
        }
    }
}

fn flag(yes: bool) -> f64 {
    if yes { 1.0 } else { 0.0 }
}
