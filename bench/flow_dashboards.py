"""The measuring side of bench/flow-dashboards: the same two dashboard queries through Rumbo's
HTTP API (SQLite and PostgreSQL) and in DuckDB over the same rows, 200 times each."""
import datetime
import http.client
import json
import statistics
import sys
import time
import urllib.parse

import duckdb

csv_path, duck_path, sqlite_url, sqlite_token, pg_url, pg_token = sys.argv[1:7]
RUNS = 200
POINT = "COL-CUC-SB-FM"
COUNTRY = "COL"


def quantiles(samples):
    ordered = sorted(samples)
    return statistics.median(ordered) * 1000, ordered[int(len(ordered) * 0.95) - 1] * 1000


class Api:
    def __init__(self, base, token):
        parts = urllib.parse.urlsplit(base)
        self.conn = http.client.HTTPConnection(parts.hostname, parts.port)
        self.headers = {"Authorization": f"Bearer {token}"}

    def get(self, path):
        self.conn.request("GET", path, headers=self.headers)
        response = self.conn.getresponse()
        body = response.read()
        if response.status != 200:
            raise SystemExit(f"{path}: HTTP {response.status} {body[:300]!r}")
        return json.loads(body)


today = datetime.date.today()
year_from, year_until = today - datetime.timedelta(days=365), today
quarter_from, quarter_until = today - datetime.timedelta(days=120), today - datetime.timedelta(days=30)

started = time.perf_counter()
duck = duckdb.connect(duck_path)
duck.execute(f"CREATE TABLE counts AS SELECT * FROM read_csv('{csv_path}', header = true)")
print(f"DuckDB: loaded the CSV in {time.perf_counter() - started:.1f} s")
colombia = [r[0] for r in duck.execute("SELECT DISTINCT fmp FROM counts WHERE fmp LIKE 'COL-%'").fetchall()]
in_list = ", ".join(f"'{c}'" for c in colombia)
duck_queries = {
    "weekly series, one point, a year": (
        "SELECT date_trunc('week', date) AS week, direction, SUM(group_size) FROM counts "
        f"WHERE fmp = '{POINT}' AND date BETWEEN DATE '{year_from}' AND DATE '{year_until}' GROUP BY 1, 2 ORDER BY 1"
    ),
    "nationality, a country, a quarter": (
        "SELECT nationality, direction, SUM(group_size) FROM counts "
        f"WHERE fmp IN ({in_list}) AND date BETWEEN DATE '{quarter_from}' AND DATE '{quarter_until}' GROUP BY 1, 2"
    ),
}

results = []
for name, sql in duck_queries.items():
    samples = []
    for _ in range(RUNS):
        t = time.perf_counter()
        duck.execute(sql).fetchall()
        samples.append(time.perf_counter() - t)
    results.append(("DuckDB (in process, raw rows)", name, *quantiles(samples)))

for label, base, token in [("Rumbo HTTP API, SQLite", sqlite_url, sqlite_token), ("Rumbo HTTP API, PostgreSQL", pg_url, pg_token)]:
    api = Api(base, token)
    point = next(p["id"] for p in api.get("/api/v1/flow/points") if p["code"] == POINT)
    paths = {
        "weekly series, one point, a year": f"/api/v1/flow/series?point={point}&from={year_from}&until={year_until}&interval=week",
        "nationality, a country, a quarter": f"/api/v1/flow/breakdown?dimension=nationality&country={COUNTRY}&from={quarter_from}&until={quarter_until}",
    }
    for name, path in paths.items():
        api.get(path)  # warm
        samples = []
        for _ in range(RUNS):
            t = time.perf_counter()
            api.get(path)
            samples.append(time.perf_counter() - t)
        results.append((label, name, *quantiles(samples)))

print(f"{'engine':<32} {'query':<36} {'p50 ms':>8} {'p95 ms':>8}")
for engine, query, p50, p95 in results:
    print(f"{engine:<32} {query:<36} {p50:>8.2f} {p95:>8.2f}")
