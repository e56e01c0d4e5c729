// PLACEHOLDER — tests for access, written with the feature.
