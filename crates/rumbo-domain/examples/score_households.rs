//! Benchmark helper for `bench/scoring`: makes N synthetic households (deterministic), writes
//! them as the two tables an analyst would score from (`people.csv`, `households.csv`), then
//! scores them with a 30-criterion model the way Rumbo does when a model changes: each
//! household's facts from its members (held column by column, `Profiles`), then the model
//! (`Model::score_all`, on every core). Prints JSON.
//!
//! score_households N DIR

use std::fmt::Write as _;
use std::io::{BufWriter, Write};
use std::time::Instant;

use rumbo_domain::Vocabulary;
use rumbo_domain::registration::conditions::{Conditions, QUESTIONS};
use rumbo_domain::registration::documents::DocumentType;
use rumbo_domain::registration::facts::{Fact, MemberProfile, Profile};
use rumbo_domain::registration::needs::{Difficulty, NeedSet, SpecificNeed, WashingtonGroup};
use rumbo_domain::registration::people::{PopulationGroup, Relationship, Sex};
use rumbo_domain::registration::profiles::Profiles;
use rumbo_domain::registration::scoring::{Cap, Criterion, Definition, Model, Op};
use time::{Date, Duration, Month};

/// xorshift64*: enough for synthetic data, and the same on every machine.
struct Rng(u64);

impl Rng {
    fn below(&mut self, n: u64) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        (self.0.wrapping_mul(0x2545_F491_4F6C_DD1D) >> 33) % n
    }
}

const TODAY: Date = match Date::from_calendar_date(2026, Month::June, 30) {
    Ok(d) => d,
    Err(_) => Date::MIN,
};

/// The needs the data uses, in the order of `people.csv`'s bit mask.
const NEEDS: [SpecificNeed; 5] = [
    SpecificNeed::SeriousMedicalCondition,
    SpecificNeed::PregnantLactating,
    SpecificNeed::OlderPersonAtRisk,
    SpecificNeed::ChildAtRisk,
    SpecificNeed::Disability,
];

fn households(n: usize) -> Vec<Profile> {
    let mut rng = Rng(0x9E37_79B9_7F4A_7C15);
    let groups = PopulationGroup::ALL;
    (0..n)
        .map(|_| {
            let size = 1 + rng.below(7) as usize;
            let mut conditions = [None; 10];
            for (q, answer) in conditions.iter_mut().enumerate() {
                *answer = Some(rng.below(QUESTIONS[q].answers.len() as u64) as u8);
            }
            let members = (0..size)
                .map(|i| {
                    let relationship = match i {
                        0 => Relationship::Head,
                        1 if rng.below(3) > 0 => Relationship::Spouse,
                        _ => Relationship::Child,
                    };
                    let age = if relationship == Relationship::Child {
                        rng.below(20)
                    } else {
                        16 + rng.below(70)
                    };
                    let birth_date = TODAY - Duration::days((age * 365 + rng.below(365)) as i64);
                    let sex = if rng.below(2) == 0 { Sex::Female } else { Sex::Male };
                    let mut needs = NeedSet::default();
                    for need in NEEDS {
                        if rng.below(25) == 0 {
                            needs.insert(need);
                        }
                    }
                    let mut washington = [None; 6];
                    if rng.below(4) == 0 {
                        washington[2] = Difficulty::from_score(1 + rng.below(4) as i64);
                    }
                    let documents = match rng.below(6) {
                        0 => vec![],
                        1 => vec![(DocumentType::BirthCertificate, None)],
                        2 => vec![(DocumentType::Pep, Some(TODAY - Duration::days(30)))],
                        _ => vec![(DocumentType::VenezuelanCedula, Some(TODAY + Duration::days(400)))],
                    };
                    MemberProfile {
                        relationship,
                        sex,
                        birth_date,
                        needs,
                        washington: WashingtonGroup(washington),
                        documents,
                    }
                })
                .collect();
            Profile {
                population_group: groups[rng.below(groups.len() as u64) as usize],
                arrival_date: Some(TODAY - Duration::days(rng.below(1500) as i64)),
                conditions: Conditions(conditions),
                members,
            }
        })
        .collect()
}

