//! Voronoi cells by half-plane clipping: the simplified boundaries of the demo.
//!
//! The cell of a seed is every point closer to it than to any other seed. Starting from a box
//! around the seed, it is clipped by the perpendicular bisector of the seed and each other
//! seed, keeping the seed's side. A box clipped by half-planes stays convex, so each cell is a
//! valid polygon, and two cells never overlap: a point strictly inside one is strictly closer to
//! its seed than to the other's. The box also keeps a coastal capital from claiming the ocean.
//! Coordinates are treated as planar (longitude, latitude), which is fine for drawings.

use geo::{Coord, LineString, Polygon, Rect};

/// A seed and the box its cell is clipped to, which must hold it.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Seed {
    pub at: Coord<f64>,
    pub bounds: Rect<f64>,
}

/// The cell of every seed, in the same order. Seeds must be distinct, since two seeds at one
/// point have no bisector: callers check it (see `geography::admin_areas`).
pub fn cells(seeds: &[Seed]) -> Vec<Polygon<f64>> {
    (0..seeds.len()).map(|i| cell(seeds, i)).collect()
}

fn cell(seeds: &[Seed], i: usize) -> Polygon<f64> {
    let Seed { at: p, bounds } = seeds[i];
    let (min, max) = (bounds.min(), bounds.max());
    let mut ring = vec![min, Coord { x: max.x, y: min.y }, max, Coord { x: min.x, y: max.y }];
    // Every point of the box is within `farthest` of p, so a seed more than twice as far away
    // has its bisector outside the box.
    let farthest = ring.iter().map(|c| (c.x - p.x).hypot(c.y - p.y)).fold(0.0, f64::max);
    let limit = 2.0 * farthest;
    for (j, other) in seeds.iter().enumerate() {
        let q = other.at;
        if j == i || (q.x - p.x).hypot(q.y - p.y) > limit {
            continue;
        }
        ring = clip(&ring, p, q);
        if ring.is_empty() {
            break;
        }
    }
    Polygon::new(LineString::from(ring), vec![])
}

/// Sutherland–Hodgman against one half-plane: keeps the part of the convex `ring` that is at
/// least as close to `p` as to `q`.
fn clip(ring: &[Coord<f64>], p: Coord<f64>, q: Coord<f64>) -> Vec<Coord<f64>> {
    let mid = Coord {
        x: (p.x + q.x) / 2.0,
        y: (p.y + q.y) / 2.0,
    };
    let normal = q - p;
    // Positive on q's side of the bisector.
    let side = |c: Coord<f64>| (c.x - mid.x) * normal.x + (c.y - mid.y) * normal.y;
    let mut out = Vec::with_capacity(ring.len() + 1);
    for (k, &current) in ring.iter().enumerate() {
        let next = ring[(k + 1) % ring.len()];
        let (sc, sn) = (side(current), side(next));
        if sc <= 0.0 {
            out.push(current);
        }
        if (sc < 0.0 && sn > 0.0) || (sc > 0.0 && sn < 0.0) {
            let t = sc / (sc - sn);
            out.push(current + (next - current) * t);
        }
    }
    // Touching corners produce repeated points; a ring is cleaner without them.
    out.dedup_by(|a, b| (a.x - b.x).abs() < 1e-12 && (a.y - b.y).abs() < 1e-12);
    if out.len() > 1
        && (out[0].x - out[out.len() - 1].x).abs() < 1e-12
        && (out[0].y - out[out.len() - 1].y).abs() < 1e-12
    {
        out.pop();
    }
    if out.len() < 3 { Vec::new() } else { out }
}

#[cfg(test)]
mod tests {
    use geo::{Area, BooleanOps, Contains, Point, Validation};

    use super::*;
    use crate::demo::rng::Rng;

    fn seed(x: f64, y: f64, reach: f64) -> Seed {
        Seed {
            at: Coord { x, y },
            bounds: Rect::new(
                Coord {
                    x: x - reach,
                    y: y - reach,
                },
                Coord {
                    x: x + reach,
                    y: y + reach,
                },
            ),
        }
    }

    #[test]
    fn two_seeds_split_along_the_bisector() {
        let cells = cells(&[seed(0.0, 0.0, 1.0), seed(1.0, 0.0, 1.0)]);
        // The left cell is the box [-1, 0.5] × [-1, 1].
        assert!((cells[0].unsigned_area() - 3.0).abs() < 1e-12);
        assert!((cells[1].unsigned_area() - 3.0).abs() < 1e-12);
        assert!(cells[0].contains(&Point::new(0.4, 0.9)));
        assert!(!cells[0].contains(&Point::new(0.6, 0.0)));
    }

    #[test]
    fn cells_are_valid_disjoint_and_hold_their_seed() {
        let mut rng = Rng::new(7);
        let mut seeds = Vec::new();
        for _ in 0..120 {
            let x = rng.below(10_000) as f64 / 1000.0;
            let y = rng.below(10_000) as f64 / 1000.0;
            let reach = 0.3 + rng.below(20) as f64 / 10.0;
            if seeds.iter().all(|s: &Seed| s.at != Coord { x, y }) {
                seeds.push(seed(x, y, reach));
            }
        }
        let cells = cells(&seeds);
        for (s, c) in seeds.iter().zip(&cells) {
            assert!(c.is_valid(), "invalid cell around {:?}", s.at);
            assert!(c.contains(&Point::from(s.at)), "seed {:?} outside its cell", s.at);
        }
        for (i, a) in cells.iter().enumerate() {
            for b in &cells[i + 1..] {
                // Relative: the boolean operations round to a grid, leaving slivers of ~1e-9.
                let overlap = a.intersection(b).unsigned_area();
                let smaller = a.unsigned_area().min(b.unsigned_area());
                assert!(overlap < 1e-6 * smaller, "cells overlap by {overlap} of {smaller}");
            }
        }
    }

    #[test]
    fn the_box_limits_a_lonely_seed() {
        let lonely = cells(&[seed(5.0, 5.0, 0.5), seed(50.0, 50.0, 2.0)]);
        assert!((lonely[0].unsigned_area() - 1.0).abs() < 1e-12);
        assert!((lonely[1].unsigned_area() - 16.0).abs() < 1e-12);
        // An off-centre box: the far seed still cuts it.
        let lopsided = Seed {
            at: Coord { x: 0.0, y: 0.0 },
            bounds: Rect::new(Coord { x: -0.1, y: -1.0 }, Coord { x: 3.0, y: 1.0 }),
        };
        let cut = cells(&[lopsided, seed(4.0, 0.0, 0.5)]);
        assert!((cut[0].unsigned_area() - 2.0 * 2.1).abs() < 1e-12);
    }
}
