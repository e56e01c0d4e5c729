//! R4V storage on SQLite and PostgreSQL: the registry every database starts with, 5W imports
//! in batches with their rules, corrections with their history, validation, the error report
//! and its rule filter, figures kept as a series, and planning data replaced as documented.

use rumbo_domain::audit::Actor;
use rumbo_domain::country::Iso3;
use rumbo_domain::geography::{AdminArea, AdminLevel, Pcode};
use rumbo_domain::language::Names;
use rumbo_domain::r4v::figures::{PopulationFigure, parse_date};
use rumbo_domain::r4v::rules::{Activity, Rule};
use rumbo_domain::r4v::{DatasetType, FigureType, Month};
use rumbo_store::organisations::OrganisationInput;
use rumbo_store::r4v::{ActivityImport, ActivityQuery, FundingFlow, NeedRow, SubmissionMeta, TargetInput};
use rumbo_store::testing::TestDatabase;
use rumbo_store::{Page, Store};

fn cli() -> Actor {
    Actor::system("cli")
}

fn col() -> Iso3 {
    Iso3::parse("COL").expect("iso3")
}

async fn org(store: &Store, acronym: &str) -> i64 {
    let input = OrganisationInput {
        name: format!("{acronym} organisation"),
        acronym: acronym.into(),
        kind: "national_ngo".into(),
        country: Some("COL".into()),
        is_active: true,
        ..Default::default()
    };
    store
        .create_organisation(&cli(), &input)
        .await
        .expect("organisation")
        .id
}

fn report(org: &str, month: &str, new: i64) -> Activity {
    Activity {
        country: Some(col()),
        admin1: Some("CO54".into()),
        appealing_org: Some(org.into()),
        implementation: Some(false),
        month: Some(Month::parse(month).expect("month")),
        sector: Some("Health".into()),
        indicator: Some("HEA1".into()),
        activity_name: Some("Consultations".into()),
        rmrp_activity: Some(true),
        cva: Some(false),
        total_monthly: Some(new),
        new_beneficiaries: Some(new),
        population: [Some(new), None, None, None, None],
        age_gender: [None, None, Some(new), None, None, None],
        ..Default::default()
    }
}

#[tokio::test]
async fn five_w_reports_import_correct_validate_and_report() {
    let (store, _db) = TestDatabase::store().await.expect("store");
    assert_eq!(store.r4v_registry().await.expect("registry").indicators().len(), 25);
    let ngo = org(&store, "NGO-A").await;
    let refs = store.r4v_references().await.expect("references");
    // 450 rows: more than one batch of the multi-row insert.
    let rows: Vec<ActivityImport> = (0..450)
        .map(|n| ActivityImport {
            place: format!("row {}", n + 2),
            activity: report("NGO-A", if n % 2 == 0 { "2024-01" } else { "2024-02" }, 10 + n),
            organisation_id: ngo,
        })
        .collect();
    let mut meta = SubmissionMeta::new(DatasetType::Activities5w, ngo, "5w.csv", b"bytes");
    meta.rows_read = rows.len();
    let imported = store
        .import_activities(&cli(), &refs, &rows, &meta)
        .await
        .expect("import");
    assert_eq!(imported.imported, 450);
    assert_eq!(
        imported.per_rule,
        vec![(Rule::CountryAdminCheck, 450)],
        "no admin areas stored"
    );

    let rule2 = ActivityQuery {
        rule: Some(Rule::CountryAdminCheck),
        ..Default::default()
    };
    assert_eq!(store.activities(&rule2, Page::default()).await.expect("list").1, 450);
    let rule7 = ActivityQuery {
        rule: Some(Rule::MissMonth),
        ..Default::default()
    };
    assert_eq!(store.activities(&rule7, Page::default()).await.expect("list").1, 0);

    let (first, _) = store
        .activities(&ActivityQuery::default(), Page::new(Some(1), None))
        .await
        .expect("list");
    let id = first[0].id;
    let mut corrected = first[0].activity.clone();
    corrected.admin1 = None;
    corrected.month = None;
    store
        .update_activity(&cli(), &refs, id, &corrected)
        .await
        .expect("update");
    let after = store.activity(id).await.expect("get");
    assert_eq!(after.version, 2);
    assert!(after.broken.contains(Rule::MissMonth) && after.broken.contains(Rule::MissingCountry));
    let history = store.activity_history(id).await.expect("history");
    assert_eq!(history.len(), 1);
    assert_eq!(history[0].fields, "admin1, month");
    assert_eq!(history[0].before["admin1"], "CO54");
    assert!(history[0].after["month"].is_null());

    let report = store.error_report(&ActivityQuery::default()).await.expect("report");
    assert_eq!(report[0].reports, 450);
    assert_eq!(report[0].per_rule[usize::from(Rule::MissMonth.id())], 1);

    let clean = report_clean(&store).await;
    let (validated, left) = store
        .validate_activities(&cli(), col(), "2024-03")
        .await
        .expect("validate");
    assert_eq!((validated, left), (clean, 0));
    assert_eq!(
        store
            .latest_activity_month()
            .await
            .expect("latest")
            .map(|m| m.to_string())
            .as_deref(),
        Some("2024-03")
    );
    store.delete_activity(&cli(), id).await.expect("delete");
    assert!(store.activity(id).await.is_err());
}

