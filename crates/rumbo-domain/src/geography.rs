use std::fmt;

use geo::{BoundingRect, Intersects, MultiPolygon, Point};
use rstar::{AABB, RTree, primitives::GeomWithData, primitives::Rectangle};
use serde::{Deserialize, Serialize};

use crate::DomainError;
use crate::country::Iso3;
use crate::language::Names;

/// A P-code from the Common Operational Datasets (COD-AB): a stable code for an admin area, such
/// as `CO54` (Norte de Santander) or `CO54001` (Cúcuta). Always upper case.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct Pcode(String);

impl Pcode {
    pub fn parse(raw: &str) -> Result<Pcode, DomainError> {
        let code = raw.trim().to_ascii_uppercase();
        let valid = (2..=20).contains(&code.len())
            && code.bytes().all(|b| b.is_ascii_alphanumeric())
            && code.bytes().take(2).all(|b| b.is_ascii_alphabetic());
        if valid {
            Ok(Pcode(code))
        } else {
            Err(DomainError::InvalidPcode(raw.trim().to_owned()))
        }
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for Pcode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl TryFrom<String> for Pcode {
    type Error = DomainError;
    fn try_from(value: String) -> Result<Self, Self::Error> {
        Pcode::parse(&value)
    }
}

impl From<Pcode> for String {
    fn from(value: Pcode) -> Self {
        value.0
    }
}

/// Admin level 1 (department, state, province), 2 (municipality) or 3.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(try_from = "i64", into = "i64")]
pub struct AdminLevel(u8);

impl AdminLevel {
    pub const ONE: AdminLevel = AdminLevel(1);
    pub const TWO: AdminLevel = AdminLevel(2);
    pub const THREE: AdminLevel = AdminLevel(3);
    pub const ALL: [AdminLevel; 3] = [Self::ONE, Self::TWO, Self::THREE];

    pub fn new(level: i64) -> Result<AdminLevel, DomainError> {
        match level {
            1..=3 => Ok(AdminLevel(level as u8)),
            _ => Err(DomainError::InvalidAdminLevel(level)),
        }
    }

    pub fn get(self) -> u8 {
        self.0
    }

    /// The level of this area's parent, or `None` for level 1 (whose parent is the country).
    pub fn parent(self) -> Option<AdminLevel> {
        (self.0 > 1).then(|| AdminLevel(self.0 - 1))
    }
}

impl TryFrom<i64> for AdminLevel {
    type Error = DomainError;
    fn try_from(value: i64) -> Result<Self, Self::Error> {
        AdminLevel::new(value)
    }
}

impl From<AdminLevel> for i64 {
    fn from(value: AdminLevel) -> Self {
        i64::from(value.0)
    }
}

impl fmt::Display for AdminLevel {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.0)
    }
}

/// An admin area as imported from a boundary dataset or a P-code list.
#[derive(Debug, Clone, PartialEq)]
pub struct AdminArea {
    pub pcode: Pcode,
    pub country: Iso3,
    pub level: AdminLevel,
    /// The P-code of the area one level up; `None` at level 1.
    pub parent: Option<Pcode>,
    pub names: Names,
    /// The boundary, in WGS 84 longitude/latitude. A P-code list has none.
    pub boundary: Option<MultiPolygon<f64>>,
}

/// A position in WGS 84 decimal degrees, checked to be on Earth.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct Position {
    pub lon: f64,
    pub lat: f64,
}

impl Position {
    pub fn new(lon: f64, lat: f64) -> Result<Position, DomainError> {
        if lon.is_finite() && lat.is_finite() && (-180.0..=180.0).contains(&lon) && (-90.0..=90.0).contains(&lat) {
            Ok(Position { lon, lat })
        } else {
            Err(DomainError::InvalidCoordinates { lat, lon })
        }
    }
}

