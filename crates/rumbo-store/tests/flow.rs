//! Flow monitoring in the store, on SQLite and on PostgreSQL: points and their profile rounds,
//! count imports (all or nothing, or the valid rows), rollups kept in step, observations never
//! counted twice, official figures, interviews flagged into the protection queue.

use rumbo_domain::audit::{Actor, AuditAction, Entity};
use rumbo_domain::flow::Direction;
use rumbo_domain::flow::counts::RawCount;
use rumbo_domain::flow::official::{Movement, OfficialFigure};
use rumbo_domain::flow::profile::ProfileInput;
use rumbo_domain::flow::series::{Interval, series};
use rumbo_domain::fms::rules::RiskFlag;
use rumbo_domain::fms::{CaseStatus, Interview};
use rumbo_store::audit::AuditQuery;
use rumbo_store::flow::counts::ImportMode;
use rumbo_store::flow::dashboards::FlowFilter;
use rumbo_store::fms::protection::CaseQuery;
use rumbo_store::fms::{InterviewFilter, NewInterview};
use rumbo_store::locations::LocationInput;
use rumbo_store::testing::TestDatabase;
use rumbo_store::{Page, Store};

fn cli() -> Actor {
    Actor::system("cli")
}

async fn point(store: &Store, code: &str) -> i64 {
    let location = store
        .create_location(
            &cli(),
            &LocationInput {
                code: code.into(),
                name: format!("Point {code}"),
                kind: "flow_monitoring_point".into(),
                country: "COL".into(),
                lat: 7.8,
                lon: -72.4,
                is_active: true,
                ..Default::default()
            },
        )
        .await
        .expect("location");
    store
        .record_profile(
            &cli(),
            location.id,
            &ProfileInput {
                point_type: "official_border_crossing".into(),
                movement_types: "incoming,outgoing".into(),
                active_from: "2024-01-01".into(),
                ..Default::default()
            },
        )
        .await
        .expect("profile");
    location.id
}

fn row(date: &str, direction: &str, size: &str) -> RawCount {
    RawCount {
        fmp: "COL-FM-1".into(),
        date: date.into(),
        start_time: "06:00".into(),
        hours: "12".into(),
        direction: direction.into(),
        group_size: size.into(),
        nationality: "VEN".into(),
        transport: "on_foot".into(),
        previous: "San Antonio".into(),
        next: "Cúcuta".into(),
        ..Default::default()
    }
}

fn numbered(rows: Vec<RawCount>) -> Vec<(usize, Result<RawCount, String>)> {
    rows.into_iter().enumerate().map(|(i, r)| (i + 2, Ok(r))).collect()
}

#[tokio::test]
async fn profiles_keep_their_rounds() {
    let (store, _db) = TestDatabase::store().await.expect("store");
    let id = point(&store, "COL-FM-1").await;
    let mut input = store
        .flow_point(id)
        .await
        .expect("point")
        .profile
        .expect("round 1")
        .profile
        .input();
    input.services = "water,health".into();
    let round = store.record_profile(&cli(), id, &input).await.expect("round 2");
    assert_eq!(round.round, 2);
    let rounds = store.profile_rounds(id).await.expect("rounds");
    assert_eq!(rounds.len(), 2);
    assert!(rounds[0].profile.services.is_empty(), "round 1 is kept as it was");
    let bad = ProfileInput {
        point_type: "harbour".into(),
        ..input.clone()
    };
    assert!(store.record_profile(&cli(), id, &bad).await.is_err());

    // A file of profiles: all rows or none, each row a new round.
    let rows = vec![
        ("row 2".to_owned(), "COL-FM-1".to_owned(), input.clone()),
        ("row 3".to_owned(), "NOPE".to_owned(), input.clone()),
        ("row 4".to_owned(), "COL-FM-1".to_owned(), bad),
    ];
    let err = store
        .import_profiles(&cli(), &rows, "profiles.csv")
        .await
        .expect_err("refused");
    let text = format!("{err:?}");
    assert!(
        text.contains("row 3, column code") && text.contains("row 4, column point_type"),
        "{text}"
    );
    assert_eq!(
        store.profile_rounds(id).await.expect("rounds").len(),
        2,
        "nothing imported"
    );
    assert_eq!(
        store
            .import_profiles(&cli(), &rows[..1], "profiles.csv")
            .await
            .expect("imported"),
        1
    );
    assert_eq!(store.profile_rounds(id).await.expect("rounds").len(), 3);
}

