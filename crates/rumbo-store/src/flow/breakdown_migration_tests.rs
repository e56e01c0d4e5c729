//! Migration 0010 on a database at version 9 holding breakdown rows (one per value, as 0002 and
//! 0008 stored them): the dashboards' breakdowns read back the same after it, values with a tab,
//! a newline or a backslash included, and the values a deletion had left at zero are gone.

use rumbo_domain::flow::counts::Dimension;
use rumbo_domain::flow::daily_values;
use sqlx::Row;

use super::dashboards::{BreakdownRow, FlowFilter};
use crate::Store;
use crate::migrations::migrator_up_to;
use crate::testing::TestDatabase;

/// (point, dimension, day, direction, value, people), as version 9 stored them.
const ROWS: &[(i64, &str, &str, &str, &str, i64)] = &[
    (1, "corridor", "2025-03-01", "incoming", "Cúcuta|Bogotá", 5),
    (1, "corridor", "2025-03-01", "incoming", "a\tb\\c\nd|Lima", 2),
    (1, "corridor", "2025-03-01", "incoming", "", 3),
    (1, "corridor", "2025-03-01", "incoming", "Zulia|Quito", 1),
    (1, "corridor", "2025-03-01", "outgoing", "Cúcuta|Bogotá", 4),
    (1, "corridor", "2025-03-02", "incoming", "gone|gone", 0),
    (2, "corridor", "2025-03-02", "transit", "Cúcuta|Bogotá", 7),
    (2, "nationality", "2025-03-02", "transit", "VEN", 7),
];

fn row(value: &str, incoming: i64, outgoing: i64, transit: i64) -> BreakdownRow {
    BreakdownRow {
        value: value.to_owned(),
        incoming,
        outgoing,
        transit,
        total: incoming + outgoing + transit,
    }
}

#[tokio::test]
async fn breakdowns_read_back_the_same_after_0010() {
    let db = TestDatabase::create().await.expect("database");
    let store = Store::connect(&db.url).await.expect("store");
    migrator_up_to(store.backend(), 9)
        .run(store.pool())
        .await
        .expect("migrated to 9");
    for (point, dimension, day, direction, value, people) in ROWS {
        sqlx::query(
            "INSERT INTO flow_daily_breakdown (location_id, dimension, day, direction, value, people)
             VALUES ($1, $2, $3, $4, $5, $6)",
        )
        .bind(*point)
        .bind(*dimension)
        .bind(*day)
        .bind(*direction)
        .bind(*value)
        .bind(*people)
        .execute(store.pool())
        .await
        .expect("version 9 row");
    }
    store.migrate().await.expect("migrated to the latest");

    let all = FlowFilter::default();
    assert_eq!(
        store.flow_breakdown(&all, Dimension::Corridor, 10).await.expect("read"),
        vec![
            row("Cúcuta|Bogotá", 5, 4, 7),
            row("", 3, 0, 0),
            row("a\tb\\c\nd|Lima", 2, 0, 0),
            row("Zulia|Quito", 1, 0, 0),
        ]
    );
    let second_day = FlowFilter {
        from: time::Date::from_calendar_date(2025, time::Month::March, 2).ok(),
        ..Default::default()
    };
    assert_eq!(
        store
            .flow_breakdown(&second_day, Dimension::Nationality, 10)
            .await
            .expect("read"),
        vec![row("VEN", 0, 0, 7)]
    );

    // One row per point, breakdown, day and direction, written as the writer writes it; the
    // day whose only value had gone to zero has none.
    let stored = sqlx::query(
        "SELECT location_id, dimension, day, direction, vals FROM flow_daily_values
         ORDER BY location_id, dimension, day, direction",
    )
    .fetch_all(store.pool())
    .await
    .expect("rows");
    let keys: Vec<(i64, String, String, String)> = stored
        .iter()
        .map(|r| {
            (
                r.get("location_id"),
                r.get("dimension"),
                r.get("day"),
                r.get("direction"),
            )
        })
        .collect();
    assert_eq!(
        keys,
        vec![
            (1, "corridor".into(), "2025-03-01".into(), "incoming".into()),
            (1, "corridor".into(), "2025-03-01".into(), "outgoing".into()),
            (2, "corridor".into(), "2025-03-02".into(), "transit".into()),
            (2, "nationality".into(), "2025-03-02".into(), "transit".into()),
        ]
    );
    let first: daily_values::Values = ROWS[..4]
        .iter()
        .map(|(_, _, _, _, value, people)| ((*value).to_owned(), *people))
        .collect();
    assert_eq!(stored[0].get::<String, _>("vals"), daily_values::encode(&first));
    let old_table = sqlx::query("SELECT COUNT(*) AS n FROM flow_daily_breakdown")
        .fetch_one(store.pool())
        .await;
    assert!(old_table.is_err(), "flow_daily_breakdown is dropped");
}
