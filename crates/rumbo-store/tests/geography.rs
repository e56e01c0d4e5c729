//! Admin areas and locations on both backends.

use geo::{LineString, MultiPolygon, Polygon};
use rumbo_domain::audit::Actor;
use rumbo_domain::country::Iso3;
use rumbo_domain::geography::{AdminArea, AdminLevel, Pcode};
use rumbo_domain::language::Names;
use rumbo_store::geography::AdminAreaQuery;
use rumbo_store::locations::{LocationImportRow, LocationInput};
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

fn dense_square(x0: f64, y0: f64, size: f64) -> MultiPolygon<f64> {
    let steps = 400;
    let step = size / steps as f64;
    let mut ring = Vec::new();
    for i in 0..steps {
        ring.push((x0 + i as f64 * step, y0));
    }
    for i in 0..steps {
        ring.push((x0 + size, y0 + i as f64 * step));
    }
    for i in 0..steps {
        ring.push((x0 + size - i as f64 * step, y0 + size));
    }
    for i in 0..steps {
        ring.push((x0, y0 + size - i as f64 * step));
    }
    ring.push((x0, y0));
    MultiPolygon::new(vec![Polygon::new(LineString::from(ring), vec![])])
}

fn pcode(p: &str) -> Pcode {
    Pcode::parse(p).expect("pcode")
}

#[tokio::test]
async fn countries_outlines_and_lists_for_maps_and_exports() {
    let (store, _db) = TestDatabase::store().await.expect("store");
    let cli = Actor::system("cli");
    let areas = vec![
        (
            "feature 1".to_owned(),
            area("CO54", 1, None, dense_square(-73.0, 7.0, 2.0)),
        ),
        (
            "feature 2".to_owned(),
            area("CO54001", 2, Some("CO54"), square(-73.0, 7.0, 1.0)),
        ),
    ];
    store
        .import_admin_areas_from(&cli, &areas, "cod-ab.geojson")
        .await
        .expect("import");
    store
        .create_location(&cli, &location("COL-CUC-SB", -72.5, 7.8))
        .await
        .expect("location");

    let summaries = store.country_summaries().await.expect("summaries");
    assert_eq!(summaries.len(), 18);
    let col = summaries
        .iter()
        .find(|s| s.country.iso3.as_str() == "COL")
        .expect("COL");
    assert_eq!((col.admin_areas, col.with_boundary, col.locations), ([1, 1, 0], 2, 1));
    let per = summaries
        .iter()
        .find(|s| s.country.iso3.as_str() == "PER")
        .expect("PER");
    assert_eq!((per.admin_areas, per.locations), ([0, 0, 0], 0));

    let outlines = store
        .admin_area_outlines(&rumbo_store::geography::OutlineQuery {
            country: Some(Iso3::parse("COL").expect("iso3")),
            level: Some(AdminLevel::ONE),
            ..Default::default()
        })
        .await
        .expect("outlines");
    assert_eq!(outlines.len(), 1);
    let points = outlines[0].boundary.as_ref().expect("outline").0[0].exterior().0.len();
    assert!(points <= 6, "the map outline is simplified: {points} points");
    let (_, full) = store.admin_area(&pcode("CO54")).await.expect("area");
    assert_eq!(
        full.expect("boundary").0[0].exterior().0.len(),
        1601,
        "the boundary itself is kept whole"
    );

    let list = store
        .admin_area_list(Some(Iso3::parse("COL").expect("iso3")), Some(AdminLevel::ONE))
        .await
        .expect("list");
    assert_eq!(list.len(), 1);
    assert!(list[0].boundary.is_none());

    store
        .record_export(
            &cli,
            rumbo_domain::audit::Entity::AdminArea,
            "exported 2 admin areas of COL as CSV",
        )
        .await
        .expect("audited");
    let (entries, _) = store
        .audit_entries(
            &rumbo_store::audit::AuditQuery {
                action: Some(rumbo_domain::audit::AuditAction::Export),
                ..Default::default()
            },
            Page::default(),
        )
        .await
        .expect("audit");
    assert_eq!(entries.len(), 1);
}

#[tokio::test]
async fn reimports_keep_what_the_new_source_does_not_give_and_problems_name_their_place() {
    let (store, _db) = TestDatabase::store().await.expect("store");
    let cli = Actor::system("cli");
    store
        .import_admin_areas(&cli, &[area("CO54", 1, None, square(-73.0, 7.0, 2.0))], "boundaries")
        .await
        .expect("boundaries");
    // A P-code list with an English name only: the boundary and the Spanish name stay.
    let mut listed = area("CO54", 1, None, square(0.0, 0.0, 1.0));
    listed.boundary = None;
    listed.names = Names {
        en: Some("North Santander".into()),
        ..Names::default()
    };
    store
        .import_admin_areas(&cli, &[listed], "pcodes.csv")
        .await
        .expect("pcodes");
    let (row, boundary) = store.admin_area(&pcode("CO54")).await.expect("area");
    assert_eq!(row.names.es.as_deref(), Some("Área CO54"));
    assert_eq!(row.names.en.as_deref(), Some("North Santander"));
    assert!(boundary.is_some());

    let mut moved = area("CO54", 1, None, square(0.0, 0.0, 1.0));
    moved.country = Iso3::parse("PER").expect("iso3");
    let rows = vec![
        ("row 2".to_owned(), moved),
        (
            "row 3".to_owned(),
            area("CO54002", 2, Some("CO99"), square(0.0, 0.0, 1.0)),
        ),
    ];
    let err = store
        .import_admin_areas_from(&cli, &rows, "pcodes.csv")
        .await
        .expect_err("refused");
    let StoreError::Rejected { problems, .. } = err else {
        panic!("expected a rejection")
    };
    let listed: Vec<String> = problems.iter().map(ToString::to_string).collect();
    assert_eq!(
        listed,
        [
            "row 2 (CO54): P-code CO54 is already a level-1 area of COL",
            "row 3 (CO54002): unknown parent P-code CO99: import the level-1 areas first"
        ]
    );
}