#[tokio::test]
async fn count_imports_are_whole_or_valid_rows_and_rollups_follow() {
    let (store, _db) = TestDatabase::store().await.expect("store");
    let id = point(&store, "COL-FM-1").await;
    let rows = vec![
        row("2025-03-03", "incoming", "4"),
        row("2025-03-03", "incoming", "3"),
        row("2025-03-03", "outgoing", "2"),
        row("2025-03-04", "incoming", "-1"),
        RawCount {
            fmp: "NOPE".into(),
            ..row("2025-03-04", "incoming", "1")
        },
    ];
    let refused = store
        .import_counts(
            &cli(),
            numbered(rows.clone()),
            ImportMode::AllOrNothing,
            "test.csv",
            &|_| true,
        )
        .await
        .expect("report");
    assert!(!refused.committed);
    assert_eq!(refused.valid, 3);
    assert_eq!(
        refused
            .rejected
            .iter()
            .map(|r| (r.row, r.column.as_str()))
            .collect::<Vec<_>>(),
        [(5, "group_size"), (6, "fmp")]
    );
    assert!(
        store.flow_days(&FlowFilter::default()).await.expect("days").is_empty(),
        "nothing stored"
    );

    let kept = store
        .import_counts(
            &cli(),
            numbered(rows.clone()),
            ImportMode::ValidRows,
            "test.csv",
            &|_| true,
        )
        .await
        .expect("report");
    assert!(kept.committed);
    assert_eq!((kept.imported, kept.observations, kept.people), (3, 2, 9));
    let days = store.flow_days(&FlowFilter::default()).await.expect("days");
    let week = series(&days, Interval::Week);
    assert_eq!((week[0].incoming, week[0].outgoing, week[0].net), (7, 2, 5));

    // The same file again: its observations are already recorded, nothing is counted twice.
    let again = store
        .import_counts(
            &cli(),
            numbered(rows[..3].to_vec()),
            ImportMode::ValidRows,
            "test.csv",
            &|_| true,
        )
        .await
        .expect("report");
    assert_eq!(again.imported, 0);
    assert_eq!(again.rejected.len(), 3);
    assert!(again.rejected[0].reason.contains("already recorded"));

    let nationality = store
        .flow_breakdown(
            &FlowFilter::default(),
            rumbo_domain::flow::counts::Dimension::Nationality,
            10,
        )
        .await
        .expect("breakdown");
    assert_eq!((nationality[0].value.as_str(), nationality[0].total), ("VEN", 9));

    let observations = store.recent_observations(id, 10).await.expect("observations");
    let incoming = observations
        .iter()
        .find(|o| o.direction == "incoming")
        .expect("incoming");
    assert_eq!((incoming.groups, incoming.people), (2, 7));
    store.delete_observation(&cli(), incoming.id).await.expect("deleted");
    let days = store.flow_days(&FlowFilter::default()).await.expect("days");
    let incoming_people: i64 = days
        .iter()
        .filter(|d| d.direction == Direction::Incoming)
        .map(|d| d.people)
        .sum();
    assert_eq!(incoming_people, 0, "the rollups lose what was deleted");
    let nationality: i64 = store
        .flow_breakdown(
            &FlowFilter::default(),
            rumbo_domain::flow::counts::Dimension::Nationality,
            10,
        )
        .await
        .expect("breakdown")
        .iter()
        .map(|row| row.incoming)
        .sum();
    assert_eq!(nationality, 0, "the breakdowns lose what was deleted");
    let (audit, _) = store
        .audit_entries(
            &AuditQuery {
                entity: Some(Entity::FlowCount),
                ..Default::default()
            },
            Page::default(),
        )
        .await
        .expect("audit");
    assert_eq!(audit.len(), 2, "one import and one deletion: {audit:?}");
}

