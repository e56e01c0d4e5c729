"""The peers of bench/5w. pandas runs R4V's 19 quality rules on the 5W file, vectorised, as an
analyst would (the same rules as Rumbo's, in the same reading); DuckDB runs the `maxsector`
consolidation in SQL on the rows Rumbo's run wrote (reach.csv). Prints JSON.

python five_w_peers.py OUT_DIR REGISTRY.csv
"""
import json
import sys
import time

import duckdb
import pandas as pd

out, registry_path = sys.argv[1], sys.argv[2]


def fold(s):
    return (s.str.lower().str.normalize("NFKD").str.encode("ascii", "ignore").str.decode("ascii")
            .str.replace(r"[^a-z0-9]+", " ", regex=True).str.strip())


registry = pd.read_csv(registry_path, dtype=str, keep_default_na=False)
admin1 = pd.read_csv(f"{out}/admin1.csv", dtype=str, keep_default_na=False)
partners = pd.read_csv(f"{out}/partners.csv", dtype=str, keep_default_na=False)

def rules_run():
    """Reads the file and runs the 19 rules; returns the count of reports breaking each."""
    df = pd.read_csv(f"{out}/5w.csv", dtype=str, keep_default_na=False)
    df = df.apply(lambda c: c.str.strip())
    missing = df == ""
    num = {c: pd.to_numeric(df[c], errors="coerce") for c in
           ["Value", "Quantity_output", "Total_monthly", "New_beneficiaries", "IN_DESTINATION", "IN_TRANSIT",
            "Host_Communities", "PENDULARS", "Returnees", "Girls", "Boys", "Women", "Men", "Other_under", "Other_above"]}
    iso3 = df["Country"].map({"Colombia": "COL", "Peru": "PER", "Ecuador": "ECU", "Brazil": "BRA", "Mexico": "MEX", "Panama": "PAN"})

    admin_keys = set(zip(admin1["iso3"], fold(admin1["name"]))) | set(zip(admin1["iso3"], fold(admin1["pcode"])))
    admin_ok = pd.Series([k in admin_keys for k in zip(iso3, fold(df["Admin1"]))], index=df.index) & ~missing["Admin1"]

    partner_keys = set(fold(partners["acronym"])) | set(fold(partners["name"]))
    def known_partner(col):
        direct = fold(df[col]).isin(partner_keys)
        bracket = fold(df[col].str.extract(r"\(([^()]*)\)\s*$")[0].fillna("")).isin(partner_keys)
        return (direct | bracket) & ~missing[col]

    sector_names = pd.concat([
        pd.DataFrame({"key": fold(registry[c]), "sector_code": registry["sector_code"]})
        for c in ["sector_code", "sector_en", "sector_es"]]).drop_duplicates("key")
    sector = fold(df["Subsector"]).map(dict(zip(sector_names["key"], sector_names["sector_code"])))
    ind_keys = {(s, k): kind for s, k, kind in zip(registry["sector_code"], fold(registry["indicator_en"]), registry["kind"])}
    ind_keys.update({(s, k.lower()): kind for s, k, kind in zip(registry["sector_code"], registry["indicator_code"], registry["kind"])})
    kind = pd.Series([ind_keys.get((s, k)) for s, k in zip(sector, fold(df["Indicator"]))], index=df.index)

    yes, no = df["CVA"].str.lower() == "yes", df["CVA"].str.lower() == "no"
    impl_yes, impl_no = df["Implementation"].str.lower() == "yes", df["Implementation"].str.lower() == "no"
    new = num["New_beneficiaries"].fillna(0)
    zero = lambda c: num[c].fillna(0) == 0
    pop_sum = sum(num[c].fillna(0) for c in ["IN_DESTINATION", "IN_TRANSIT", "Host_Communities", "PENDULARS", "Returnees"])
    agd_sum = sum(num[c].fillna(0) for c in ["Girls", "Boys", "Women", "Men", "Other_under", "Other_above"])
    da, cb = kind == "direct_assistance", kind == "capacity_building"
    has_value = num["Value"].fillna(0) > 0
    rules = {
        1: iso3.isna() | missing["Admin1"],
        2: ~admin_ok,
        3: ~missing["Admin2"],
        4: ~known_partner("Appealing_org"),
        5: missing["Implementation"],
        6: (impl_yes & ~known_partner("Implementing_partner")) | (impl_no & ~missing["Implementing_partner"]),
        7: missing["Month"],
        8: missing[["Subsector", "Indicator", "Activity_Name", "RMRPActivity", "CVA"]].any(axis=1),
        9: kind.isna(),
        10: yes & ~has_value,
        11: yes & missing["Delivery_mechanism"],
        12: no & (has_value | ~missing["Delivery_mechanism"]),
        13: no & (sector == "multipurpose_cash"),
        14: da & zero("New_beneficiaries") & zero("Total_monthly"),
        15: num["New_beneficiaries"].notna() & num["Total_monthly"].notna() & (num["New_beneficiaries"] > num["Total_monthly"]),
        16: da & (new != pop_sum),
        17: da & (new != agd_sum),
        18: cb & zero("Total_monthly"),
        19: kind.notna() & ~da & ~cb & zero("Quantity_output"),
    }
    return len(df), {str(k): int(v.sum()) for k, v in rules.items()}