/// Adds one report that breaks no rule (its admin area exists) and returns how many clean
/// reports March holds.
async fn report_clean(store: &Store) -> i64 {
    let area = AdminArea {
        pcode: Pcode::parse("CO54").expect("pcode"),
        country: col(),
        level: AdminLevel::ONE,
        parent: None,
        names: Names {
            es: Some("Norte de Santander".into()),
            ..Default::default()
        },
        boundary: None,
    };
    store.import_admin_areas(&cli(), &[area], "test").await.expect("areas");
    let refs = store.r4v_references().await.expect("references");
    let ngo = store
        .organisation_by_acronym("NGO-A")
        .await
        .expect("org")
        .expect("exists")
        .id;
    store
        .create_activity(&cli(), &refs, ngo, &report("NGO-A", "2024-03", 5))
        .await
        .expect("create");
    1
}

#[tokio::test]
async fn figures_are_a_series_and_planning_data_is_replaced_as_documented() {
    let (store, _db) = TestDatabase::store().await.expect("store");
    let ngo = org(&store, "NGO-A").await;
    let figure = PopulationFigure {
        country: col(),
        kind: FigureType::RefugeesMigrants,
        value: 2_800_000,
        source: "Migración Colombia".into(),
        reference_date: parse_date("2024-06-30").expect("date"),
        publication_date: parse_date("2024-08-01").expect("date"),
        method_notes: None,
        method_changed: false,
        official: true,
    };
    let meta = SubmissionMeta::new(DatasetType::PopulationFigures, ngo, "f.csv", b"f");
    let first = store
        .add_population_figures(&cli(), std::slice::from_ref(&figure), &meta)
        .await
        .expect("add");
    assert_eq!((first.added, first.unchanged), (1, 0));
    let mut later = figure.clone();
    later.value = 2_850_000;
    later.publication_date = parse_date("2024-09-01").expect("date");
    let second = store
        .add_population_figures(&cli(), &[figure, later], &meta)
        .await
        .expect("add");
    assert_eq!((second.added, second.unchanged), (1, 1));
    assert_eq!(
        store.population_figures(Some(col()), None).await.expect("list").len(),
        2
    );
    let submissions = store
        .submissions(Some(ngo), Page::default())
        .await
        .expect("submissions");
    assert_eq!(submissions.1, 2);
    assert_eq!(submissions.0[0].sha256.len(), 64);

    let target = |people| TargetInput {
        year: 2024,
        organisation_id: ngo,
        country: "COL".into(),
        sector: "health".into(),
        indicator: Some("HEA1".into()),
        population: [people, 0, 0, 0, 0],
        budget_in_kind_usd: 100.0,
        ..Default::default()
    };
    store
        .import_targets(&cli(), &[target(10), target(20)], "t1")
        .await
        .expect("targets");
    store
        .import_targets(&cli(), &[target(30)], "t2")
        .await
        .expect("targets");
    let targets = store.targets(Some(2024), None).await.expect("list");
    assert_eq!(
        targets.len(),
        1,
        "a partner's plan for a year and country is sent whole"
    );
    assert_eq!(targets[0].input.population[0], 30);

    let flow = |amount| FundingFlow {
        flow_id: "F-1".into(),
        year: 2024,
        amount_usd: amount,
        country: Some(col()),
        sector: Some("health".into()),
        organisation_id: Some(ngo),
        ..Default::default()
    };
    store.import_funding(&cli(), &[flow(5.0)], "fts").await.expect("fts");
    store.import_funding(&cli(), &[flow(7.5)], "fts").await.expect("fts");
    let funding = store.funding(Some(2024), Some(&[col()])).await.expect("list");
    assert_eq!(funding.len(), 1);
    assert_eq!(funding[0].amount_usd, 7.5);

    let need = |people| NeedRow {
        year: 2024,
        country: col(),
        adm1_pcode: "CO54".into(),
        sector: "intersector".into(),
        population_type: "in_destination".into(),
        people_in_need: people,
        method: "imported".into(),
        source: "test".into(),
    };
    store
        .import_needs(&cli(), &[need(100)], "n", None)
        .await
        .expect("needs");
    store
        .import_needs(&cli(), &[need(120)], "n", None)
        .await
        .expect("needs");
    let needs = store.needs(Some(2024), None).await.expect("list");
    assert_eq!(needs.len(), 1);
    assert_eq!(needs[0].people_in_need, 120);
}
