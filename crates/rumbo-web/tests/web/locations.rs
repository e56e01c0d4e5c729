// PLACEHOLDER — tests for locations, written with the feature.