/// The admin areas that contain a position, one per level, as far as boundaries are known.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct Resolution {
    pub country: Option<Iso3>,
    pub adm1: Option<Pcode>,
    pub adm2: Option<Pcode>,
    pub adm3: Option<Pcode>,
}

impl Resolution {
    fn slot(&mut self, level: AdminLevel) -> &mut Option<Pcode> {
        match level.get() {
            1 => &mut self.adm1,
            2 => &mut self.adm2,
            _ => &mut self.adm3,
        }
    }
}

struct IndexedArea {
    pcode: Pcode,
    country: Iso3,
    level: AdminLevel,
    boundary: MultiPolygon<f64>,
}

/// A spatial index over admin boundaries that answers "which admin areas contain this point?".
/// Bounding boxes go into an R-tree, so each point is tested against the few polygons whose box
/// holds it rather than against all of them.
pub struct AdminIndex {
    tree: RTree<GeomWithData<Rectangle<[f64; 2]>, usize>>,
    areas: Vec<IndexedArea>,
}

impl AdminIndex {
    /// Builds the index from areas that have a boundary; areas without one are skipped.
    pub fn new<'a>(areas: impl IntoIterator<Item = &'a AdminArea>) -> AdminIndex {
        let mut indexed = Vec::new();
        let mut boxes = Vec::new();
        for area in areas {
            let Some(boundary) = &area.boundary else {
                continue;
            };
            let Some(rect) = boundary.bounding_rect() else {
                continue;
            };
            let envelope = Rectangle::from_corners([rect.min().x, rect.min().y], [rect.max().x, rect.max().y]);
            boxes.push(GeomWithData::new(envelope, indexed.len()));
            indexed.push(IndexedArea {
                pcode: area.pcode.clone(),
                country: area.country,
                level: area.level,
                boundary: boundary.clone(),
            });
        }
        AdminIndex {
            tree: RTree::bulk_load(boxes),
            areas: indexed,
        }
    }

    pub fn len(&self) -> usize {
        self.areas.len()
    }

    pub fn is_empty(&self) -> bool {
        self.areas.is_empty()
    }

    /// The admin areas containing `position`. When `country` is given only that country's areas
    /// count, so that a border crossing is never placed on the wrong side by a coarse boundary.
    /// A point on a shared edge goes to the area with the smaller P-code, so results are stable.
    pub fn resolve(&self, position: Position, country: Option<Iso3>) -> Resolution {
        let point = Point::new(position.lon, position.lat);
        let probe = AABB::from_point([position.lon, position.lat]);
        let mut hits: Vec<&IndexedArea> = self
            .tree
            .locate_in_envelope_intersecting(&probe)
            .map(|hit| &self.areas[hit.data])
            .filter(|area| country.is_none_or(|c| c == area.country))
            .filter(|area| area.boundary.intersects(&point))
            .collect();
        hits.sort_by(|a, b| (a.level, &a.pcode).cmp(&(b.level, &b.pcode)));
        let mut resolution = Resolution::default();
        for area in hits {
            let slot = resolution.slot(area.level);
            if slot.is_none() {
                *slot = Some(area.pcode.clone());
                resolution.country.get_or_insert(area.country);
            }
        }
        resolution
    }
}

#[cfg(test)]
mod tests {
    use geo::{LineString, Polygon};

    use super::*;

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

    fn area(pcode: &str, country: &str, level: i64, boundary: MultiPolygon<f64>) -> AdminArea {
        AdminArea {
            pcode: Pcode::parse(pcode).expect("valid pcode"),
            country: Iso3::parse(country).expect("valid iso3"),
            level: AdminLevel::new(level).expect("valid level"),
            parent: None,
            names: Names::default(),
            boundary: Some(boundary),
        }
    }

    #[test]
    fn pcode_rules() {
        assert_eq!(Pcode::parse(" co54001 ").map(|p| p.to_string()), Ok("CO54001".into()));
        for bad in ["", "5400", "C", "CO-54", "CO 54", "COÑ1", "AB123456789012345678901"] {
            assert!(Pcode::parse(bad).is_err(), "{bad} should be rejected");
        }
    }

