"""The cleaning a careful user does before handing registrations to a Python linkage tool.

Both peers get it (and its time counts as theirs): names lower-cased, accents and punctuation
removed, spaces collapsed; the first given name on its own (for blocking); the document reduced
to its digits (V-12.345.678 → 12345678). Rumbo gets the raw file and normalises inside.
"""

import pandas as pd

COLUMNS = ["id", "organisation", "given_names", "first_surname", "second_surname", "birth_date", "sex",
           "document", "nationality"]


def read(path):
    frame = pd.read_csv(path, dtype=str, keep_default_na=False, usecols=COLUMNS)
    for col in ("given_names", "first_surname", "second_surname"):
        s = frame[col].str.lower().str.normalize("NFKD").str.encode("ascii", "ignore").str.decode("ascii")
        frame[col] = s.str.replace(r"[^a-z ]", " ", regex=True).str.split().str.join(" ")
    frame["given_first"] = frame["given_names"].str.split(" ", n=1).str[0]
    frame["document"] = frame["document"].str.replace(r"\D", "", regex=True)
    return frame.replace("", None)
