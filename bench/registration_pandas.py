"""The pandas side of bench/registration-import: what a user would otherwise do with the same
file — read_csv, then to_sql into a SQLite table, with no validation and no encryption.
Prints JSON; peak memory is measured around it by /usr/bin/time."""
import json
import sqlite3
import sys
import time

import pandas as pd

started = time.perf_counter()
frame = pd.read_csv(sys.argv[1], dtype=str, keep_default_na=False)
with sqlite3.connect(sys.argv[2]) as db:
    frame.to_sql("people", db, if_exists="replace", index=False, chunksize=50_000)
print(json.dumps({"rows": len(frame), "seconds": time.perf_counter() - started, "pandas": pd.__version__}))
