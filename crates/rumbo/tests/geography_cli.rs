//! `rumbo import` and `rumbo export` as an operator runs them: files in, problems listed with
//! where they are, nothing half-imported, exports that import again. On SQLite, or on
//! PostgreSQL when RUMBO_TEST_POSTGRES_URL is set.

use std::path::Path;
use std::process::{Command, Output};

use rumbo_store::testing::TestDatabase;

fn rumbo(database: &str, args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_rumbo"))
        .args(args)
        .args(["--database", database])
        .env("RUMBO_LOG", "warn")
        .output()
        .expect("rumbo runs")
}

fn stderr(output: &Output) -> String {
    String::from_utf8_lossy(&output.stderr).into_owned()
}

fn square(x: f64, y: f64, size: f64) -> String {
    format!(
        r#"{{"type":"Polygon","coordinates":[[[{x},{y}],[{x1},{y}],[{x1},{y1}],[{x},{y1}],[{x},{y}]]]}}"#,
        x1 = x + size,
        y1 = y + size
    )
}

fn write(dir: &Path, name: &str, text: &str) -> String {
    let path = dir.join(name);
    std::fs::write(&path, text).expect("write fixture");
    path.display().to_string()
}

#[tokio::test]
async fn imports_list_problems_and_exports_import_again() {
    let db = TestDatabase::create().await.expect("database");
    let dir = tempfile::tempdir().expect("temp dir");
    let adm1 = write(
        dir.path(),
        "col_adm1.geojson",
        &format!(
            r#"{{"type":"FeatureCollection","features":[{{"type":"Feature","properties":{{"ADM0_PCODE":"CO","ADM1_PCODE":"CO54","ADM1_ES":"Norte de Santander"}},"geometry":{}}}]}}"#,
            square(-73.0, 7.0, 2.0)
        ),
    );
    let broken = write(
        dir.path(),
        "broken.geojson",
        &format!(
            r#"{{"type":"FeatureCollection","features":[{{"type":"Feature","properties":{{"ADM2_PCODE":"CO54001","ADM2_ES":"Cúcuta"}},"geometry":{}}},{{"type":"Feature","properties":{{"ADM1_PCODE":"CO54","ADM2_PCODE":"CO54874","ADM2_ES":"Villa del Rosario"}},"geometry":{{"type":"Point","coordinates":[-72.5,7.5]}}}}]}}"#,
            square(-73.0, 7.0, 1.0)
        ),
    );

    let refused = rumbo(&db.url, &["import", "boundaries", &broken, "--level", "2"]);
    assert!(!refused.status.success());
    let message = stderr(&refused);
    assert!(
        message.contains("feature 1 (properties.ADM1_PCODE): missing"),
        "{message}"
    );
    assert!(
        message.contains("feature 2 (geometry): a boundary must be a Polygon or MultiPolygon, not a Point"),
        "{message}"
    );

    let imported = rumbo(
        &db.url,
        &["import", "boundaries", &adm1, "--level", "1", "--country", "COL"],
    );
    assert!(imported.status.success(), "{}", stderr(&imported));
    assert!(stderr(&imported).contains("1 new admin areas"));

    let pcodes = write(
        dir.path(),
        "pcodes.csv",
        "pcode,level,parent_pcode,country,name_es\nCO54001,2,CO54,COL,Cúcuta\nCO54874,2,CO99,COL,Villa del Rosario\n",
    );
    let refused = rumbo(&db.url, &["import", "pcodes", &pcodes]);
    assert!(
        stderr(&refused).contains("row 3 (CO54874): unknown parent P-code CO99"),
        "{}",
        stderr(&refused)
    );

    let locations = write(
        dir.path(),
        "puntos.csv",
        "code,name,kind,country,lat,lon\nCOL-CUC-SB,Puente Simón Bolívar,border_crossing,COL,7.5,-72.5\nCOL-X,Lejos,site,COL,95,-72.5\n",
    );
    let refused = rumbo(&db.url, &["import", "locations", &locations]);
    assert!(stderr(&refused).contains("row 3, column lat"), "{}", stderr(&refused));
    let locations = write(
        dir.path(),
        "puntos.csv",
        "code,name,kind,country,lat,lon\nCOL-CUC-SB,Puente Simón Bolívar,border_crossing,COL,7.5,-72.5\n",
    );
    let imported = rumbo(&db.url, &["import", "locations", &locations]);
    assert!(imported.status.success(), "{}", stderr(&imported));

    let out = dir.path().join("areas.csv");
    let exported = rumbo(
        &db.url,
        &[
            "export",
            "admin-areas",
            "--country",
            "COL",
            "--output",
            &out.display().to_string(),
        ],
    );
    assert!(exported.status.success(), "{}", stderr(&exported));
    let csv = std::fs::read_to_string(&out).expect("export");
    assert!(
        csv.starts_with("country,adm1_pcode,adm1_name_es") && csv.contains("#adm1+code"),
        "{csv}"
    );

    let points = rumbo(&db.url, &["export", "locations", "--format", "geojson"]);
    let json: serde_json::Value = serde_json::from_slice(&points.stdout).expect("GeoJSON on stdout");
    assert_eq!(
        json["features"][0]["properties"]["adm1_pcode"], "CO54",
        "resolved by the boundary import"
    );

    let again = TestDatabase::create().await.expect("database");
    let reimported = rumbo(&again.url, &["import", "pcodes", &out.display().to_string()]);
    assert!(reimported.status.success(), "{}", stderr(&reimported));
    assert!(stderr(&reimported).contains("1 new admin areas"));
}
