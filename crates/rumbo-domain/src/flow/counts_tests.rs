use time::macros::date;

use super::*;

fn points() -> HashMap<String, PointRule> {
    let mut points = HashMap::new();
    points.insert(
        "COL-CUC-SB-FM".to_owned(),
        PointRule {
            id: 7,
            code: "COL-CUC-SB-FM".into(),
            active_from: Some(date!(2024 - 01 - 01)),
            active_until: None,
        },
    );
    points
}

fn raw() -> RawCount {
    RawCount {
        fmp: "col-cuc-sb-fm".into(),
        date: "2025-03-14".into(),
        start_time: "06:00".into(),
        hours: "12".into(),
        direction: "incoming".into(),
        group_size: "4".into(),
        breakdown: ["1", "1", "0", "0", "0", "0", "0", "0", "2", "0"]
            .map(str::to_owned)
            .to_vec(),
        nationality: "ven".into(),
        transport: "on foot".into(),
        previous: "San Antonio del Táchira".into(),
        next: "COL-CUC-TT".into(),
        final_destination: "PER".into(),
    }
}

fn check(raw: &RawCount) -> Result<CountGroup, Vec<ColumnProblem>> {
    let points = points();
    let brackets = AgeBrackets::default();
    check_count(
        raw,
        &CountContext {
            points: &points,
            brackets: &brackets,
            today: date!(2025 - 06 - 30),
        },
    )
}

fn columns(raw: &RawCount) -> Vec<String> {
    check(raw).expect_err("refused").into_iter().map(|(c, _)| c).collect()
}

#[test]
fn a_good_row_becomes_a_group() {
    let group = check(&raw()).expect("valid");
    assert_eq!(group.fmp_id, 7);
    assert_eq!(group.start_minute, Some(360));
    assert_eq!(group.size, 4);
    let slots = group.breakdown.expect("breakdown");
    assert_eq!(slots[0], 1, "females 0-4");
    assert_eq!(slots[1], 1, "females 5-11");
    assert_eq!(slots[AgeBrackets::MAX + 3], 2, "males 18-59");
    assert_eq!(group.nationality.map(|n| n.to_string()), Some("VEN".into()));
    assert_eq!(group.transport, Some(Transport::OnFoot));
}

#[test]
fn a_breakdown_is_optional_but_must_add_up() {
    let mut r = raw();
    r.breakdown.clear();
    assert_eq!(check(&r).expect("no breakdown").breakdown, None);
    let mut r = raw();
    r.group_size = "5".into();
    let problems = check(&r).expect_err("mismatch");
    assert_eq!(problems[0].0, "group_size");
    assert!(problems[0].1.contains("adds up to 4"), "{problems:?}");
}

#[test]
fn each_bad_value_names_its_column() {
    let mut r = raw();
    r.group_size = "-3".into();
    assert_eq!(columns(&r), ["group_size"]);
    let mut r = raw();
    r.breakdown[2] = "-1".into();
    assert_eq!(columns(&r), ["female_12_17"]);
    let mut r = raw();
    r.fmp = "NOPE".into();
    assert_eq!(columns(&r), ["fmp"]);
    let mut r = raw();
    r.date = "2025-07-01".into();
    let problems = check(&r).expect_err("future");
    assert!(problems[0].1.contains("future"));
    let mut r = raw();
    r.date = "31/12/2023".into();
    let problems = check(&r).expect_err("before active");
    assert_eq!(problems[0].0, "date");
    assert!(problems[0].1.contains("active period"), "{problems:?}");
    let mut r = raw();
    r.hours = "25".into();
    r.direction = "sideways".into();
    r.start_time = "25:00".into();
    r.nationality = "Venezuela".into();
    r.transport = "rocket".into();
    assert_eq!(
        columns(&r),
        ["start_time", "hours", "direction", "nationality", "transport"]
    );
}

#[test]
fn dates_in_both_orders() {
    assert_eq!(parse_date("14/03/2025"), Ok(date!(2025 - 03 - 14)));
    assert_eq!(parse_date("2025-3-4"), Ok(date!(2025 - 03 - 04)));
    assert!(parse_date("2025-02-30").is_err());
    assert!(parse_date("03/14/25").is_err());
    assert!(parse_date("").is_err());
    assert_eq!(format_time(375), "06:15");
}

#[test]
fn rollups_count_observations_once_and_people_by_dimension() {
    let a = check(&raw()).expect("valid");
    let mut b = a.clone();
    b.size = 3;
    b.breakdown = None;
    b.nationality = None;
    let mut c = a.clone();
    c.start_minute = Some(18 * 60);
    let rollup = Rollup::of(&[a.clone(), b, c]);
    let day = rollup.daily.get(&(7, a.date, Direction::Incoming)).expect("day");
    assert_eq!(day.observations, 2);
    assert_eq!(day.hours, 24);
    assert_eq!(day.groups, 3);
    assert_eq!(day.people, 11);
    assert_eq!(day.slots[AgeBrackets::MAX + 3], 4);
    let people = |dimension, value: &str| rollup.people_by((7, a.date, Direction::Incoming), dimension, value);
    assert_eq!(people(Dimension::Nationality, "VEN"), Some(8));
    assert_eq!(people(Dimension::Nationality, ""), Some(3));
    assert_eq!(
        people(Dimension::Corridor, "San Antonio del Táchira|COL-CUC-TT"),
        Some(11)
    );
    assert_eq!(people(Dimension::Nationality, "PER"), None);
}

proptest::proptest! {
    /// The import rolls up a run of groups at once; the answer must be that of adding them one
    /// by one, whatever the runs hold: one observation, several days mixed, corridors or none.
    #[test]
    fn rolling_up_a_run_equals_rolling_up_each_group(
        groups in proptest::collection::vec((0u8..3, 0u8..2, 1u32..40, 0u8..4, proptest::bool::ANY, proptest::bool::ANY), 1..40),
        cuts in proptest::collection::vec(1usize..8, 1..10),
    ) {
        let base = check(&raw()).expect("valid");
        let nationalities = ["VEN", "COL", "PER", "ECU"];
        let groups: Vec<CountGroup> = groups
            .into_iter()
            .map(|(day, direction, size, nationality, previous, next)| {
                let mut g = base.clone();
                g.date = base.date + time::Duration::days(i64::from(day));
                g.direction = if direction == 0 { Direction::Incoming } else { Direction::Outgoing };
                g.size = size;
                g.breakdown = None;
                g.nationality = Iso3::parse(nationalities[usize::from(nationality)]).ok();
                g.previous = previous.then(|| "Cúcuta".to_owned());
                g.next = next.then(|| "COL-CUC-TT".to_owned());
                g
            })
            .collect();
        let mut runs = Vec::new();
        let mut start = 0;
        for cut in cuts.iter().cycle() {
            if start >= groups.len() {
                break;
            }
            let end = (start + cut).min(groups.len());
            runs.push(start..end);
            start = end;
        }
        let mut one_by_one = Rollup::default();
        let mut by_runs = Rollup::default();
        for (n, run) in runs.into_iter().enumerate() {
            let new_observation = n % 2 == 0;
            for i in run.clone() {
                one_by_one.add(&groups[i], new_observation && i == run.start);
            }
            let run: Vec<&CountGroup> = groups[run].iter().collect();
            by_runs.add_observation(&run, new_observation);
        }
        proptest::prop_assert_eq!(one_by_one, by_runs);
    }
}
