// PLACEHOLDER — tests for audit, written with the feature.