    #[test]
    fn resolves_each_level_and_respects_country() {
        let areas = vec![
            area("CO54", "COL", 1, square(0.0, 0.0, 10.0)),
            area("CO54001", "COL", 2, square(0.0, 0.0, 5.0)),
            area("CO54002", "COL", 2, square(5.0, 0.0, 5.0)),
            area("VE21", "VEN", 1, square(8.0, 0.0, 10.0)),
        ];
        let index = AdminIndex::new(&areas);
        let pos = |x, y| Position::new(x, y).expect("on earth");

        let r = index.resolve(pos(1.0, 1.0), None);
        assert_eq!(r.adm1.map(|p| p.to_string()), Some("CO54".into()));
        assert_eq!(r.adm2.map(|p| p.to_string()), Some("CO54001".into()));
        assert_eq!(r.country.map(|c| c.to_string()), Some("COL".into()));

        // Overlapping coarse boundaries: the declared country decides.
        let r = index.resolve(pos(9.0, 1.0), Some(Iso3::parse("VEN").expect("iso3")));
        assert_eq!(r.adm1.map(|p| p.to_string()), Some("VE21".into()));
        assert_eq!(r.adm2, None);

        // On the shared edge of two municipalities: the smaller P-code, every time.
        let r = index.resolve(pos(5.0, 1.0), None);
        assert_eq!(r.adm2.map(|p| p.to_string()), Some("CO54001".into()));

        assert_eq!(index.resolve(pos(50.0, 50.0), None), Resolution::default());
    }

    #[test]
    fn positions_must_be_on_earth() {
        assert!(Position::new(-72.5, 7.8).is_ok());
        assert!(Position::new(7.8, -172.5).is_err());
        assert!(Position::new(f64::NAN, 0.0).is_err());
    }
}

/// Reads a boundary stored or sent as a GeoJSON geometry: a Polygon or a MultiPolygon.
pub fn boundary_from_geojson(text: &str) -> Result<MultiPolygon<f64>, DomainError> {
    let geometry: geojson::Geometry = text
        .parse()
        .map_err(|e| DomainError::Invalid(format!("not a GeoJSON geometry: {e}")))?;
    boundary_from_geometry(&geometry.value)
}

/// A Polygon or MultiPolygon GeoJSON geometry as a boundary; any other type is refused, and so
/// is any position that is not a longitude and latitude on Earth.
pub fn boundary_from_geometry(value: &geojson::GeometryValue) -> Result<MultiPolygon<f64>, DomainError> {
    use geojson::GeometryValue as G;
    let polygons: Vec<&geojson::PolygonType> = match value {
        G::Polygon { coordinates } => vec![coordinates],
        G::MultiPolygon { coordinates } => coordinates.iter().collect(),
        other => {
            return Err(DomainError::Invalid(format!(
                "a boundary must be a Polygon or MultiPolygon, not a {}",
                other.type_name()
            )));
        }
    };
    if polygons.is_empty() {
        return Err(DomainError::Invalid("the boundary has no polygon".into()));
    }
    // Checked before converting: the conversion indexes each position's first two numbers and
    // would panic on a position such as `[1]`.
    for (p, polygon) in polygons.iter().enumerate() {
        if polygon.is_empty() {
            return Err(DomainError::Invalid(format!("polygon {} has no rings", p + 1)));
        }
        for (r, ring) in polygon.iter().enumerate() {
            if ring.len() < 4 {
                return Err(DomainError::Invalid(format!(
                    "polygon {}, ring {}: a ring needs at least 4 positions (the last repeating the first), not {}",
                    p + 1,
                    r + 1,
                    ring.len()
                )));
            }
            for position in ring {
                match position.as_slice() {
                    [lon, lat, ..] => {
                        Position::new(*lon, *lat)?;
                    }
                    _ => {
                        return Err(DomainError::Invalid(format!(
                            "polygon {}, ring {}: a position needs a longitude and a latitude",
                            p + 1,
                            r + 1
                        )));
                    }
                }
            }
        }
    }
    let converted: geo::Geometry<f64> = value
        .try_into()
        .map_err(|e: geojson::Error| DomainError::Invalid(format!("invalid geometry: {e}")))?;
    match converted {
        geo::Geometry::Polygon(p) => Ok(MultiPolygon::new(vec![p])),
        geo::Geometry::MultiPolygon(mp) => Ok(mp),
        other => Err(DomainError::Invalid(format!(
            "a boundary must be a Polygon or MultiPolygon, not a {}",
            geometry_name(&other)
        ))),
    }
}

