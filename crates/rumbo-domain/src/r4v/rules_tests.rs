use super::*;
use crate::r4v::registry::Registry;

fn iso(code: &str) -> Iso3 {
    Iso3::parse(code).expect("iso3")
}

fn pcode(code: &str) -> Pcode {
    Pcode::parse(code).expect("pcode")
}

fn references() -> References {
    let areas = vec![
        (
            1,
            Place {
                pcode: pcode("MX19"),
                country: iso("MEX"),
                parent: None,
                names: vec!["Nuevo León".into()],
            },
        ),
        (
            2,
            Place {
                pcode: pcode("MX19039"),
                country: iso("MEX"),
                parent: Some(pcode("MX19")),
                names: vec!["Monterrey".into()],
            },
        ),
    ];
    let partners = vec![
        Partner {
            id: 1,
            acronym: "UNHCR".into(),
            name: "Office of the United Nations High Commissioner for Refugees".into(),
        },
        Partner {
            id: 2,
            acronym: "HIAS".into(),
            name: "HIAS".into(),
        },
    ];
    References::new(Registry::standard(), &areas, &partners)
}

/// A direct-assistance cash report that breaks no rule.
fn good() -> Activity {
    Activity {
        country: Some(iso("MEX")),
        admin1: Some("NUEVO LEON".into()),
        admin2: Some("Monterrey".into()),
        appealing_org: Some("United Nations High Commissioner for Refugees (UNHCR)".into()),
        implementation: Some(false),
        implementing_partner: None,
        month: Some(Month::parse("2023-01").expect("month")),
        sector: Some("Multipurpose Cash Assistance (MPC)".into()),
        indicator: Some("# of individuals benefitting from multipurpose cash transfers (MPC)".into()),
        activity_name: Some("Asistencia Humanitaria (MPG)".into()),
        activity_description: None,
        rmrp_activity: Some(true),
        cva: Some(true),
        value_usd: Some(3416.0),
        delivery_mechanism: Some("Other electronic cash mechanisms".into()),
        quantity_output: None,
        total_monthly: Some(36),
        new_beneficiaries: Some(36),
        population: [Some(36), Some(0), Some(0), Some(0), Some(0)],
        age_gender: [Some(7), Some(7), Some(9), Some(13), Some(0), Some(0)],
    }
}

fn ids(a: &Activity) -> Vec<u8> {
    check(a, &references()).rules().map(Rule::id).collect()
}

#[test]
fn a_clean_report_breaks_nothing() {
    assert_eq!(ids(&good()), Vec::<u8>::new());
}

