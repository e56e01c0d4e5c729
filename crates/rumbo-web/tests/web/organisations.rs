// PLACEHOLDER — tests for organisations, written with the feature.