/// A boundary as a GeoJSON geometry, as stored and served.
pub fn boundary_to_geojson(boundary: &MultiPolygon<f64>) -> String {
    geojson::Geometry::new(geojson::GeometryValue::from(boundary)).to_string()
}

fn geometry_name(geometry: &geo::Geometry<f64>) -> &'static str {
    match geometry {
        geo::Geometry::Point(_) => "Point",
        geo::Geometry::Line(_) | geo::Geometry::LineString(_) => "LineString",
        geo::Geometry::MultiPoint(_) => "MultiPoint",
        geo::Geometry::MultiLineString(_) => "MultiLineString",
        geo::Geometry::GeometryCollection(_) => "GeometryCollection",
        geo::Geometry::Rect(_) => "Rect",
        geo::Geometry::Triangle(_) => "Triangle",
        geo::Geometry::Polygon(_) => "Polygon",
        geo::Geometry::MultiPolygon(_) => "MultiPolygon",
    }
}

#[cfg(test)]
mod geojson_tests {
    use super::*;

    #[test]
    fn boundaries_round_trip_and_other_geometries_are_refused() {
        let square = r#"{"type":"Polygon","coordinates":[[[0,0],[1,0],[1,1],[0,1],[0,0]]]}"#;
        let boundary = boundary_from_geojson(square).expect("polygon");
        let again = boundary_from_geojson(&boundary_to_geojson(&boundary)).expect("round trip");
        assert_eq!(boundary, again);
        let point = boundary_from_geojson(r#"{"type":"Point","coordinates":[0,0]}"#).expect_err("point");
        assert!(point.to_string().contains("Point"), "{point}");
        let far = r#"{"type":"Polygon","coordinates":[[[0,0],[200,0],[1,1],[0,0]]]}"#;
        assert!(boundary_from_geojson(far).is_err());
        assert!(boundary_from_geojson("{not json").is_err());
    }
}

/// How far, in degrees, a map outline may stray from the true boundary at each admin level:
/// about half a screen pixel at the zoom where areas of that level are usually looked at
/// (a country for departments, a department for municipalities).
pub fn map_tolerance(level: AdminLevel) -> f64 {
    match level.get() {
        1 => 0.005,
        2 => 0.002,
        _ => 0.001,
    }
}

/// A lighter copy of a boundary for drawing on a map: simplified (Ramer–Douglas–Peucker) with
/// `tolerance` in degrees, islands and holes smaller than the tolerance dropped, coordinates
/// rounded to 5 decimals (about a metre). COD-AB boundaries often carry a point every few
/// metres; a whole country's municipalities would otherwise weigh tens of megabytes in a
/// browser. Never used for point-in-polygon resolution, which keeps the full boundary.
pub fn map_outline(boundary: &MultiPolygon<f64>, tolerance: f64) -> MultiPolygon<f64> {
    use geo::{Coord, MapCoords, Polygon, Simplify};
    let visible = |ring: &geo::LineString<f64>| {
        ring.bounding_rect()
            .is_some_and(|r| r.width() >= tolerance || r.height() >= tolerance)
    };
    let mut polygons: Vec<Polygon<f64>> = boundary
        .0
        .iter()
        .map(|p| p.simplify(tolerance))
        .filter(|p| visible(p.exterior()))
        .map(|p| {
            let interiors = p.interiors().iter().filter(|r| visible(r)).cloned().collect();
            Polygon::new(p.exterior().clone(), interiors)
        })
        .collect();
    if polygons.is_empty() {
        // Every part is smaller than the tolerance (a tiny island municipality): keep it whole
        // rather than lose the area from the map.
        polygons = boundary.0.clone();
    }
    let round = |v: f64| (v * 1e5).round() / 1e5;
    MultiPolygon::new(polygons).map_coords(|c| Coord {
        x: round(c.x),
        y: round(c.y),
    })
}

#[cfg(test)]
mod outline_tests {
    use geo::{Coord, LineString, Polygon};

