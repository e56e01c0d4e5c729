use proptest::prelude::*;

use super::*;

fn month(raw: &str) -> Month {
    Month::parse(raw).expect("month")
}

fn iso(code: &str) -> Iso3 {
    Iso3::parse(code).expect("iso3")
}

/// A consistent report: population and age-gender breakdowns both add up to `new`.
fn report<'a>(country: &str, admin1: &'a str, m: &str, sector: &'a str, new: i64, total: i64) -> Reach<'a> {
    Reach {
        country: iso(country),
        admin1,
        month: month(m),
        sector,
        cva: false,
        total_monthly: total,
        new_beneficiaries: new,
        population: [new, 0, 0, 0, 0],
        age_gender: [0, 0, new - new / 2, new / 2, 0, 0],
    }
}

fn find<'a>(outputs: &'a [Output], level: &Level, period: Period, sector: Option<&str>) -> &'a Output {
    outputs
        .iter()
        .find(|o| &o.level == level && o.period == period && o.sector.as_deref() == sector)
        .unwrap_or_else(|| panic!("no output for {level:?} {period:?} {sector:?}"))
}

#[test]
fn maxsector_takes_the_largest_sector_and_sum_adds_them() {
    let reports = [
        report("COL", "CO54", "2024-01", "health", 100, 150),
        report("COL", "CO54", "2024-01", "education", 40, 40),
    ];
    let admin1 = Level::Admin1 {
        country: iso("COL"),
        admin1: "CO54".into(),
    };
    let jan = Period::Month {
        month: month("2024-01"),
    };
    let max = consolidate(&reports, Method::MaxSector, None);
    let inter = find(&max, &admin1, jan, None);
    assert_eq!(inter.people, 100);
    assert_eq!(inter.method, Method::MaxSector);
    assert_eq!(inter.monthly_total, Some(190), "the month's volume, across sectors");
    let sum = consolidate(&reports, Method::Sum, None);
    assert_eq!(find(&sum, &admin1, jan, None).people, 140);
    assert_eq!(find(&sum, &admin1, jan, Some("health")).people, 100);
    assert!(
        sum.iter().all(|o| o.method == Method::Sum),
        "the method is on every output"
    );
}

#[test]
fn a_platform_is_the_sum_of_its_countries() {
    let reports = [
        report("PAN", "PA08", "2024-01", "health", 10, 10),
        report("CRI", "CR01", "2024-01", "health", 7, 7),
        report("COL", "CO54", "2024-01", "health", 100, 100),
    ];
    let outputs = consolidate(&reports, Method::MaxSector, None);
    let platforms = vec![("CAM".to_owned(), vec![iso("PAN"), iso("CRI"), iso("MEX")])];
    let totals = platform_totals(&outputs, &platforms);
    let jan = Period::Month {
        month: month("2024-01"),
    };
    let inter = find(&totals, &Level::Platform { platform: "CAM".into() }, jan, None);
    assert_eq!(inter.people, 17);
    assert_eq!(inter.monthly_total, Some(17));
}

#[test]
fn monthly_totals_are_never_summed_across_months() {
    let reports = [
        report("PER", "PE15", "2024-01", "health", 10, 50),
        report("PER", "PE15", "2024-02", "health", 5, 50),
    ];
    let outputs = consolidate(&reports, Method::MaxSector, Some((month("2024-01"), month("2024-12"))));
    let span = Period::Span {
        from: month("2024-01"),
        to: month("2024-12"),
    };
    let country = find(&outputs, &Level::Country { country: iso("PER") }, span, None);
    assert_eq!(country.people, 15, "new beneficiaries add up across months");
    assert!(
        outputs.iter().all(|o| o.monthly_total.is_none()),
        "no volume over a span"
    );
}

#[test]
fn breakdowns_that_do_not_cover_everyone_keep_the_rest_unspecified() {
    let mut r = report("ECU", "EC04", "2024-03", "wash", 10, 10);
    r.population = [6, 0, 0, 0, 0];
    r.age_gender = [0; 6];
    let outputs = consolidate(&[r], Method::MaxSector, None);
    let out = find(
        &outputs,
        &Level::Region,
        Period::Month {
            month: month("2024-03"),
        },
        Some("wash"),
    );
    assert_eq!(out.by_population, [6, 0, 0, 0, 0, 4]);
    assert_eq!(out.by_age_gender, [0, 0, 0, 0, 0, 0, 10]);
    assert_eq!(out.cells[5][6], 4);
}

/// (country, area, month, sector, monthly total, population types, age-gender groups, cash)
type RawReport = (usize, usize, u8, usize, i64, [i64; 5], [i64; 6], bool);

/// A large set is summed on several threads; the figures are those of the whole.
#[test]
fn large_sets_sum_the_same_on_every_core() {
    let areas = ["A1", "A2", "A3", "A4"];
    let sectors = ["health", "education", "shelter"];
    let reports: Vec<Reach> = (0..120_000)
        .map(|i| Reach {
            country: iso(if i % 2 == 0 { "COL" } else { "PER" }),
            admin1: areas[i % 4],
            month: Month::new(2024, (i % 12) as i64 + 1).expect("month"),
            sector: sectors[i % 3],
            cva: i % 5 == 0,
            total_monthly: (i % 7) as i64 + 3,
            new_beneficiaries: (i % 7) as i64 + 1,
            population: [(i % 7) as i64 + 1, 0, 0, 0, 0],
            age_gender: [(i % 7) as i64 + 1, 0, 0, 0, 0, 0],
        })
        .collect();
    let outputs = consolidate(&reports, Method::Sum, Some((month("2024-01"), month("2024-12"))));
    let region = outputs
        .iter()
        .find(|o| o.level == Level::Region && o.sector.is_none())
        .expect("region");
    assert_eq!(region.people, reports.iter().map(|r| r.new_beneficiaries).sum::<i64>());
    let in_order = consolidate(&reports[..60_000], Method::MaxSector, None);
    let mut reversed = reports[..60_000].to_vec();
    reversed.reverse();
    assert_eq!(consolidate(&reversed, Method::MaxSector, None), in_order);
}