# The best of three runs, as for Rumbo: the machines are shared.
pandas_s = float("inf")
for _ in range(3):
    started = time.perf_counter()
    rows_read, counts = rules_run()
    pandas_s = min(pandas_s, time.perf_counter() - started)

con = duckdb.connect()
con.execute(f"CREATE TABLE reach AS SELECT * FROM read_csv_auto('{out}/reach.csv', header=true, all_varchar=false)")
con.execute("SELECT COUNT(*) FROM reach").fetchone()
SQL = """
WITH s AS (
  SELECT country, admin1, month, sector, SUM(new) AS new, SUM(total) AS total, SUM(CASE WHEN cva = 1 THEN new ELSE 0 END) AS cva_new,
         SUM(p0) p0, SUM(p1) p1, SUM(p2) p2, SUM(p3) p3, SUM(p4) p4,
         SUM(g0) g0, SUM(g1) g1, SUM(g2) g2, SUM(g3) g3, SUM(g4) g4, SUM(g5) g5
  FROM reach GROUP BY ALL),
s2 AS (SELECT *, GREATEST(new - (p0 + p1 + p2 + p3 + p4), 0) AS p5 FROM s),
s3 AS (SELECT *, GREATEST((p0 + p1 + p2 + p3 + p4 + p5) - (g0 + g1 + g2 + g3 + g4 + g5), 0) AS g6 FROM s2),
s4 AS (SELECT *, g0 + g1 + g2 + g3 + g4 + g5 + g6 AS sg FROM s3),
pops AS (SELECT country, admin1, month, sector, sg, g0, g1, g2, g3, g4, g5, g6,
                UNNEST([0, 1, 2, 3, 4, 5]) AS pi, UNNEST([p0, p1, p2, p3, p4, p5]) AS p FROM s4),
cells AS (SELECT country, admin1, month, sector, pi, UNNEST([0, 1, 2, 3, 4, 5, 6]) AS gi,
                 UNNEST([g0, g1, g2, g3, g4, g5, g6]) AS g, p, sg FROM pops),
inter AS (SELECT country, admin1, month, pi, gi,
                 MAX(CASE WHEN sg = 0 THEN 0 ELSE (2 * p * g + sg) // (2 * sg) END) AS cell
          FROM cells GROUP BY ALL),
admin1 AS (SELECT country, admin1, month, SUM(cell) AS people FROM inter GROUP BY ALL)
SELECT country, SUM(people) AS people, COUNT(*) AS groups FROM admin1 GROUP BY country ORDER BY country
"""
duckdb_s = float("inf")
for _ in range(3):
    started = time.perf_counter()
    rows = con.execute(SQL).fetchall()
    duckdb_s = min(duckdb_s, time.perf_counter() - started)

print(json.dumps({
    "rows": rows_read, "pandas_s": pandas_s, "rules": counts, "pandas": pd.__version__,
    "duckdb": duckdb.__version__, "duckdb_s": duckdb_s,
    "people_by_country": {c: int(p) for c, p, _ in rows}, "admin1_groups": int(sum(g for _, _, g in rows)),
}))