/// Groups are stored in compact form, one value per observation and chunk of the import: an
/// observation whose rows straddle two chunks reads back whole, in file order, with its place
/// names (tabs and backslashes included) and breakdowns as given, and is deleted whole.
#[tokio::test]
async fn groups_read_back_as_recorded_across_chunks() {
    let (store, _db) = TestDatabase::store().await.expect("store");
    let id = point(&store, "COL-FM-1").await;
    // More rows than one chunk of the import (20,000), all of one observation.
    let rows: Vec<RawCount> = (0..20_005u32)
        .map(|i| {
            let size = 1 + i % 7;
            let mut raw = row("2025-03-03", "incoming", &size.to_string());
            if i % 1000 == 0 {
                raw.breakdown = (0..10)
                    .map(|b| if b == 3 { size.to_string() } else { "0".into() })
                    .collect();
                raw.final_destination = format!("Lima\\{i}\tPerú");
            }
            raw
        })
        .collect();
    let report = store
        .import_counts(
            &cli(),
            numbered(rows.clone()),
            ImportMode::AllOrNothing,
            "big.csv",
            &|_| true,
        )
        .await
        .expect("report");
    assert!(report.committed, "{:?}", report.rejected.first());
    assert_eq!((report.imported, report.observations), (20_005, 1));
    let observation = store.recent_observations(id, 10).await.expect("observations");
    assert_eq!(observation.len(), 1);
    let people: i64 = (0..20_005i64).map(|i| 1 + i % 7).sum();
    assert_eq!((observation[0].groups, observation[0].people), (20_005, people));
    let groups = store.observation_groups(observation[0].id).await.expect("groups");
    assert_eq!(groups.len(), 20_005);
    for (i, (group, raw)) in groups.iter().zip(&rows).enumerate() {
        assert_eq!(group.size.to_string(), raw.group_size, "group {i}");
        assert_eq!(group.breakdown.is_some(), !raw.breakdown.is_empty(), "group {i}");
        assert_eq!(
            group.final_destination.as_deref().unwrap_or(""),
            raw.final_destination,
            "group {i}"
        );
        assert_eq!(group.next.as_deref(), Some("Cúcuta"));
    }
    assert_eq!(groups[20_000].final_destination.as_deref(), Some("Lima\\20000\tPerú"));
    store
        .delete_observation(&cli(), observation[0].id)
        .await
        .expect("deleted");
    assert!(
        store
            .recent_observations(id, 10)
            .await
            .expect("observations")
            .is_empty()
    );
    assert!(
        store
            .observation_groups(observation[0].id)
            .await
            .expect("groups")
            .is_empty()
    );
    // The deletion took the breakdowns' stored rows away, not only their people.
    let left = sqlx::query("SELECT COUNT(*) AS n FROM flow_daily_values")
        .fetch_one(store.pool())
        .await
        .expect("count");
    assert_eq!(sqlx::Row::get::<i64, _>(&left, "n"), 0);
}

#[tokio::test]
async fn official_figures_are_replaced_by_a_revision() {
    let (store, _db) = TestDatabase::store().await.expect("store");
    let figure = |total| OfficialFigure {
        country: rumbo_domain::country::Iso3::parse("PER").expect("iso3"),
        movement: Movement::Entry,
        border_point: "Tumbes - PCF Cebaf".into(),
        month: "2020-01".into(),
        total,
    };
    store
        .import_official_figures(&cli(), &[figure(10)], "a.xlsx")
        .await
        .expect("first");
    store
        .import_official_figures(&cli(), &[figure(12)], "b.xlsx")
        .await
        .expect("revision");
    let stored = store.official_figures(None, None).await.expect("figures");
    assert_eq!(stored.len(), 1);
    assert_eq!(stored[0].total, 12);
}

