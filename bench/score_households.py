"""The pandas side of bench/scoring: the same 30-criterion model as score_households.rs,
scored from the same two tables (people.csv, households.csv) as an analyst writes it —
household facts from the members with groupby, then the criteria vectorised, group caps,
the cap on the whole score and the threshold. Reading the files is not timed (nor is Rumbo's).
Prints JSON with the best of seven runs (as the Rust side)."""
import json
import sys
import time

import numpy as np
import pandas as pd

TODAY = pd.Timestamp("2026-06-30")
IDENTITY = ["venezuelan_cedula", "passport", "pep", "ppt", "host_permit"]


def score(people, homes):
    p = people
    later = (p.birth_month > 6) | ((p.birth_month == 6) & (p.birth_day > 30))
    age = 2026 - p.birth_year - later.astype(int)
    child, older = age < 18, age >= 60
    disabled = ((p.needs & 16) > 0) | (p.wg_walking >= 3)
    in_force = (p.document_expiry == "") | (p.document_expiry >= "2026-06-30")
    documented = in_force & (p.document_type.isin(IDENTITY) | (child & (p.document_type == "birth_certificate")))
    per = pd.DataFrame({
        "household": p.household,
        "size": 1,
        "children": child.astype(int),
        "under_five": (age < 5).astype(int),
        "older": older.astype(int),
        "disabled_members": disabled.astype(int),
        "undocumented": (~documented).astype(int),
        "medical": (p.needs & 1 > 0).astype(int),
        "pregnant": (p.needs & 2 > 0).astype(int),
        "older_at_risk": (p.needs & 4 > 0).astype(int),
        "child_at_risk": (p.needs & 8 > 0).astype(int),
        "spouse": (p.relationship == "spouse").astype(int),
    })
    f = per.groupby("household", sort=True).sum()
    head = p.relationship == "head"
    heads = pd.DataFrame({"female": (p.sex == "female")[head].values, "age": age[head].values,
                          "disabled": disabled[head].values}, index=p.household[head].values)
    f = f.join(heads, how="left").join(homes.set_index("household"), how="left")
    working = f["size"] - f.children - f.older
    ratio = (f.children + f.older) / working.where(working > 0)
    dependency = np.select([working == 0, ratio <= 0.5, ratio <= 1.0], [3, 0, 1], 2)
    single = (f.spouse == 0) & (f["size"] > 1)
    profile = np.select([f.age < 18, (f.age >= 60) | f.disabled, single, f.female], [4, 3, 2, 1], 0)
    days = (TODAY - f.arrival_date).dt.days.clip(lower=0)
    composition = [(f["size"] >= 5, 5), (f.children >= 3, 6), (f.under_five >= 1, 4), (f.older >= 1, 4),
                   (dependency == 2, 5), (dependency == 3, 8)]
    free = [(f.female, 6), (single, 6), (f.age >= 60, 3), (profile == 3, 5), (f["disabled_members"] > 0, 8),
            (f["disabled_members"] >= 2, 4), (f.undocumented > 0, 7), (f.undocumented >= 3, 3), (days < 90, 6),
            (days < 30, 4), (f.population_group == "in_transit", 5)]
    needs = [(f.medical >= 1, 6), (f.pregnant >= 1, 5), (f.older_at_risk >= 1, 4), (f.child_at_risk >= 1, 6)]
    conditions = [(f.meals == 0, 8), (f.shelter == 2, 7), (f.water == 1, 5), (f.sanitation == 2, 4),
                  (f.electricity == 1, 2), (f.work == 1, 5), (f.coping == 2, 7), (f.safety == 1, 6), (f.isolation == 1, 3)]

    def points(criteria):
        return sum(np.where(match, pts, 0.0) for match, pts in criteria)

    total = (points(free) + np.minimum(points(composition), 15) + np.minimum(points(needs), 12)
             + np.minimum(points(conditions), 30))
    total = np.round(np.minimum(total, 90) * 1000) / 1000
    matched = sum(int(np.count_nonzero(m)) for m, _ in composition + free + needs + conditions)
    return total, matched


def main():
    folder = sys.argv[1]
    people = pd.read_csv(f"{folder}/people.csv", dtype={"document_type": str, "document_expiry": str})
    people[["document_type", "document_expiry"]] = people[["document_type", "document_expiry"]].fillna("")
    homes = pd.read_csv(f"{folder}/households.csv", parse_dates=["arrival_date"])
    best, result = float("inf"), None
    for _ in range(7):
        started = time.perf_counter()
        result = score(people, homes)
        best = min(best, time.perf_counter() - started)
    total, matched = result
    print(json.dumps({"households": int(len(total)), "pandas_s": best, "eligible": int((total >= 55).sum()),
                      "score_sum": float(total.sum()), "criteria_matched": matched, "pandas": pd.__version__}))


main()
