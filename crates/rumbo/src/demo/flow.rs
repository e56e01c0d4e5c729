//! The demo's flow monitoring: a profile for each of its flow monitoring points, a year of
//! counts at them (more people at weekends, a slow yearly swell, and a three-week surge at the
//! Colombian border points), a few thousand flow monitoring survey interviews, and which demo
//! enumerator is assigned where. Generated from the seed and the last day to cover, without any
//! IO; `load` writes it through the store.

use rumbo_domain::Vocabulary;
use rumbo_domain::audit::Actor;
use rumbo_domain::country::Iso3;
use rumbo_domain::flow::counts::{CountGroup, SLOTS};
use rumbo_domain::flow::profile::ProfileInput;
use rumbo_domain::flow::{AgeBrackets, Direction, Sex, Transport};
use rumbo_domain::fms::{Document, Education, Incident, Interview, Need, Reason, Return};
use time::{Date, Duration, Weekday};

use anyhow::Context;
use rumbo_store::Store;
use rumbo_store::fms::NewInterview;

use super::DemoLocation;
use super::rng::Rng;

/// Days of counts the demo covers, ending the day before it is built.
pub const DAYS: i64 = 365;
/// Interviews the demo records.
pub const INTERVIEWS: usize = 3000;

/// Which demo enumerator records where (usernames from `people::LOGINS`).
pub const ASSIGNMENTS: [(&str, &[&str]); 9] = [
    ("enum.cucuta", &["COL-CUC-SB-FM", "COL-CUC-FPS-FM", "COL-CUC-TT"]),
    ("enum.maicao", &["COL-MAI-PAR-FM"]),
    ("enum.ipiales", &["COL-IPI-RUM-FM"]),
    ("enum.tulcan", &["ECU-TUL-RUM-FM"]),
    ("enum.tumbes", &["PER-TUM-CEBAF-FM"]),
    ("enum.pacaraima", &["BRA-PAC-FM", "BRA-BVB-ROD"]),
    ("enum.arica", &["CHL-ARI-CHA-FM"]),
    ("enum.darien", &["PAN-DAR-LB-FM", "PAN-DAR-SV-FM"]),
    ("im.col", &[]),
];

/// A demo point: its code, country, and the places its groups come from and go to.
#[derive(Debug, Clone, PartialEq)]
pub struct DemoPoint {
    pub code: String,
    pub country: String,
    pub profile: ProfileInput,
    /// People seen on an ordinary weekday, in each direction.
    pub daily: u32,
    pub terminal: bool,
}

/// What the demo's flow monitoring holds. Counts and interviews name points by code; the
/// loader turns codes into ids.
#[derive(Debug, Clone, PartialEq)]
pub struct DemoFlow {
    pub points: Vec<DemoPoint>,
    /// (point code, group) with `fmp_id` 0, set by the loader.
    pub groups: Vec<(String, CountGroup)>,
    pub interviews: Vec<(String, Date, Interview)>,
}

/// Where groups leaving a country's points are heading next, and finally.
fn onward(country: &str) -> (&'static [&'static str], &'static [&'static str]) {
    match country {
        "COL" => (
            &["COL-CUC-TT", "COL-BOG-TT", "COL-IPI-RUM-FM"],
            &["COL", "ECU", "PER", "CHL"],
        ),
        "ECU" => (&["ECU-UIO-QTB", "ECU-HUA-FM"], &["ECU", "PER", "CHL"]),
        "PER" => (&["PER-LIM-TT", "PER-DES-FM"], &["PER", "CHL", "BOL"]),
        "BRA" => (&["BRA-BVB-ROD"], &["BRA"]),
        "CHL" => (&["CHL-ARI-CHA-FM"], &["CHL"]),
        "BOL" => (&["BOL-DES-FM"], &["BOL", "CHL"]),
        "PAN" => (&["CRI-PCA-FM"], &["MEX", "USA"]),
        _ => (&["CRI-PCA-FM"], &["MEX", "USA"]),
    }
}

fn chance(rng: &mut Rng, percent: usize) -> bool {
    rng.below(100) < percent
}

