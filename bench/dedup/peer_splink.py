"""Splink on DuckDB, configured as a careful user would, over one benchmark CSV.

    python peer_splink.py INPUT.csv CLUSTERS_OUT.csv

Writes `id,cluster` and prints a JSON line with the seconds from reading the file to writing the
clusters (imports excluded) and Splink's version. The configuration follows Splink's own
de-duplication tutorial: cleaned columns (clean.py), several blocking rules so that a record
with a missing or mistyped field is still compared with its duplicates, λ from deterministic
rules, u from random sampling, m by EM on two blocking rules (so that every comparison is trained
by a session that does not block on it), term-frequency adjustments on the names, then predict
and connected components at a match probability of 0.95.
"""

import json
import logging
import sys
import time

import splink
import splink.comparison_library as cl
from splink import DuckDBAPI, Linker, SettingsCreator, block_on

from clean import read

THRESHOLD = 0.95


def main():
    path, out = sys.argv[1], sys.argv[2]
    logging.getLogger("splink").setLevel(logging.WARNING)
    start = time.perf_counter()
    frame = read(path)
    api = DuckDBAPI()
    table = api.register(frame, dataset_display_name="people")
    names = [c for c in ("given_names", "first_surname", "second_surname") if frame[c].notna().any()]
    comparisons = [cl.NameComparison(c).configure(term_frequency_adjustments=True) for c in names]
    comparisons += [
        cl.DateOfBirthComparison("birth_date", input_is_string=True, datetime_format="%Y-%m-%d"),
        cl.LevenshteinAtThresholds("document", [1, 2]),
    ]
    if frame["sex"].notna().any():
        comparisons.append(cl.ExactMatch("sex"))
    blocking = [
        block_on("document"),
        block_on("first_surname", "birth_date"),
        block_on("given_first", "birth_date"),
        block_on("given_first", "first_surname", "second_surname") if "second_surname" in names
        else block_on("given_first", "first_surname"),
    ]
    if "second_surname" in names:
        blocking.append(block_on("second_surname", "birth_date"))
    settings = SettingsCreator(
        link_type="dedupe_only",
        unique_id_column_name="id",
        comparisons=comparisons,
        blocking_rules_to_generate_predictions=blocking,
        retain_intermediate_calculation_columns=False,
        retain_matching_columns=False,
    )
    linker = Linker(table, settings)
    linker.training.estimate_probability_two_random_records_match(
        [block_on("document"), block_on("given_names", "first_surname", "birth_date")], recall=0.7)
    linker.training.estimate_u_using_random_sampling(max_pairs=5e6, seed=5)
    linker.training.estimate_parameters_using_expectation_maximisation(block_on("document"))
    linker.training.estimate_parameters_using_expectation_maximisation(block_on("first_surname", "birth_date"))
    pairs = linker.inference.predict(threshold_match_probability=0.5)
    clusters = linker.clustering.cluster_pairwise_predictions_at_threshold(pairs, THRESHOLD)
    result = clusters.as_pandas_dataframe()[["id", "cluster_id"]]
    result.rename(columns={"cluster_id": "cluster"}).to_csv(out, index=False)
    print(json.dumps({"tool": f"Splink {splink.__version__}", "seconds": time.perf_counter() - start,
                      "pairs": int(pairs.as_duckdbpyrelation().aggregate("count(*)").fetchall()[0][0])}))


if __name__ == "__main__":
    main()
