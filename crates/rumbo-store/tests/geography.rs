//! Admin areas and locations on both backends.

use geo::{LineString, MultiPolygon, Polygon};
use rumbo_domain::audit::Actor;
use rumbo_domain::country::Iso3;
use rumbo_domain::geography::{AdminArea, AdminLevel, Pcode};
use rumbo_domain::language::Names;
use rumbo_store::geography::AdminAreaQuery;
use rumbo_store::locations::LocationInput;
use rumbo_store::testing::TestDatabase;
use rumbo_store::{Page, StoreError};

fn square(x0: f64, y0: f64, size: f64) -> MultiPolygon<f64> {
    let ring = LineString::from(vec![
        (x0, y0),
        (x0 + size, y0),
        (x0 + size, y0 + size),
        (x0, y0 + size),
        (x0, y0),
    ]);
    MultiPolygon::new(vec![Polygon::new(ring, vec![])])
}

fn area(pcode: &str, level: i64, parent: Option<&str>, boundary: MultiPolygon<f64>) -> AdminArea {
    AdminArea {
        pcode: Pcode::parse(pcode).expect("pcode"),
        country: Iso3::parse("COL").expect("iso3"),
        level: AdminLevel::new(level).expect("level"),
        parent: parent.map(|p| Pcode::parse(p).expect("pcode")),
        names: Names {
            es: Some(format!("Área {pcode}")),
            ..Names::default()
        },
        boundary: Some(boundary),
    }
}

fn location(code: &str, lon: f64, lat: f64) -> LocationInput {
    LocationInput {
        code: code.into(),
        name: format!("Location {code}"),
        kind: "border_crossing".into(),
        country: "COL".into(),
        lat,
        lon,
        is_active: true,
        ..Default::default()
    }
}

#[tokio::test]
async fn boundaries_import_whole_or_not_at_all_and_locations_resolve() {
    let (store, _db) = TestDatabase::store().await.expect("store");
    let cli = Actor::system("cli");

    // A child whose parent is nowhere: nothing is stored.
    let orphan = vec![
        area("CO54", 1, None, square(-73.0, 7.0, 2.0)),
        area("CO99001", 2, Some("CO99"), square(-73.0, 7.0, 1.0)),
    ];
    let err = store
        .import_admin_areas(&cli, &orphan, "test")
        .await
        .expect_err("orphan refused");
    let StoreError::Rejected { problems, .. } = err else {
        panic!("expected a rejection")
    };
    assert!(problems[0].problem.contains("CO99"), "{problems:?}");
    let (none, _) = store
        .admin_areas(&AdminAreaQuery::default(), Page::default())
        .await
        .expect("list");
    assert!(none.is_empty(), "nothing half-imported");

    let before = store
        .create_location(&cli, &location("COL-CUC-SB", -72.5, 7.8))
        .await
        .expect("location");
    assert_eq!(before.adm1, None, "no boundaries yet");

    let areas = vec![
        area("CO54", 1, None, square(-73.0, 7.0, 2.0)),
        area("CO54001", 2, Some("CO54"), square(-73.0, 7.0, 1.0)),
        area("CO54874", 2, Some("CO54"), square(-72.0, 7.0, 1.0)),
    ];
    let summary = store
        .import_admin_areas(&cli, &areas, "test.geojson")
        .await
        .expect("import");
    assert_eq!(
        (summary.created, summary.updated, summary.locations_resolved),
        (3, 0, 1)
    );
    let resolved = store.location(before.id).await.expect("location");
    assert_eq!(resolved.adm1.map(|p| p.to_string()), Some("CO54".into()));
    assert_eq!(resolved.adm2.map(|p| p.to_string()), Some("CO54001".into()));

    let again = store
        .import_admin_areas(&cli, &areas[..1], "v2")
        .await
        .expect("re-import");
    assert_eq!((again.created, again.updated), (0, 1));

    let (children, total) = store
        .admin_areas(
            &AdminAreaQuery {
                parent: Some(Pcode::parse("CO54").expect("pcode")),
                ..Default::default()
            },
            Page::default(),
        )
        .await
        .expect("children");
    assert_eq!((children.len(), total), (2, 2));
    let (found, _) = store
        .admin_areas(
            &AdminAreaQuery {
                search: Some("co54874".into()),
                ..Default::default()
            },
            Page::default(),
        )
        .await
        .expect("search");
    assert_eq!(found.len(), 1);
    let (_, boundary) = store
        .admin_area(&Pcode::parse("CO54001").expect("pcode"))
        .await
        .expect("area");
    assert_eq!(boundary, Some(square(-73.0, 7.0, 1.0)));

    let dup = store
        .create_location(&cli, &location("col-cuc-sb", -72.5, 7.8))
        .await
        .expect_err("duplicate code");
    assert!(matches!(dup, StoreError::Conflict(_)), "{dup:?}");

    let rows = vec![
        ("row 2".to_owned(), location("A1", -72.5, 7.5)),
        ("row 3".to_owned(), location("A2", -300.0, 7.5)),
    ];
    let err = store
        .import_locations(&cli, &rows, "test.csv")
        .await
        .expect_err("bad row");
    let StoreError::Rejected { problems, .. } = err else {
        panic!("expected a rejection")
    };
    assert_eq!(problems.len(), 1);
    assert_eq!(problems[0].location, "row 3");
    assert!(store.location_by_code("A1").await.is_err(), "nothing half-imported");
    assert_eq!(
        store
            .import_locations(&cli, &rows[..1], "test.csv")
            .await
            .expect("import"),
        1
    );
    assert_eq!(
        store
            .location_by_code("a1")
            .await
            .expect("found")
            .adm2
            .map(|p| p.to_string()),
        Some("CO54001".into())
    );
}
