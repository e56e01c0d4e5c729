-- Registration: households and their members, documents, specific needs, consent, history,
-- possible duplicates, sharing agreements between organisations, vulnerability models and
-- scores, assistance programmes, their beneficiary lists and the assistance recorded.
--
-- Personal data is never stored in clear. Names, document numbers, phones, positions, and the
-- reasons and earlier values of edits are encrypted field by field (`*_enc` columns hold
-- 'v1:<key id>:<base64 of nonce, ciphertext and tag>', XChaCha20-Poly1305); the key comes from
-- the server's configuration and never enters the database, and the key id beside each value
-- lets keys rotate. Document numbers also get a blind index (`number_blind`: HMAC-SHA256 of
-- type and normalised number under a second key), so a second registration of the same
-- document is found without decrypting anything.
--
-- Erasure on request empties the personal columns and the blind index and keeps the row, so
-- that figures (how many people, of which sex, age and needs) stay what they were.

CREATE TABLE households (
    id               INTEGER PRIMARY KEY,
    country_iso3     TEXT NOT NULL REFERENCES countries (iso3),
    -- The registration desk (a location of kind registration_desk).
    desk_id          INTEGER NOT NULL REFERENCES locations (id),
    -- The organisation that runs the desk: it holds the record and decides whom to share it with.
    organisation_id  INTEGER NOT NULL REFERENCES organisations (id),
    -- active | merged (into merged_into) | erased
    status           TEXT NOT NULL,
    merged_into      INTEGER REFERENCES households (id),
    population_group TEXT NOT NULL,
    arrival_date     TEXT,
    previous_country TEXT,
    previous_area    TEXT,
    -- Where the household lives now: the admin area given, or the desk's.
    adm1_pcode       TEXT,
    adm2_pcode       TEXT,
    position_enc     TEXT,
    child_headed     INTEGER NOT NULL DEFAULT 0,
    -- Answers to the living-conditions questions, by code (NULL: not asked).
    meals            TEXT,
    shelter          TEXT,
    water            TEXT,
    sanitation       TEXT,
    electricity      TEXT,
    work             TEXT,
    coping           TEXT,
    safety           TEXT,
    internet         TEXT,
    isolation        TEXT,
    -- The consent in force; its history is in household_consents.
    consent_registration INTEGER NOT NULL,
    consent_sharing      INTEGER NOT NULL,
    consent_referral     INTEGER NOT NULL,
    registered_at    TEXT NOT NULL,
    -- NULL: registered by the system (an import from the command line, the demo).
    registered_by    INTEGER REFERENCES users (id),
    verified_at      TEXT,
    verified_by      INTEGER REFERENCES users (id),
    updated_at       TEXT NOT NULL,
    erased_at        TEXT
);
CREATE INDEX households_country_org ON households (country_iso3, organisation_id, status);
CREATE INDEX households_desk ON households (desk_id);
CREATE INDEX households_adm2 ON households (adm2_pcode);

CREATE TABLE household_members (
    id                   INTEGER PRIMARY KEY,
    household_id         INTEGER NOT NULL REFERENCES households (id),
    relationship         TEXT NOT NULL,
    given_names_enc      TEXT,
    first_surname_enc    TEXT,
    second_surname_enc   TEXT,
    phone_enc            TEXT,
    sex                  TEXT NOT NULL,
    birth_date           TEXT NOT NULL,
    birth_date_estimated INTEGER NOT NULL,
    nationality          TEXT NOT NULL,
    -- Washington Group Short Set answers, 1 (no difficulty) to 4 (cannot do at all).
    wg_seeing            INTEGER,
    wg_hearing           INTEGER,
    wg_walking           INTEGER,
    wg_cognition         INTEGER,
    wg_self_care         INTEGER,
    wg_communication     INTEGER,
    -- active | erased (personal data removed on request; still counted in figures)
    status               TEXT NOT NULL,
    created_at           TEXT NOT NULL,
    updated_at           TEXT NOT NULL,
    erased_at            TEXT
);
CREATE INDEX household_members_household ON household_members (household_id);