#[tokio::test]
async fn flagged_interviews_open_cases_and_every_opening_is_audited() {
    let (store, _db) = TestDatabase::store().await.expect("store");
    let id = point(&store, "COL-FM-1").await;
    let answers = Interview {
        consent: true,
        sex: Some(rumbo_domain::flow::Sex::Female),
        age: Some(16),
        nationality: rumbo_domain::country::Iso3::parse("VEN").ok(),
        separated_child: true,
        ..Default::default()
    };
    let date = time::macros::date!(2025 - 03 - 03);
    let saved = store
        .record_interviews(
            &cli(),
            &[NewInterview {
                location_id: id,
                date,
                answers: answers.clone(),
            }],
            "form",
        )
        .await
        .expect("saved");
    assert_eq!(saved[0].assessment.flags, [RiskFlag::UnaccompaniedOrSeparatedChild]);
    let case_id = saved[0].case_id.expect("a case");
    let refused = store
        .record_interviews(
            &cli(),
            &[NewInterview {
                location_id: id,
                date,
                answers: Interview {
                    consent: false,
                    ..answers
                },
            }],
            "form",
        )
        .await
        .expect_err("no consent");
    assert!(refused.to_string().contains("problem"), "{refused}");

    let officer = Actor {
        user_id: Some(42),
        ..cli()
    };
    let (queue, total) = store
        .protection_cases(&officer, &CaseQuery::default(), Page::default())
        .await
        .expect("queue");
    assert_eq!((total, queue[0].status), (1, CaseStatus::Open));
    let detail = store.open_protection_case(&officer, case_id).await.expect("opened");
    assert!(detail.interview.answers.separated_child);
    store
        .follow_up_case(&officer, case_id, CaseStatus::Referred, Some("referred to ICBF"))
        .await
        .expect("follow-up");
    let detail = store.open_protection_case(&officer, case_id).await.expect("opened");
    assert_eq!(detail.events.len(), 2);
    let (reads, _) = store
        .audit_entries(
            &AuditQuery {
                entity: Some(Entity::ProtectionCase),
                action: Some(AuditAction::Read),
                user_id: Some(42),
                ..Default::default()
            },
            Page::default(),
        )
        .await
        .expect("audit");
    assert_eq!(reads.len(), 3, "the queue and two openings");
    assert!(
        reads.iter().all(|e| !e.summary.contains("ICBF")),
        "no note in the audit"
    );

    let answers = store
        .interview_answers(&InterviewFilter::default())
        .await
        .expect("answers");
    assert_eq!(answers.len(), 1);
}

