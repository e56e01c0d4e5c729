//! Benchmark: resolve points to admin areas with `AdminIndex`, the code Rumbo runs when it
//! places locations. Reads the files written by bench/make_resolve_data.py and prints JSON.
//! Run through bench/resolve-points, which times shapely on the same files.
//!
//! cargo run --release -p rumbo-domain --example resolve_points -- AREAS.geojson POINTS.csv

use std::time::Instant;

use rumbo_domain::country::Iso3;
use rumbo_domain::geography::{AdminArea, AdminIndex, AdminLevel, Pcode, Position, boundary_from_geometry};
use rumbo_domain::language::Names;

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let args: Vec<String> = std::env::args().collect();
    let [_, areas_path, points_path] = args.as_slice() else {
        return Err("usage: resolve_points AREAS.geojson POINTS.csv".into());
    };

    let started = Instant::now();
    let collection: geojson::FeatureCollection = std::fs::read_to_string(areas_path)?.parse()?;
    let country = Iso3::parse("COL")?;
    let mut areas = Vec::new();
    for feature in &collection.features {
        let pcode = feature
            .property("ADM1_PCODE")
            .and_then(|v| v.as_str())
            .ok_or("a feature has no ADM1_PCODE")?;
        let geometry = feature.geometry.as_ref().ok_or("a feature has no geometry")?;
        areas.push(AdminArea {
            pcode: Pcode::parse(pcode)?,
            country,
            level: AdminLevel::ONE,
            parent: None,
            names: Names::default(),
            boundary: Some(boundary_from_geometry(&geometry.value)?),
        });
    }
    let mut points = Vec::new();
    for line in std::fs::read_to_string(points_path)?.lines().skip(1) {
        let mut fields = line.split(',');
        let (_, lon, lat) = (fields.next(), fields.next(), fields.next());
        let (Some(lon), Some(lat)) = (lon, lat) else { continue };
        points.push(Position::new(lon.parse()?, lat.parse()?)?);
    }
    let load = started.elapsed().as_secs_f64();

    let started = Instant::now();
    let index = AdminIndex::new(&areas);
    let build = started.elapsed().as_secs_f64();

    let started = Instant::now();
    let resolved = points
        .iter()
        .filter(|p| index.resolve(**p, None).adm1.is_some())
        .count();
    let resolve = started.elapsed().as_secs_f64();

    println!(
        "{{\"polygons\": {}, \"points\": {}, \"load_s\": {load}, \"build_s\": {build}, \"resolve_s\": {resolve}, \"resolved\": {resolved}}}",
        index.len(),
        points.len()
    );
    Ok(())
}
