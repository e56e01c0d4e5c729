// PLACEHOLDER — tests for geography, written with the feature.
