"""Synthetic admin boundaries and points for the point-in-polygon benchmark.

Writes a GeoJSON FeatureCollection of COLS x ROWS admin areas whose shared edges wiggle (each
edge has SEGMENTS vertices, like real boundaries rather than boxes) and a CSV of random points.
Deterministic: the same arguments give the same files. Standard library only.
"""
import json
import math
import random
import sys


def edge(rng_seed, a, b, segments, amplitude):
    """Vertices from a to b (exclusive of b) with a deterministic wiggle, identical for both
    neighbours of the edge so that the tessellation has no gaps or overlaps."""
    rnd = random.Random(rng_seed)
    (x0, y0), (x1, y1) = a, b
    nx, ny = -(y1 - y0), x1 - x0
    norm = math.hypot(nx, ny) or 1.0
    nx, ny = nx / norm, ny / norm
    points = []
    for i in range(segments):
        t = i / segments
        w = 0.0 if i == 0 else amplitude * math.sin(math.pi * t) * (rnd.random() - 0.5)
        points.append((x0 + (x1 - x0) * t + nx * w, y0 + (y1 - y0) * t + ny * w))
    return points


def main(out_areas, out_points, cols=50, rows=40, n_points=10000, segments=25, seed=7):
    x_min, y_min, size = -80.0, -20.0, 0.5
    corner = lambda i, j: (x_min + i * size, y_min + j * size)

    def side(i0, j0, i1, j1):
        # Each edge is generated once, keyed by its endpoints in a canonical order.
        a, b = (i0, j0), (i1, j1)
        key = (min(a, b), max(a, b))
        pts = edge(hash(key) ^ seed, corner(*key[0]), corner(*key[1]), segments, size * 0.3)
        return pts if a == key[0] else [corner(*a)] + list(reversed(pts[1:]))

    features = []
    for i in range(cols):
        for j in range(rows):
            ring = (side(i, j, i + 1, j) + side(i + 1, j, i + 1, j + 1)
                    + side(i + 1, j + 1, i, j + 1) + side(i, j + 1, i, j))
            ring.append(ring[0])
            pcode = f"BX{i:03d}{j:03d}"
            features.append({
                "type": "Feature",
                "properties": {"ADM1_PCODE": pcode, "ADM1_ES": f"Area {i}-{j}", "ADM0_PCODE": "CO"},
                "geometry": {"type": "Polygon", "coordinates": [[list(p) for p in ring]]},
            })
    with open(out_areas, "w") as f:
        json.dump({"type": "FeatureCollection", "features": features}, f)
    rnd = random.Random(seed)
    with open(out_points, "w") as f:
        f.write("id,lon,lat\n")
        for k in range(n_points):
            lon = x_min + rnd.random() * cols * size
            lat = y_min + rnd.random() * rows * size
            f.write(f"{k},{lon:.6f},{lat:.6f}\n")


if __name__ == "__main__":
    main(sys.argv[1], sys.argv[2])