/// Builds the demo's flow monitoring for `seed`, with counts up to `end` (inclusive).
pub fn generate(seed: u64, locations: &[DemoLocation], end: Date) -> DemoFlow {
    let mut rng = Rng::new(seed ^ 0x00F1_0A5E);
    let start = end - Duration::days(DAYS - 1);
    let points: Vec<DemoPoint> = locations
        .iter()
        .filter(|l| l.input.kind == "flow_monitoring_point")
        .map(|l| {
            let code = l.input.code.clone();
            let terminal =
                code.ends_with("-TT") || code.contains("-QTB") || code.contains("-ROD") || code.contains("-MUE");
            DemoPoint {
                profile: ProfileInput {
                    point_type: if terminal {
                        "bus_terminal"
                    } else {
                        "official_border_crossing"
                    }
                    .into(),
                    movement_types: if terminal {
                        "transit,outgoing"
                    } else {
                        "incoming,outgoing"
                    }
                    .into(),
                    days: "mon,tue,wed,thu,fri,sat,sun".into(),
                    hours_from: "06:00".into(),
                    hours_to: "18:00".into(),
                    services: [
                        "water,health,information",
                        "water,food,shelter",
                        "information,legal_assistance",
                    ][rng.below(3)]
                    .into(),
                    institutions: "migration_authority,un_agency,ngo".into(),
                    key_informants: "Migration officer; Red Cross volunteer; bus company staff".into(),
                    active_from: (start - Duration::days(30)).to_string(),
                    ..Default::default()
                },
                daily: 40 + 20 * rng.below(8) as u32,
                country: l.input.country.clone(),
                code,
                terminal,
            }
        })
        .collect();
    let codes: Vec<&str> = locations.iter().map(|l| l.input.code.as_str()).collect();
    let brackets = AgeBrackets::default();
    let mut groups = Vec::new();
    for point in &points {
        let (next, finals) = onward(&point.country);
        let crossing = point.code.strip_suffix("-FM").filter(|c| codes.contains(c));
        let directions: &[Direction] = if point.terminal {
            &[Direction::Transit, Direction::Outgoing]
        } else {
            &[Direction::Incoming, Direction::Outgoing]
        };
        for day in 0..DAYS {
            let date = start + Duration::days(day);
            let weekend = matches!(date.weekday(), Weekday::Saturday | Weekday::Sunday);
            let swell = 100 + day as u32 * 30 / DAYS as u32;
            let surge = point.country == "COL" && (200..221).contains(&day);
            for (d, direction) in directions.iter().enumerate() {
                let share = if d == 0 { 100 } else { 60 };
                let mut target = point.daily * share / 100 * swell / 100;
                if weekend {
                    target = target * 13 / 10;
                }
                if surge && *direction == Direction::Incoming {
                    target *= 3;
                }
                // Groups of 1 to 6 people; the count is sampled, not every passer-by.
                let mut seen = 0;
                let sample = target / 6;
                while seen < sample.max(3) {
                    let size = 1 + rng.below(6) as u32;
                    seen += size;
                    groups.push((
                        point.code.clone(),
                        group(
                            &mut rng,
                            &brackets,
                            date,
                            *direction,
                            size,
                            crossing,
                            next,
                            finals,
                            point.terminal,
                        ),
                    ));
                }
            }
        }
    }
    let interviews = (0..INTERVIEWS)
        .map(|n| {
            let point = &points[rng.below(points.len())];
            let date = start + Duration::days(rng.below(DAYS as usize) as i64);
            (point.code.clone(), date, interview(&mut rng, n, date, &point.country))
        })
        .collect();
    DemoFlow {
        points,
        groups,
        interviews,
    }
}

/// What the demo's flow monitoring wrote.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct FlowLoaded {
    pub groups: usize,
    pub people: i64,
    pub interviews: usize,
    pub cases: usize,
}

/// Writes the profiles, counts and interviews through the store, in bulk (one transaction for
/// the counts, one for the interviews). Assignments come after the accounts: see [`assign`].
pub async fn load(store: &Store, flow: DemoFlow, source: &str) -> anyhow::Result<FlowLoaded> {
    let actor = Actor::system("cli");
    let mut ids = std::collections::HashMap::new();
    for point in &flow.points {
        let location = store.location_by_code(&point.code).await?;
        store
            .record_profile(&actor, location.id, &point.profile)
            .await
            .with_context(|| format!("the profile of {}", point.code))?;
        ids.insert(point.code.clone(), location.id);
    }
    let id = |code: &str| ids.get(code).copied().with_context(|| format!("no demo point {code}"));
    let mut groups = Vec::with_capacity(flow.groups.len());
    for (code, mut group) in flow.groups {
        group.fmp_id = id(&code)?;
        groups.push(group);
    }
    let report = store
        .record_count_groups(&actor, groups, source)
        .await
        .context("recording the demo's counts")?;
    let mut interviews = Vec::with_capacity(flow.interviews.len());
    for (code, date, answers) in flow.interviews {
        interviews.push(NewInterview {
            location_id: id(&code)?,
            date,
            answers,
        });
    }
    let saved = store
        .record_interviews(&actor, &interviews, source)
        .await
        .context("recording the demo's interviews")?;
    Ok(FlowLoaded {
        groups: report.imported,
        people: report.people,
        interviews: saved.len(),
        cases: saved.iter().filter(|s| s.case_id.is_some()).count(),
    })
}