fn write_tables(profiles: &[Profile], dir: &str) -> std::io::Result<()> {
    let mut people = BufWriter::new(std::fs::File::create(format!("{dir}/people.csv"))?);
    writeln!(
        people,
        "household,relationship,sex,birth_year,birth_month,birth_day,needs,wg_walking,document_type,document_expiry"
    )?;
    let mut homes = BufWriter::new(std::fs::File::create(format!("{dir}/households.csv"))?);
    let questions: Vec<&str> = QUESTIONS.iter().map(|q| q.code).collect();
    writeln!(homes, "household,population_group,arrival_date,{}", questions.join(","))?;
    for (h, p) in profiles.iter().enumerate() {
        let answers: Vec<String> = p
            .conditions
            .0
            .iter()
            .map(|a| a.map_or(String::new(), |a| a.to_string()))
            .collect();
        let arrival = p.arrival_date.map_or(String::new(), |d| d.to_string());
        writeln!(
            homes,
            "{h},{},{arrival},{}",
            p.population_group.code(),
            answers.join(",")
        )?;
        for m in &p.members {
            let mask: u32 = NEEDS
                .iter()
                .enumerate()
                .filter(|(_, n)| m.needs.contains(**n))
                .map(|(i, _)| 1 << i)
                .sum();
            let wg = m.washington.0[2].map_or(String::new(), |d| d.score().to_string());
            let (doc, expiry) = match m.documents.first() {
                None => (String::new(), String::new()),
                Some((t, e)) => (t.code().to_owned(), e.map_or(String::new(), |e| e.to_string())),
            };
            writeln!(
                people,
                "{h},{},{},{},{},{},{mask},{wg},{doc},{expiry}",
                m.relationship.code(),
                m.sex.code(),
                m.birth_date.year(),
                u8::from(m.birth_date.month()),
                m.birth_date.day()
            )?;
        }
    }
    people.flush()?;
    homes.flush()
}

