"""The peers of bench/flow-import: load the count CSV into a table, and print the seconds taken
(reading and writing, not the interpreter's start)."""
import sys
import time

tool, csv_path, db_path = sys.argv[1:4]
started = time.perf_counter()
if tool == "duckdb":
    import duckdb

    con = duckdb.connect(db_path)
    con.execute(f"CREATE TABLE counts AS SELECT * FROM read_csv('{csv_path}', header = true)")
    con.close()
else:
    import sqlite3

    import pandas

    frame = pandas.read_csv(csv_path)
    con = sqlite3.connect(db_path)
    frame.to_sql("counts", con, index=False, chunksize=10_000)
    con.commit()
    con.close()
print(f"{time.perf_counter() - started:.3f}")
