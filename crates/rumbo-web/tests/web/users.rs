// PLACEHOLDER — tests for users, written with the feature.