#[tokio::test]
async fn location_lists_create_and_replace_and_locations_retire_before_deletion() {
    let (store, _db) = TestDatabase::store().await.expect("store");
    let cli = Actor::system("cli");
    store
        .import_admin_areas(&cli, &[area("CO54", 1, None, square(-73.0, 7.0, 2.0))], "boundaries")
        .await
        .expect("boundaries");
    let org = store
        .create_organisation(
            &cli,
            &rumbo_store::organisations::OrganisationInput {
                name: "International Organization for Migration".into(),
                acronym: "IOM".into(),
                kind: "un_agency".into(),
                is_active: true,
                ..Default::default()
            },
        )
        .await
        .expect("organisation");
    let existing = store
        .create_location(&cli, &location("COL-CUC-SB", -72.5, 7.8))
        .await
        .expect("location");

    let row = |place: &str, code: &str, organisation: Option<&str>| LocationImportRow {
        place: place.into(),
        input: location(code, -72.4, 7.9),
        organisation: organisation.map(Into::into),
    };
    let mut unknown_country = row("row 4", "A3", None);
    unknown_country.input.country = "XYZ".into();
    unknown_country.input.lat = 95.0;
    let bad = vec![
        row("row 2", "A1", Some("NOPE")),
        row("row 3", "A1", None),
        unknown_country,
    ];
    let err = store
        .import_location_rows(&cli, &bad, "list.csv")
        .await
        .expect_err("refused");
    let StoreError::Rejected { problems, .. } = err else {
        panic!("expected a rejection")
    };
    let listed: Vec<String> = problems.iter().map(ToString::to_string).collect();
    assert_eq!(
        listed,
        [
            "row 2, column organisation: no organisation has the acronym 'NOPE'",
            "row 3, column code: code A1 is already used at row 2",
            "row 4, column country: XYZ is not a country Rumbo knows",
            "row 4, column lat: 95 is not a latitude on Earth (between -90 and 90)"
        ]
    );

    let good = vec![row("row 2", "A1", Some("iom")), row("row 3", "col-cuc-sb", None)];
    let summary = store
        .import_location_rows(&cli, &good, "list.csv")
        .await
        .expect("imported");
    assert_eq!((summary.created, summary.updated), (1, 1));
    let a1 = store.location_by_code("A1").await.expect("created");
    assert_eq!(a1.organisation_id, Some(org.id));
    assert_eq!(a1.adm1.as_ref().map(Pcode::as_str), Some("CO54"));
    let replaced = store.location(existing.id).await.expect("replaced");
    assert_eq!((replaced.position.lon, replaced.position.lat), (-72.4, 7.9));

    let unknown = store
        .create_location(
            &cli,
            &LocationInput {
                country: "XYZ".into(),
                ..location("B1", 0.0, 0.0)
            },
        )
        .await
        .expect_err("unknown country");
    assert!(matches!(unknown, StoreError::Invalid(_)), "{unknown:?}");

    let refused = store.delete_location(&cli, a1.id).await.expect_err("active");
    assert!(matches!(refused, StoreError::Conflict(_)), "{refused:?}");
    let retired = store
        .set_location_active(&cli, a1.id, false)
        .await
        .expect("deactivated");
    assert!(!retired.is_active);
    let (active, _) = store
        .locations(&rumbo_store::locations::LocationQuery::default(), Page::default())
        .await
        .expect("list");
    assert!(active.iter().all(|l| l.id != a1.id), "retired locations leave lists");
    store.delete_location(&cli, a1.id).await.expect("deleted");
    assert!(matches!(store.location(a1.id).await, Err(StoreError::NotFound { .. })));
}

/// Areas imported from a P-code list (no boundary, so no bounding box) and then from
/// boundaries go through one INSERT statement; on PostgreSQL the connection caches it with the
/// parameter types of its first use.
#[tokio::test]
async fn a_missing_number_and_a_number_share_a_statement() {
    use rumbo_store::dialect::OptionalF64;
    let (store, _db) = TestDatabase::store().await.expect("store");
    let mut conn = store.pool().acquire().await.expect("connection");
    sqlx::query("CREATE TEMPORARY TABLE numbers (x DOUBLE PRECISION)")
        .execute(&mut *conn)
        .await
        .expect("table");
    for x in [None, Some(-73.25), None, Some(7.5)] {
        sqlx::query("INSERT INTO numbers (x) VALUES ($1)")
            .bind(OptionalF64(x))
            .execute(&mut *conn)
            .await
            .unwrap_or_else(|e| panic!("binding {x:?} after another value: {e}"));
    }
    let stored: Vec<Option<f64>> = sqlx::query_scalar("SELECT x FROM numbers ORDER BY x NULLS FIRST")
        .fetch_all(&mut *conn)
        .await
        .expect("read");
    assert_eq!(stored, vec![None, None, Some(-73.25), Some(7.5)]);
}
