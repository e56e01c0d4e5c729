"""The Python way to resolve points to admin areas: shapely, as an analyst would write it.

Two variants, both timed: the plain loop (every point against every polygon's bounding box,
then `contains`), and the STRtree query an expert would reach for. Prints JSON.
"""
import csv
import json
import sys
import time

import shapely
from shapely.geometry import Point, shape
from shapely.strtree import STRtree


def main(areas_path, points_path):
    t0 = time.perf_counter()
    with open(areas_path) as f:
        features = json.load(f)["features"]
    polygons = [shape(f["geometry"]) for f in features]
    codes = [f["properties"]["ADM1_PCODE"] for f in features]
    with open(points_path) as f:
        points = [Point(float(r["lon"]), float(r["lat"])) for r in csv.DictReader(f)]
    load = time.perf_counter() - t0

    t0 = time.perf_counter()
    bounds = [p.bounds for p in polygons]
    loop_hits = []
    for pt in points:
        x, y = pt.x, pt.y
        found = None
        for k, (minx, miny, maxx, maxy) in enumerate(bounds):
            if minx <= x <= maxx and miny <= y <= maxy and polygons[k].intersects(pt):
                found = codes[k]
                break
        loop_hits.append(found)
    loop = time.perf_counter() - t0

    t0 = time.perf_counter()
    tree = STRtree(polygons)
    point_idx, poly_idx = tree.query(points, predicate="intersects")
    tree_hits = [None] * len(points)
    for p, k in sorted(zip(point_idx.tolist(), poly_idx.tolist())):
        if tree_hits[p] is None or codes[k] < tree_hits[p]:
            tree_hits[p] = codes[k]
    strtree = time.perf_counter() - t0

    print(json.dumps({
        "shapely": shapely.__version__,
        "polygons": len(polygons),
        "points": len(points),
        "load_s": load,
        "loop_s": loop,
        "strtree_s": strtree,
        "resolved": sum(h is not None for h in loop_hits),
        "resolved_strtree": sum(h is not None for h in tree_hits),
    }))


if __name__ == "__main__":
    main(sys.argv[1], sys.argv[2])
