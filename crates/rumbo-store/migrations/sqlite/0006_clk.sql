-- Privacy-preserving linkage: organisations upload cryptographic linkage keys (Bloom filters
-- under a secret Rumbo never sees, with pseudonyms), Rumbo links them and reports overlaps; the
-- matched pseudonymous pairs go to two organisations only when both consented. No name, date or
-- document is ever stored here. Conventions as in 0001.

-- One set of encodings per organisation and country; an upload replaces the previous set.
CREATE TABLE linkage_key_sets (
    id              INTEGER PRIMARY KEY,
    country_iso3    TEXT NOT NULL REFERENCES countries (iso3),
    organisation_id INTEGER NOT NULL REFERENCES organisations (id),
    records         INTEGER NOT NULL,
    -- One line per person: pseudonym, a comma, the base64 of its 128-byte filter.
    encodings       TEXT NOT NULL,
    uploaded_at     TEXT NOT NULL,
    uploaded_by     INTEGER REFERENCES users (id),
    UNIQUE (country_iso3, organisation_id)
);

-- An organisation's consent that the matched pairs between it and a partner be released to
-- both. Pairs are released only while both directions are in force. Revoked, never deleted.
-- Not the registration sharing agreements: those let one organisation see another's people
-- with names, for purposes, with each household's consent; this releases pseudonyms only, and
-- each organisation decides for itself.
CREATE TABLE linkage_consents (
    id              INTEGER PRIMARY KEY,
    country_iso3    TEXT NOT NULL REFERENCES countries (iso3),
    organisation_id INTEGER NOT NULL REFERENCES organisations (id),
    partner_id      INTEGER NOT NULL REFERENCES organisations (id),
    created_at      TEXT NOT NULL,
    created_by      INTEGER REFERENCES users (id),
    revoked_at      TEXT,
    revoked_by      INTEGER REFERENCES users (id)
);
CREATE INDEX linkage_consents_country ON linkage_consents (country_iso3, organisation_id);

-- A linkage of every set of a country, with its results.
CREATE TABLE linkage_runs (
    id           INTEGER PRIMARY KEY,
    country_iso3 TEXT NOT NULL REFERENCES countries (iso3),
    threshold    REAL NOT NULL,
    comparisons  INTEGER NOT NULL,
    run_at       TEXT NOT NULL,
    run_by       INTEGER REFERENCES users (id)
);

CREATE TABLE linkage_overlaps (
    run_id        INTEGER NOT NULL REFERENCES linkage_runs (id),
    left_org      INTEGER NOT NULL REFERENCES organisations (id),
    right_org     INTEGER NOT NULL REFERENCES organisations (id),
    left_records  INTEGER NOT NULL,
    right_records INTEGER NOT NULL,
    matched       INTEGER NOT NULL,
    PRIMARY KEY (run_id, left_org, right_org)
);

CREATE TABLE linkage_pairs (
    run_id          INTEGER NOT NULL REFERENCES linkage_runs (id),
    left_org        INTEGER NOT NULL REFERENCES organisations (id),
    left_pseudonym  TEXT NOT NULL,
    right_org       INTEGER NOT NULL REFERENCES organisations (id),
    right_pseudonym TEXT NOT NULL,
    dice            REAL NOT NULL
);
CREATE INDEX linkage_pairs_run ON linkage_pairs (run_id, left_org, right_org);