/// Assigns the demo enumerators to their points.
pub async fn assign(store: &Store) -> anyhow::Result<()> {
    let actor = Actor::system("cli");
    for (username, codes) in ASSIGNMENTS {
        let Some(user) = store.user_id_by_username(username).await? else {
            continue;
        };
        for code in codes {
            let location = store.location_by_code(code).await?;
            store.set_assignment(&actor, user, location.id, true).await?;
        }
    }
    Ok(())
}

#[allow(clippy::too_many_arguments)] // one group's every attribute, drawn in one place
fn group(
    rng: &mut Rng,
    brackets: &AgeBrackets,
    date: Date,
    direction: Direction,
    size: u32,
    crossing: Option<&str>,
    next: &[&str],
    finals: &[&str],
    terminal: bool,
) -> CountGroup {
    let breakdown = chance(rng, 85).then(|| {
        let mut slots = [0u32; SLOTS];
        for person in 0..size {
            // The first person of a group is an adult; families bring children.
            let bracket = if person == 0 {
                3
            } else {
                [0, 1, 2, 3, 3, 3, 4][rng.below(7)]
            };
            let sex = if chance(rng, 52) { Sex::Female } else { Sex::Male };
            slots[sex as usize * AgeBrackets::MAX + bracket.min(brackets.len() - 1)] += 1;
        }
        slots
    });
    let nationality = match rng.below(100) {
        0..=84 => "VEN",
        85..=91 => "COL",
        92..=95 => "HTI",
        96..=97 => "CUB",
        _ => "ECU",
    };
    let transport = if terminal {
        Transport::Bus
    } else {
        [
            Transport::OnFoot,
            Transport::OnFoot,
            Transport::Bus,
            Transport::Car,
            Transport::Motorcycle,
        ][rng.below(5)]
    };
    let previous = match (direction, crossing) {
        (Direction::Incoming, Some(crossing)) => Some(crossing.to_owned()),
        _ => Some(["San Antonio del Táchira", "Maracaibo", "Caracas", "Valencia"][rng.below(4)].to_owned()),
    };
    CountGroup {
        fmp_id: 0,
        date,
        start_minute: Some(6 * 60),
        hours: 12,
        direction,
        size,
        breakdown,
        nationality: Iso3::parse(nationality).ok(),
        transport: Some(transport),
        previous,
        next: rng.pick(next).map(|s| (*s).to_owned()),
        final_destination: rng.pick(finals).map(|s| (*s).to_owned()),
    }
}