/// The writer looks an observation up once per run of its rows: a file whose observations are
/// interleaved row by row and the same rows listed observation by observation give the same
/// report and the same rollups — with an observation already stored and a point the importer may
/// not record at in the file.
#[tokio::test]
async fn interleaved_and_grouped_files_roll_up_alike() {
    use rumbo_domain::Vocabulary;
    use rumbo_domain::flow::counts::Dimension;

    let rows: Vec<RawCount> = (0..90u32)
        .map(|i| {
            let mut raw = row(
                &format!("2025-03-0{}", 1 + i % 3),
                if i % 2 == 0 { "incoming" } else { "outgoing" },
                &(1 + i % 4).to_string(),
            );
            if i % 5 == 0 {
                raw.fmp = "COL-FM-2".into();
            }
            raw.nationality = ["VEN", "COL", "HTI"][(i % 7 % 3) as usize].into();
            raw.next = format!("Town {}", i % 4);
            raw
        })
        .collect();
    let mut grouped = rows.clone();
    grouped.sort_by(|a, b| (&a.fmp, &a.date, &a.direction).cmp(&(&b.fmp, &b.date, &b.direction)));

    let mut results = Vec::new();
    for file in [rows, grouped] {
        let (store, _db) = TestDatabase::store().await.expect("store");
        point(&store, "COL-FM-1").await;
        let refused_point = point(&store, "COL-FM-2").await;
        // One observation of the file already stored: its rows are refused.
        let first = store
            .import_counts(
                &cli(),
                numbered(vec![row("2025-03-01", "incoming", "3")]),
                ImportMode::AllOrNothing,
                "first.csv",
                &|_| true,
            )
            .await
            .expect("report");
        assert!(first.committed);
        let report = store
            .import_counts(&cli(), numbered(file), ImportMode::ValidRows, "file.csv", &|point| {
                point != refused_point
            })
            .await
            .expect("report");
        assert!(report.committed);
        let mut days = store.flow_days(&FlowFilter::default()).await.expect("days");
        days.sort_by_key(|d| (d.date, d.direction.code()));
        let mut breakdowns = Vec::new();
        for dimension in Dimension::ALL {
            breakdowns.push(
                store
                    .flow_breakdown(&FlowFilter::default(), *dimension, 100)
                    .await
                    .expect("breakdown"),
            );
        }
        let totals = store.flow_point_totals(&FlowFilter::default()).await.expect("totals");
        results.push((
            (
                report.imported,
                report.observations,
                report.people,
                report.rejected.len(),
            ),
            days,
            breakdowns,
            totals,
        ));
    }
    // 72 rows at the point the importer may record at, 12 of them in the stored observation.
    assert_eq!(results[0].0, (60, 5, results[0].0.2, 30));
    assert_eq!(results[0], results[1]);
}

/// Breakdowns are merged in Rust and written whole, so two imports at the same point and day
/// must not both read the same stored text and each write back its own: the writer upserts the
/// day's `flow_daily` row first, whose lock holds the second until the first commits (on
/// PostgreSQL; SQLite has one writer). Eight imports racing at one point and day lose nobody.
#[tokio::test]
async fn imports_racing_at_one_point_and_day_lose_no_breakdown() {
    use rumbo_domain::flow::counts::Dimension;

    let (store, _db) = TestDatabase::store().await.expect("store");
    point(&store, "COL-FM-1").await;
    let nationalities = ["VEN", "COL", "HTI", "ECU"];
    let imports: Vec<_> = (0..8u32)
        .map(|i| {
            let store = store.clone();
            tokio::spawn(async move {
                let mut raw = row("2025-03-01", "incoming", &(1 + i).to_string());
                raw.start_time = format!("{:02}:00", 6 + i);
                raw.hours = "1".into();
                raw.nationality = nationalities[i as usize % 4].into();
                store
                    .import_counts(
                        &cli(),
                        numbered(vec![raw]),
                        ImportMode::AllOrNothing,
                        &format!("desk-{i}.csv"),
                        &|_| true,
                    )
                    .await
            })
        })
        .collect();
    for import in imports {
        assert!(import.await.expect("task").expect("report").committed);
    }
    let rows = store
        .flow_breakdown(&FlowFilter::default(), Dimension::Nationality, 10)
        .await
        .expect("breakdown");
    let by_value: Vec<(String, i64)> = rows.into_iter().map(|r| (r.value, r.incoming)).collect();
    // Sizes 1..=8 by nationality i % 4: VEN 1+5, COL 2+6, HTI 3+7, ECU 4+8.
    let mut expected = vec![
        ("ECU".to_owned(), 12),
        ("HTI".to_owned(), 10),
        ("COL".to_owned(), 8),
        ("VEN".to_owned(), 6),
    ];
    let mut got = by_value.clone();
    got.sort();
    expected.sort();
    assert_eq!(got, expected, "{by_value:?}");
}