CREATE TABLE member_needs (
    member_id INTEGER NOT NULL REFERENCES household_members (id),
    need      TEXT NOT NULL,
    PRIMARY KEY (member_id, need)
);

CREATE TABLE member_documents (
    id           INTEGER PRIMARY KEY,
    member_id    INTEGER NOT NULL REFERENCES household_members (id),
    doc_type     TEXT NOT NULL,
    number_enc   TEXT,
    number_blind TEXT,
    expiry_date  TEXT
);
CREATE INDEX member_documents_member ON member_documents (member_id);
CREATE INDEX member_documents_blind ON member_documents (number_blind);

-- Consent as recorded, purpose by purpose: who recorded it and when. Never updated.
CREATE TABLE household_consents (
    id           INTEGER PRIMARY KEY,
    household_id INTEGER NOT NULL REFERENCES households (id),
    purpose      TEXT NOT NULL,
    given        INTEGER NOT NULL,
    recorded_at  TEXT NOT NULL,
    recorded_by  INTEGER REFERENCES users (id)
);
CREATE INDEX household_consents_household ON household_consents (household_id);

-- The history of a household: registered, verified, edited (which fields, why, and the earlier
-- values, encrypted), split, merged, members moved in and out, consent changed, erased.
-- Never updated, except that erasure empties the encrypted columns.
CREATE TABLE registration_events (
    id                   INTEGER PRIMARY KEY,
    household_id         INTEGER NOT NULL REFERENCES households (id),
    member_id            INTEGER REFERENCES household_members (id),
    at                   TEXT NOT NULL,
    user_id              INTEGER REFERENCES users (id),
    kind                 TEXT NOT NULL,
    -- Names of the fields changed, comma-separated: never their values.
    fields               TEXT NOT NULL DEFAULT '',
    reason_enc           TEXT,
    before_enc           TEXT,
    related_household_id INTEGER REFERENCES households (id)
);
CREATE INDEX registration_events_household ON registration_events (household_id, id);

-- Possible duplicates (the same document registered twice), flagged for review, not refused.
CREATE TABLE review_flags (
    id                 INTEGER PRIMARY KEY,
    kind               TEXT NOT NULL,
    household_id       INTEGER NOT NULL REFERENCES households (id),
    member_id          INTEGER REFERENCES household_members (id),
    other_household_id INTEGER REFERENCES households (id),
    other_member_id    INTEGER REFERENCES household_members (id),
    created_at         TEXT NOT NULL,
    -- open | duplicate | not_duplicate
    status             TEXT NOT NULL,
    reviewed_at        TEXT,
    reviewed_by        INTEGER REFERENCES users (id)
);
CREATE INDEX review_flags_household ON review_flags (household_id);
CREATE INDEX review_flags_other ON review_flags (other_household_id);

-- Organisation `from` lets organisation `to` see its registrations in a country, for the
-- purposes listed, between two dates. Revoked, not deleted.
CREATE TABLE sharing_agreements (
    id              INTEGER PRIMARY KEY,
    from_org        INTEGER NOT NULL REFERENCES organisations (id),
    to_org          INTEGER NOT NULL REFERENCES organisations (id),
    country_iso3    TEXT NOT NULL REFERENCES countries (iso3),
    reference       TEXT NOT NULL,
    valid_from      TEXT NOT NULL,
    valid_until     TEXT,
    created_at      TEXT NOT NULL,
    created_by      INTEGER REFERENCES users (id),
    revoked_at      TEXT,
    revoked_by      INTEGER REFERENCES users (id)
);
CREATE INDEX sharing_agreements_to ON sharing_agreements (to_org, country_iso3);

CREATE TABLE sharing_agreement_purposes (
    agreement_id INTEGER NOT NULL REFERENCES sharing_agreements (id),
    purpose      TEXT NOT NULL,
    PRIMARY KEY (agreement_id, purpose)
);