fn interview(rng: &mut Rng, n: usize, date: Date, country: &str) -> Interview {
    let child = chance(rng, 8);
    let age = if child { 10 + rng.below(8) } else { 18 + rng.below(50) } as u8;
    let sex = if chance(rng, 50) { Sex::Female } else { Sex::Male };
    let mut i = Interview {
        consent: true,
        sex: Some(sex),
        age: Some(age),
        nationality: Iso3::parse(if chance(rng, 90) { "VEN" } else { "COL" }).ok(),
        education: Education::ALL.get(rng.below(Education::ALL.len())).copied(),
        documents: vec![
            [
                Document::IdCard,
                Document::Passport,
                Document::BirthCertificate,
                Document::NoDocument,
            ][rng.below(4)],
        ],
        residence_country: Iso3::parse("VEN").ok(),
        departure_date: Some(date - Duration::days(3 + rng.below(40) as i64)),
        transit_countries: if country == "COL" {
            vec![]
        } else {
            Iso3::parse("COL").into_iter().collect()
        },
        means: vec![Transport::Bus, Transport::OnFoot],
        cost_usd: Some(50 + 10 * rng.below(40) as u32),
        paid_guide_or_smuggler: chance(rng, 12),
        made_to_wait_by_guide: chance(rng, 5),
        reasons: vec![
            [
                Reason::Economic,
                Reason::LackOfFood,
                Reason::LackOfHealthCare,
                Reason::Violence,
                Reason::FamilyReunification,
            ][rng.below(5)],
        ],
        destination_country: Iso3::parse(["COL", "ECU", "PER", "CHL"][rng.below(4)]).ok(),
        intends_to_return: Some([Return::Yes, Return::No, Return::DontKnow][rng.below(3)]),
        needs: vec![
            [
                Need::Food,
                Need::Health,
                Need::Shelter,
                Need::Documentation,
                Need::Employment,
            ][rng.below(5)],
            Need::Water,
        ],
        incidents: if chance(rng, 10) {
            vec![
                [
                    Incident::Robbery,
                    Incident::Extortion,
                    Incident::Threats,
                    Incident::PhysicalViolence,
                ][rng.below(4)],
            ]
        } else {
            vec![]
        },
        feels_unsafe: chance(rng, 10),
        ..Default::default()
    };
    i.unaccompanied_child = child && chance(rng, 15);
    i.separated_child = child && !i.unaccompanied_child && chance(rng, 15);
    i.pregnant = sex == Sex::Female && !child && chance(rng, 4);
    i.serious_medical_condition = chance(rng, 2);
    if chance(rng, 2) {
        i.incidents.push(Incident::SexualViolence);
    }
    i.worked_without_pay = chance(rng, 2);
    i.paid_less_than_agreed = chance(rng, 3);
    i.forced_begging = chance(rng, 1);
    i.held_against_will = chance(rng, 1);
    if chance(rng, 60) {
        i.consent_follow_up = true;
        // Clearly not a phone number: the demo describes nobody.
        i.contact = Some(format!("demo-contact-{n:04}"));
    }
    i
}

#[cfg(test)]
mod tests {
    use std::collections::BTreeMap;

    use rumbo_domain::flow::counts::Rollup;
    use rumbo_domain::fms::rules::RuleSet;
    use time::macros::date;

    use super::*;

    fn demo() -> DemoFlow {
        generate(
            2018,
            &super::super::locations::locations().expect("locations"),
            date!(2026 - 11 - 27),
        )
    }

    #[test]
    fn same_seed_same_flow_and_every_group_adds_up() {
        let a = demo();
        assert_eq!(a, demo());
        assert!(
            a.groups.len() > 50_000 && a.groups.len() < 250_000,
            "{}",
            a.groups.len()
        );
        for (_, g) in &a.groups {
            if let Some(slots) = g.breakdown {
                assert_eq!(slots.iter().sum::<u32>(), g.size);
            }
            assert!(g.date <= date!(2026 - 11 - 27));
        }
        for (_, date, i) in &a.interviews {
            assert_eq!(i.check(*date, date!(2026 - 11 - 27)), Ok(()));
        }
    }

    #[test]
    fn weekends_are_busier_and_the_surge_shows() {
        let flow = demo();
        let mut by_weekday: BTreeMap<u8, i64> = BTreeMap::new();
        let colombia: Vec<CountGroup> = flow
            .groups
            .iter()
            .filter(|(code, _)| code.starts_with("COL-CUC-SB"))
            .map(|(_, g)| g.clone())
            .collect();
        for g in &colombia {
            *by_weekday
                .entry(g.date.weekday().number_days_from_monday())
                .or_default() += i64::from(g.size);
        }
        assert!(by_weekday[&6] > by_weekday[&2], "{by_weekday:?}");
        let rollup = Rollup::of(&colombia);
        let start = date!(2026 - 11 - 27) - Duration::days(DAYS - 1);
        let day = |n: i64| {
            rollup
                .daily
                .get(&(0, start + Duration::days(n), Direction::Incoming))
                .map_or(0, |t| t.people)
        };
        assert!(day(210) > 2 * day(150), "surge {} vs {}", day(210), day(150));
    }

    #[test]
    fn some_interviews_are_flagged_but_not_most() {
        let rules = RuleSet::default_rules();
        let flow = demo();
        let flagged = flow
            .interviews
            .iter()
            .filter(|(_, _, i)| rules.assess(i).flagged())
            .count();
        assert!(flagged > 50 && flagged < INTERVIEWS / 4, "{flagged}");
    }
}