/// 30 criteria in three capped groups and some free-standing, a cap on the whole score.
fn model() -> Model {
    let c = |id: &str, fact: Fact, op: Op, value: &str, points: f64, group: Option<&str>| Criterion {
        id: id.into(),
        label: id.replace('_', " "),
        fact,
        op,
        value: value.into(),
        points,
        group: group.map(Into::into),
    };
    let comp = Some("composition");
    let need = Some("needs");
    let cond = Some("conditions");
    let q = |code: &str| Fact::Condition(QUESTIONS.iter().position(|x| x.code == code).unwrap_or(0) as u8);
    let criteria = vec![
        c("large", Fact::HouseholdSize, Op::Ge, "5", 5.0, comp),
        c("many_children", Fact::Children, Op::Ge, "3", 6.0, comp),
        c("under_five", Fact::UnderFive, Op::Ge, "1", 4.0, comp),
        c("older", Fact::OlderPeople, Op::Ge, "1", 4.0, comp),
        c("dependency_high", Fact::Dependency, Op::Eq, "high", 5.0, comp),
        c("dependency_complete", Fact::Dependency, Op::Eq, "complete", 8.0, comp),
        c("female_headed", Fact::FemaleHeaded, Op::Eq, "yes", 6.0, None),
        c("single_headed", Fact::SingleHeaded, Op::Eq, "yes", 6.0, None),
        c("older_head", Fact::HeadAge, Op::Ge, "60", 3.0, None),
        c(
            "head_elderly_or_disabled",
            Fact::HeadProfile,
            Op::Eq,
            "elderly_or_disabled",
            5.0,
            None,
        ),
        c("disability", Fact::Disability, Op::Eq, "yes", 8.0, None),
        c("disabilities", Fact::MembersWithDisability, Op::Ge, "2", 4.0, None),
        c("undocumented", Fact::MissingDocumentation, Op::Eq, "yes", 7.0, None),
        c(
            "many_undocumented",
            Fact::MembersWithoutDocuments,
            Op::Ge,
            "3",
            3.0,
            None,
        ),
        c("recent", Fact::DaysSinceArrival, Op::Lt, "90", 6.0, None),
        c("very_recent", Fact::DaysSinceArrival, Op::Lt, "30", 4.0, None),
        c("in_transit", Fact::PopulationGroup, Op::Eq, "in_transit", 5.0, None),
        c(
            "medical",
            Fact::Need(SpecificNeed::SeriousMedicalCondition),
            Op::Ge,
            "1",
            6.0,
            need,
        ),
        c(
            "pregnant",
            Fact::Need(SpecificNeed::PregnantLactating),
            Op::Ge,
            "1",
            5.0,
            need,
        ),
        c(
            "older_at_risk",
            Fact::Need(SpecificNeed::OlderPersonAtRisk),
            Op::Ge,
            "1",
            4.0,
            need,
        ),
        c(
            "child_at_risk",
            Fact::Need(SpecificNeed::ChildAtRisk),
            Op::Ge,
            "1",
            6.0,
            need,
        ),
        c("meals", q("meals"), Op::Eq, "one_or_less", 8.0, cond),
        c("shelter", q("shelter"), Op::Eq, "spontaneous_or_squatting", 7.0, cond),
        c("water", q("water"), Op::Eq, "unsafe", 5.0, cond),
        c("sanitation", q("sanitation"), Op::Eq, "none", 4.0, cond),
        c("electricity", q("electricity"), Op::Eq, "no", 2.0, cond),
        c("work", q("work"), Op::Eq, "could_not_work", 5.0, cond),
        c("coping", q("coping"), Op::Eq, "extreme", 7.0, cond),
        c("safety", q("safety"), Op::Eq, "unsafe", 6.0, cond),
        c("isolation", q("isolation"), Op::Eq, "isolated", 3.0, cond),
    ];
    let cap = |group: &str, max_points: f64| Cap {
        group: group.into(),
        max_points,
    };
    let definition = Definition {
        criteria,
        caps: vec![cap("composition", 15.0), cap("needs", 12.0), cap("conditions", 30.0)],
        max_score: Some(90.0),
        threshold: 55.0,
    };
    match Model::new(definition) {
        Ok(m) => m,
        Err(problems) => panic!("the benchmark's model is wrong: {problems:?}"),
    }
}

fn main() -> std::io::Result<()> {
    let args: Vec<String> = std::env::args().collect();
    let (Some(n), Some(dir)) = (args.get(1).and_then(|n| n.parse().ok()), args.get(2)) else {
        eprintln!("usage: score_households N DIR");
        std::process::exit(2);
    };
    let rows = households(n);
    write_tables(&rows, dir)?;
    // Column by column, as the store loads a country's households and as pandas holds the
    // tables it read: neither side's loading is timed.
    let profiles: Profiles = rows.iter().collect();
    drop(rows);
    let model = model();
    let mut best = f64::INFINITY;
    let (mut eligible, mut total, mut matched) = (0usize, 0.0f64, 0u64);
    for _ in 0..7 {
        let started = Instant::now();
        let scores = model.score_all(&profiles, TODAY);
        best = best.min(started.elapsed().as_secs_f64());
        eligible = scores.iter().filter(|s| s.eligible).count();
        total = scores.iter().map(|s| s.value).sum();
        matched = scores.iter().map(|s| u64::from(s.matched.count_ones())).sum();
    }
    let mut json = String::new();
    let _ = write!(
        json,
        "{{\"households\": {n}, \"people\": {}, \"criteria\": {}, \"score_s\": {best}, \"eligible\": {eligible}, \"score_sum\": {total}, \"criteria_matched\": {matched}}}",
        profiles.members(),
        model.definition().criteria.len()
    );
    println!("{json}");
    Ok(())
}
