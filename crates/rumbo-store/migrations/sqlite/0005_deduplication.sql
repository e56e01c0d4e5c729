-- De-duplication: probable matches between people found by the record-linkage engine join the
-- one review queue (`review_flags`, which already holds exact document duplicates) with their
-- probability and a per-field explanation; decisions are kept as history; people confirmed to
-- be one person share a resolved identity, which every count of unique persons uses.

-- The models the engine trained over a country's registrations (unsupervised, so each run may
-- differ): the latest one scores each new registration against the people already registered.
CREATE TABLE linkage_models (
    id           INTEGER PRIMARY KEY,
    country_iso3 TEXT NOT NULL REFERENCES countries (iso3),
    -- JSON: the trained m/u weights and term frequencies (frequencies of name tokens, no record).
    model        TEXT NOT NULL,
    records      INTEGER NOT NULL,
    pairs        INTEGER NOT NULL,
    suggested    INTEGER NOT NULL,
    trained_at   TEXT NOT NULL,
    trained_by   INTEGER REFERENCES users (id)
);
CREATE INDEX linkage_models_country ON linkage_models (country_iso3, id);

-- A probable match is a review flag of kind `probable_match`. `probability` is the engine's
-- match probability (0..1); `explanation` is JSON, one entry per compared field with its
-- agreement level and weight (levels and weights only: never a value). Exact document
-- duplicates keep both NULL.
ALTER TABLE review_flags ADD COLUMN probability REAL;
ALTER TABLE review_flags ADD COLUMN explanation TEXT;
ALTER TABLE review_flags ADD COLUMN model_id INTEGER REFERENCES linkage_models (id);
-- Whether a pair was ever suggested, in either order: a rejected pair is never suggested again.
CREATE INDEX review_flags_members ON review_flags (member_id, other_member_id);
CREATE INDEX review_flags_queue ON review_flags (status, kind);

-- Every decision on a flag, in order: duplicate (confirmed: merged into one identity),
-- not_duplicate (rejected), undone (a confirmed merge taken back). Never updated.
CREATE TABLE review_decisions (
    id       INTEGER PRIMARY KEY,
    flag_id  INTEGER NOT NULL REFERENCES review_flags (id),
    decision TEXT NOT NULL,
    at       TEXT NOT NULL,
    user_id  INTEGER REFERENCES users (id)
);
CREATE INDEX review_decisions_flag ON review_decisions (flag_id, id);

-- Resolved identities: people confirmed to be the same person share `identity_id`, the smallest
-- member id among them. Only people in an identity of two or more have a row; every source
-- record stays as it was. Rebuilt from the confirmed flags after each decision.
CREATE TABLE person_identities (
    member_id   INTEGER PRIMARY KEY REFERENCES household_members (id),
    identity_id INTEGER NOT NULL,
    resolved_at TEXT NOT NULL
);
CREATE INDEX person_identities_identity ON person_identities (identity_id);