-- Vulnerability models: a country's versions, each immutable once stored (a change is a new
-- version); one is active. `definition` is the model as JSON (criteria, caps, threshold).
CREATE TABLE vulnerability_models (
    id           INTEGER PRIMARY KEY,
    country_iso3 TEXT NOT NULL REFERENCES countries (iso3),
    name         TEXT NOT NULL,
    version      INTEGER NOT NULL,
    threshold    REAL NOT NULL,
    definition   TEXT NOT NULL,
    source       TEXT NOT NULL,
    is_active    INTEGER NOT NULL DEFAULT 0,
    created_at   TEXT NOT NULL,
    created_by   INTEGER REFERENCES users (id)
);
CREATE UNIQUE INDEX vulnerability_models_version ON vulnerability_models (country_iso3, version);

-- Each household's score under its country's active model, with the criteria that matched.
CREATE TABLE vulnerability_scores (
    household_id INTEGER PRIMARY KEY REFERENCES households (id),
    model_id     INTEGER NOT NULL REFERENCES vulnerability_models (id),
    score        REAL NOT NULL,
    eligible     INTEGER NOT NULL,
    -- JSON: the ids of the criteria that matched and the groups that were capped.
    explanation  TEXT NOT NULL,
    computed_at  TEXT NOT NULL
);
CREATE INDEX vulnerability_scores_model ON vulnerability_scores (model_id);

CREATE TABLE programmes (
    id               INTEGER PRIMARY KEY,
    code             TEXT NOT NULL UNIQUE,
    name             TEXT NOT NULL,
    country_iso3     TEXT NOT NULL REFERENCES countries (iso3),
    organisation_id  INTEGER NOT NULL REFERENCES organisations (id),
    -- Households living in this admin area (at level 1 or 2); NULL for the whole country.
    area_pcode       TEXT,
    target_households INTEGER NOT NULL,
    -- JSON: quotas, tie-breaks, and whether households assisted elsewhere are left out.
    rules            TEXT NOT NULL,
    starts_on        TEXT,
    ends_on          TEXT,
    created_at       TEXT NOT NULL,
    created_by       INTEGER REFERENCES users (id)
);

-- A beneficiary list as drawn up, kept as it was: the model it used and why each household is on it.
CREATE TABLE beneficiary_lists (
    id           INTEGER PRIMARY KEY,
    programme_id INTEGER NOT NULL REFERENCES programmes (id),
    model_id     INTEGER NOT NULL REFERENCES vulnerability_models (id),
    generated_at TEXT NOT NULL,
    generated_by INTEGER REFERENCES users (id),
    eligible     INTEGER NOT NULL,
    excluded_as_assisted INTEGER NOT NULL,
    -- JSON: quotas that could not be met.
    shortfalls   TEXT NOT NULL
);

CREATE TABLE beneficiary_list_entries (
    list_id      INTEGER NOT NULL REFERENCES beneficiary_lists (id),
    rank         INTEGER NOT NULL,
    household_id INTEGER NOT NULL REFERENCES households (id),
    score        REAL NOT NULL,
    -- score | quota:<attribute>
    reason       TEXT NOT NULL,
    PRIMARY KEY (list_id, rank)
);
CREATE INDEX beneficiary_list_entries_household ON beneficiary_list_entries (household_id);

CREATE TABLE assistance_records (
    id           INTEGER PRIMARY KEY,
    programme_id INTEGER NOT NULL REFERENCES programmes (id),
    household_id INTEGER NOT NULL REFERENCES households (id),
    assisted_on  TEXT NOT NULL,
    recorded_at  TEXT NOT NULL,
    recorded_by  INTEGER REFERENCES users (id)
);
CREATE UNIQUE INDEX assistance_records_once ON assistance_records (programme_id, household_id, assisted_on);
CREATE INDEX assistance_records_household ON assistance_records (household_id);
