"""recordlinkage (the Python Record Linkage Toolkit) over one benchmark CSV.

    python peer_recordlinkage.py INPUT.csv CLUSTERS_OUT.csv

Writes `id,cluster` and prints a JSON line with the seconds from reading the file to writing the
clusters (imports excluded). Configured as its documentation shows for de-duplication: the
cleaned columns of clean.py; candidate pairs from the union of several blocking keys and a
sorted neighbourhood on the surnames; Jaro-Winkler on names, Levenshtein on the document, exact
birth date and sex, each made binary at the toolkit's usual 0.85; pairs classified without labels
by the toolkit's ECM (Fellegi–Sunter by EM); connected components of the matches are the persons.
"""

import json
import sys
import time

import numpy as np
import pandas as pd
import recordlinkage as rl
from scipy.sparse import coo_matrix
from scipy.sparse.csgraph import connected_components

from clean import read


def main():
    path, out = sys.argv[1], sys.argv[2]
    start = time.perf_counter()
    frame = read(path)
    has_second = frame["second_surname"].notna().any()
    has_sex = frame["sex"].notna().any()
    frame["surnames"] = frame["first_surname"].fillna("") + " " + frame["second_surname"].fillna("")
    index = rl.Index()
    index.block("document")
    index.block(["first_surname", "birth_date"])
    index.block(["given_first", "birth_date"])
    index.block(["given_first", "first_surname", "second_surname"] if has_second else ["given_first", "first_surname"])
    index.sortedneighbourhood("surnames", window=5, block_on=["given_first"])
    candidates = index.index(frame)
    compare = rl.Compare()
    compare.string("given_names", "given_names", method="jarowinkler", threshold=0.85, label="given_names")
    compare.string("first_surname", "first_surname", method="jarowinkler", threshold=0.85, label="first_surname")
    if has_second:
        compare.string("second_surname", "second_surname", method="jarowinkler", threshold=0.85, label="second_surname")
    compare.exact("birth_date", "birth_date", label="birth_date")
    compare.string("document", "document", method="levenshtein", threshold=0.85, label="document")
    if has_sex:
        compare.exact("sex", "sex", label="sex")
    features = compare.compute(candidates, frame)
    matches = rl.ECMClassifier(binarize=None).fit_predict(features.astype(int))
    left, right = matches.get_level_values(0).to_numpy(), matches.get_level_values(1).to_numpy()
    n = len(frame)
    graph = coo_matrix((np.ones(len(left), dtype=np.int8), (left, right)), shape=(n, n))
    _, labels = connected_components(graph, directed=False)
    pd.DataFrame({"id": frame["id"], "cluster": labels}).to_csv(out, index=False)
    print(json.dumps({"tool": f"recordlinkage {rl.__version__}", "seconds": time.perf_counter() - start,
                      "pairs": int(len(candidates))}))


if __name__ == "__main__":
    main()