fn arbitrary_report() -> impl Strategy<Value = RawReport> {
    (
        0..2usize,
        0..3usize,
        1..4u8,
        0..3usize,
        0..60i64,
        proptest::array::uniform5(0..30i64),
        proptest::array::uniform6(0..30i64),
        any::<bool>(),
    )
}

const COUNTRIES: [&str; 2] = ["COL", "PER"];
const AREAS: [&str; 3] = ["A1", "A2", "A3"];
const SECTORS: [&str; 3] = ["health", "education", "shelter"];

fn build(raw: &[RawReport]) -> Vec<Reach<'static>> {
    raw.iter()
        .map(|&(c, a, m, s, total, population, age_gender, cva)| Reach {
            country: iso(COUNTRIES[c]),
            admin1: AREAS[a],
            month: Month::new(2024, i64::from(m)).expect("month"),
            sector: SECTORS[s],
            cva,
            total_monthly: total,
            new_beneficiaries: population.iter().sum(),
            population,
            age_gender,
        })
        .collect()
}

proptest! {
    /// A country is the sum of its admin-1 areas and the region the sum of its countries,
    /// for every period, sector and method.
    #[test]
    fn levels_add_up(raw in proptest::collection::vec(arbitrary_report(), 0..40), sum in any::<bool>()) {
        let method = if sum { Method::Sum } else { Method::MaxSector };
        let reports = build(&raw);
        let outputs = consolidate(&reports, method, None);
        for country in outputs.iter().filter(|o| matches!(o.level, Level::Country { .. })) {
            let Level::Country { country: iso3 } = country.level else { unreachable!() };
            let areas: Vec<&Output> = outputs.iter().filter(|o| matches!(&o.level, Level::Admin1 { country, .. } if *country == iso3)
                && o.period == country.period && o.sector == country.sector).collect();
            prop_assert_eq!(country.people, areas.iter().map(|o| o.people).sum::<i64>());
            prop_assert_eq!(country.monthly_total, Some(areas.iter().filter_map(|o| o.monthly_total).sum::<i64>()));
        }
        for region in outputs.iter().filter(|o| o.level == Level::Region) {
            let people: i64 = outputs.iter().filter(|o| matches!(o.level, Level::Country { .. })
                && o.period == region.period && o.sector == region.sector).map(|o| o.people).sum();
            prop_assert_eq!(region.people, people);
        }
    }

    /// Per cell, maxsector lies between the largest sector and the sum of sectors.
    #[test]
    fn maxsector_is_bounded_by_the_largest_sector_and_the_sum(raw in proptest::collection::vec(arbitrary_report(), 1..40)) {
        let reports = build(&raw);
        let max = consolidate(&reports, Method::MaxSector, None);
        let sum = consolidate(&reports, Method::Sum, None);
        for inter in max.iter().filter(|o| o.sector.is_none() && matches!(o.level, Level::Admin1 { .. })) {
            let summed = find(&sum, &inter.level, inter.period, None);
            for sector in max.iter().filter(|o| o.level == inter.level && o.period == inter.period && o.sector.is_some()) {
                for (p, row) in sector.cells.iter().enumerate() {
                    for (g, cell) in row.iter().enumerate() {
                        prop_assert!(inter.cells[p][g] >= *cell);
                        prop_assert!(inter.cells[p][g] <= summed.cells[p][g]);
                    }
                }
            }
            prop_assert_eq!(inter.people, inter.cells.iter().flatten().sum::<i64>());
        }
    }

    /// New beneficiaries over a span are the sum of the months'; the order of reports does not
    /// matter.
    #[test]
    fn spans_add_months_and_order_does_not_matter(raw in proptest::collection::vec(arbitrary_report(), 0..40)) {
        let reports = build(&raw);
        let span = (month("2024-01"), month("2024-12"));
        let whole = consolidate(&reports, Method::Sum, Some(span));
        let monthly = consolidate(&reports, Method::Sum, None);
        let total = |outputs: &[Output]| outputs.iter().filter(|o| o.level == Level::Region && o.sector.is_none()).map(|o| o.people).sum::<i64>();
        prop_assert_eq!(total(&whole), total(&monthly));
        prop_assert_eq!(total(&whole), reports.iter().map(|r| r.new_beneficiaries).sum::<i64>());
        let mut reversed = reports.clone();
        reversed.reverse();
        prop_assert_eq!(consolidate(&reversed, Method::MaxSector, None), consolidate(&reports, Method::MaxSector, None));
    }

    /// With one sector, both methods agree on the intersector cells.
    #[test]
    fn one_sector_needs_no_method(raw in proptest::collection::vec(arbitrary_report(), 0..20)) {
        let mut reports = build(&raw);
        for r in &mut reports { r.sector = "health"; }
        let max = consolidate(&reports, Method::MaxSector, None);
        let sum = consolidate(&reports, Method::Sum, None);
        for (a, b) in max.iter().zip(&sum) {
            prop_assert_eq!(a.cells, b.cells);
        }
    }
}