/// Each rule, broken on its own by one change to a clean report.
#[test]
fn each_rule_fires_on_what_it_describes() {
    let capacity = |a: &mut Activity| {
        a.sector = Some("Protection (Child Protection)".into());
        a.indicator = Some("CP2".into());
        a.cva = Some(false);
        a.value_usd = None;
        a.delivery_mechanism = None;
    };
    let infrastructure = |a: &mut Activity| {
        a.sector = Some("Shelter".into());
        a.indicator = Some("SHE1".into());
        a.cva = Some(false);
        a.value_usd = None;
        a.delivery_mechanism = None;
    };
    #[allow(clippy::type_complexity)]
    let cases: Vec<(&str, Box<dyn Fn(&mut Activity)>, Vec<u8>)> = vec![
        (
            "no admin1",
            Box::new(|a| {
                a.admin1 = None;
                a.admin2 = None;
            }),
            vec![1, 2],
        ),
        (
            "unknown admin1",
            Box::new(|a| {
                a.admin1 = Some("Atlántida".into());
                a.admin2 = None;
            }),
            vec![2],
        ),
        ("admin1 by P-code", Box::new(|a| a.admin1 = Some("mx19".into())), vec![]),
        (
            "admin2 elsewhere",
            Box::new(|a| a.admin2 = Some("Tijuana".into())),
            vec![3],
        ),
        ("no appealing org", Box::new(|a| a.appealing_org = None), vec![4]),
        (
            "unknown appealing org",
            Box::new(|a| a.appealing_org = Some("Acme Relief".into())),
            vec![4],
        ),
        ("no set-up", Box::new(|a| a.implementation = None), vec![5]),
        (
            "partner set-up without partner",
            Box::new(|a| a.implementation = Some(true)),
            vec![6],
        ),
        (
            "partner set-up with unknown partner",
            Box::new(|a| {
                a.implementation = Some(true);
                a.implementing_partner = Some("Incubadora A.C".into());
            }),
            vec![6],
        ),
        (
            "partner set-up with a partner",
            Box::new(|a| {
                a.implementation = Some(true);
                a.implementing_partner = Some("hias".into());
            }),
            vec![],
        ),
        (
            "direct set-up naming a partner",
            Box::new(|a| a.implementing_partner = Some("HIAS".into())),
            vec![6],
        ),
        ("no month", Box::new(|a| a.month = None), vec![7]),
        ("no activity name", Box::new(|a| a.activity_name = None), vec![8]),
        ("no RMRP answer", Box::new(|a| a.rmrp_activity = None), vec![8]),
        (
            "indicator of another sector",
            Box::new(|a| a.indicator = Some("EDU1".into())),
            vec![9],
        ),
        ("no CVA value", Box::new(|a| a.value_usd = Some(0.0)), vec![10]),
        ("no mechanism", Box::new(|a| a.delivery_mechanism = None), vec![11]),
        (
            "not CVA but a value",
            Box::new(|a| {
                a.sector = Some("Education".into());
                a.indicator = Some("EDU1".into());
                a.cva = Some(false);
                a.delivery_mechanism = None;
            }),
            vec![12],
        ),
        (
            "MPC without cash",
            Box::new(|a| {
                a.cva = Some(false);
                a.value_usd = None;
                a.delivery_mechanism = None;
            }),
            vec![13],
        ),
        (
            "direct assistance reaching nobody",
            Box::new(|a| {
                a.new_beneficiaries = Some(0);
                a.total_monthly = None;
                a.population = [None; 5];
                a.age_gender = [None; 6];
            }),
            vec![14],
        ),
        (
            "more new than total",
            Box::new(|a| a.total_monthly = Some(30)),
            vec![15],
        ),
        (
            "population types do not add up",
            Box::new(|a| a.population = [Some(30), Some(0), Some(0), Some(0), Some(0)]),
            vec![16],
        ),
        (
            "age and gender do not add up",
            Box::new(|a| a.age_gender[3] = Some(14)),
            vec![17],
        ),
        (
            "capacity building without participants",
            Box::new(move |a| {
                capacity(a);
                a.total_monthly = Some(0);
                a.new_beneficiaries = None;
            }),
            vec![18],
        ),
        (
            "capacity building with participants",
            Box::new(move |a| capacity(a)),
            vec![],
        ),
        (
            "infrastructure without output",
            Box::new(move |a| infrastructure(a)),
            vec![19],
        ),
        (
            "infrastructure with output",
            Box::new(move |a| {
                infrastructure(a);
                a.quantity_output = Some(5);
            }),
            vec![],
        ),
    ];
    for (name, change, expected) in cases {
        let mut activity = good();
        change(&mut activity);
        assert_eq!(ids(&activity), expected, "{name}");
    }
}

#[test]
fn the_broken_set_lists_ids() {
    let mut broken = Broken::default();
    broken.insert(Rule::NoOutput);
    broken.insert(Rule::MissingCountry);
    assert_eq!(broken.ids(), "1, 19");
    assert_eq!(broken.len(), 2);
    assert!(Broken::default().is_empty());
}

/// The ids, names and groups match R4V's own list of rules.
#[test]
fn the_rules_are_r4vs_nineteen() {
    let path = concat!(env!("CARGO_MANIFEST_DIR"), "/../../tests/fixtures/r4v-5w/error.csv");
    let text = std::fs::read_to_string(path).expect("error.csv fixture");
    let mut seen = 0;
    for line in text.lines().skip(1) {
        let fields: Vec<&str> = line.splitn(4, ',').collect();
        let [group, id, name, _] = fields[..] else { continue };
        let id: i64 = id.trim().parse().expect("id");
        let rule = Rule::from_id(id).expect("a rule for every id");
        assert_eq!(rule.name(), name.trim(), "rule {id}");
        assert_eq!(
            format!("{:?}", rule.group()),
            group.trim_start_matches('\u{feff}'),
            "rule {id}"
        );
        seen += 1;
    }
    assert_eq!(seen, 19);
}