    use super::*;

    /// A square whose edges carry a point every 0.0001 degrees, as survey-grade data does.
    fn dense_square(x0: f64, y0: f64, size: f64) -> Polygon<f64> {
        let steps = (size / 0.0001) as usize;
        let mut ring = Vec::new();
        for (dx, dy, sx, sy) in [
            (1.0, 0.0, 0.0, 0.0),
            (0.0, 1.0, 1.0, 0.0),
            (-1.0, 0.0, 1.0, 1.0),
            (0.0, -1.0, 0.0, 1.0),
        ] {
            for i in 0..steps {
                let t = i as f64 * 0.0001;
                ring.push(Coord {
                    x: x0 + sx * size + dx * t,
                    y: y0 + sy * size + dy * t,
                });
            }
        }
        ring.push(ring[0]);
        Polygon::new(LineString::new(ring), vec![])
    }

    #[test]
    fn outlines_are_light_but_keep_every_area() {
        let islands = MultiPolygon::new(vec![dense_square(-73.0, 7.0, 1.0), dense_square(-71.0, 7.0, 0.0005)]);
        let outline = map_outline(&islands, map_tolerance(AdminLevel::ONE));
        assert_eq!(outline.0.len(), 1, "the speck of an island is dropped");
        assert!(
            outline.0[0].exterior().0.len() <= 6,
            "{:?}",
            outline.0[0].exterior().0.len()
        );

        let speck = MultiPolygon::new(vec![dense_square(-71.0, 7.0, 0.0005)]);
        assert_eq!(
            map_outline(&speck, 0.005).0.len(),
            1,
            "an area made only of specks is kept"
        );

        let precise = MultiPolygon::new(vec![Polygon::new(
            LineString::from(vec![(0.123456789, 0.0), (1.0, 0.0), (1.0, 1.0), (0.123456789, 0.0)]),
            vec![],
        )]);
        assert_eq!(map_outline(&precise, 0.0).0[0].exterior().0[0].x, 0.12346);
    }

    #[test]
    fn hostile_geometries_are_refused_without_panicking() {
        for (text, expected) in [
            (
                r#"{"type":"Polygon","coordinates":[[[1],[2],[3],[1]]]}"#,
                "longitude and a latitude",
            ),
            (
                r#"{"type":"Polygon","coordinates":[[[0,0],[1,1],[0,0]]]}"#,
                "at least 4 positions",
            ),
            (r#"{"type":"Polygon","coordinates":[]}"#, "no rings"),
            (r#"{"type":"MultiPolygon","coordinates":[]}"#, "no polygon"),
            (
                r#"{"type":"Polygon","coordinates":[[[0,0],[1e300,0],[1,1],[0,0]]]}"#,
                "not a position on Earth",
            ),
            (r#"{"type":"GeometryCollection","geometries":[]}"#, "GeometryCollection"),
        ] {
            let err = boundary_from_geojson(text).expect_err(text).to_string();
            assert!(err.contains(expected), "{text}: {err}");
        }
    }
}
