"""Pairwise precision, recall and F1 of a clustering against the truth, by counting.

A cluster of n records holds n(n-1)/2 pairs; the pairs two clusterings agree on are those inside
each (predicted cluster ∩ true cluster) cell. Counting cells instead of listing pairs keeps a
100,000-record cluster (a tool that chained everyone) at the cost of one group-by.
"""

import pandas as pd


def pairs(sizes):
    sizes = sizes.astype("int64")
    return int((sizes * (sizes - 1) // 2).sum())


def score(truth_csv, clusters_csv):
    """truth_csv has `id,person`; clusters_csv has `id,cluster` for every record."""
    truth = pd.read_csv(truth_csv, dtype=str, usecols=["id", "person"], keep_default_na=False)
    got = pd.read_csv(clusters_csv, dtype=str, usecols=["id", "cluster"], keep_default_na=False)
    merged = truth.merge(got, on="id", how="left")
    missing = int(merged["cluster"].isna().sum())
    # A record a tool left out is a cluster of its own (it found no duplicate for it).
    merged["cluster"] = merged["cluster"].fillna("missing:" + merged["id"])
    true_pairs = pairs(merged.groupby("person").size())
    predicted = pairs(merged.groupby("cluster").size())
    agreed = pairs(merged.groupby(["cluster", "person"]).size())
    precision = agreed / predicted if predicted else 1.0
    recall = agreed / true_pairs if true_pairs else 1.0
    f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
    return dict(precision=precision, recall=recall, f1=f1, true_pairs=true_pairs, predicted_pairs=predicted,
                agreed_pairs=agreed, records=len(merged), missing=missing,
                clusters=int(merged["cluster"].nunique()), persons=int(merged["person"].nunique()))
