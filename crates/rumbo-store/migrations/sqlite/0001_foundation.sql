-- The foundation: countries, geography, organisations, users and their roles, sessions,
-- API tokens, sign-in throttling and the audit log.
--
-- Conventions shared with migrations/postgres (the two trees keep the same versions, and a
-- test checks it):
-- * Timestamps are TEXT in RFC 3339 UTC ('2026-11-28T21:20:04Z'), dates TEXT 'YYYY-MM-DD':
--   both sort and compare correctly as text, read the same on both backends, and stay legible
--   to anyone auditing the database by hand.
-- * Flags are INTEGER 0/1, never BOOLEAN, so both backends return the same type.
-- * Codes from closed vocabularies (role, location kind...) are stored as their stable codes.

CREATE TABLE countries (
    iso3        TEXT PRIMARY KEY,
    iso2        TEXT NOT NULL,
    name_es     TEXT NOT NULL,
    name_en     TEXT NOT NULL,
    name_pt     TEXT NOT NULL,
    in_response INTEGER NOT NULL DEFAULT 0
);

CREATE TABLE platforms (
    id         INTEGER PRIMARY KEY,
    code       TEXT NOT NULL UNIQUE,
    name       TEXT NOT NULL,
    kind       TEXT NOT NULL,
    created_at TEXT NOT NULL
);

CREATE TABLE platform_countries (
    platform_id  INTEGER NOT NULL REFERENCES platforms (id) ON DELETE CASCADE,
    country_iso3 TEXT NOT NULL REFERENCES countries (iso3),
    PRIMARY KEY (platform_id, country_iso3)
);

CREATE TABLE organisations (
    id           INTEGER PRIMARY KEY,
    name         TEXT NOT NULL,
    acronym      TEXT NOT NULL,
    kind         TEXT NOT NULL,
    -- NULL for regional and international organisations.
    country_iso3 TEXT REFERENCES countries (iso3),
    website      TEXT,
    is_active    INTEGER NOT NULL DEFAULT 1,
    created_at   TEXT NOT NULL,
    updated_at   TEXT NOT NULL
);
CREATE UNIQUE INDEX organisations_acronym ON organisations (acronym);

CREATE TABLE organisation_platforms (
    organisation_id INTEGER NOT NULL REFERENCES organisations (id) ON DELETE CASCADE,
    platform_id     INTEGER NOT NULL REFERENCES platforms (id) ON DELETE CASCADE,
    PRIMARY KEY (organisation_id, platform_id)
);

CREATE TABLE users (
    id              INTEGER PRIMARY KEY,
    -- Stored lower case: sign-in is case-insensitive.
    username        TEXT NOT NULL UNIQUE,
    display_name    TEXT NOT NULL,
    email           TEXT,
    organisation_id INTEGER NOT NULL REFERENCES organisations (id),
    password_hash   TEXT NOT NULL,
    -- NULL: follow the browser's language.
    language        TEXT,
    is_active       INTEGER NOT NULL DEFAULT 1,
    created_at      TEXT NOT NULL,
    updated_at      TEXT NOT NULL,
    last_sign_in_at TEXT
);
CREATE INDEX users_organisation ON users (organisation_id);

CREATE TABLE role_grants (
    id           INTEGER PRIMARY KEY,
    user_id      INTEGER NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    role         TEXT NOT NULL,
    -- NULL: the whole region.
    country_iso3 TEXT REFERENCES countries (iso3),
    granted_by   INTEGER REFERENCES users (id),
    created_at   TEXT NOT NULL
);
-- A role is held once per scope; NULL (region) is folded so that it is unique too.
CREATE UNIQUE INDEX role_grants_unique ON role_grants (user_id, role, COALESCE(country_iso3, '*'));

-- Sessions live in the database, not in process memory, so that several `rumbo serve`
-- processes behind one load balancer share them. Only a hash of the cookie's token is kept.
CREATE TABLE sessions (
    token_hash   TEXT PRIMARY KEY,
    user_id      INTEGER NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    csrf_token   TEXT NOT NULL,
    created_at   TEXT NOT NULL,
    expires_at   TEXT NOT NULL,
    last_seen_at TEXT NOT NULL,
    address      TEXT
);
CREATE INDEX sessions_user ON sessions (user_id);
CREATE INDEX sessions_expiry ON sessions (expires_at);

CREATE TABLE api_tokens (
    id           INTEGER PRIMARY KEY,
    user_id      INTEGER NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    name         TEXT NOT NULL,
    token_hash   TEXT NOT NULL UNIQUE,
    -- The first characters of the token, so its owner can recognise it in a list.
    prefix       TEXT NOT NULL,
    created_at   TEXT NOT NULL,
    last_used_at TEXT,
    expires_at   TEXT,
    revoked_at   TEXT
);
CREATE INDEX api_tokens_user ON api_tokens (user_id);

-- Failed sign-ins, counted per account and per address to slow down guessing. Shared through
-- the database for the same reason as sessions.
CREATE TABLE sign_in_failures (
    id       INTEGER PRIMARY KEY,
    username TEXT NOT NULL,
    address  TEXT NOT NULL,
    at       TEXT NOT NULL
);
CREATE INDEX sign_in_failures_username ON sign_in_failures (username, at);
CREATE INDEX sign_in_failures_address ON sign_in_failures (address, at);

CREATE TABLE admin_areas (
    pcode        TEXT PRIMARY KEY,
    country_iso3 TEXT NOT NULL REFERENCES countries (iso3),
    level        INTEGER NOT NULL CHECK (level BETWEEN 1 AND 3),
    parent_pcode TEXT REFERENCES admin_areas (pcode),
    name_es      TEXT,
    name_en      TEXT,
    name_pt      TEXT,
    -- The boundary as a GeoJSON geometry (WGS 84), and its bounding box for cheap filtering.
    boundary     TEXT,
    -- A simplified copy for maps (see geography::map_outline), made once at import so that a
    -- map request neither simplifies nor sends survey-grade boundaries.
    map_boundary TEXT,
    min_lon      REAL,
    min_lat      REAL,
    max_lon      REAL,
    max_lat      REAL,
    source       TEXT,
    created_at   TEXT NOT NULL,
    updated_at   TEXT NOT NULL
);
CREATE INDEX admin_areas_country_level ON admin_areas (country_iso3, level);
CREATE INDEX admin_areas_parent ON admin_areas (parent_pcode);

CREATE TABLE locations (
    id              INTEGER PRIMARY KEY,
    code            TEXT NOT NULL UNIQUE,
    name            TEXT NOT NULL,
    kind            TEXT NOT NULL,
    country_iso3    TEXT NOT NULL REFERENCES countries (iso3),
    lon             REAL NOT NULL,
    lat             REAL NOT NULL,
    -- Resolved by point-in-polygon when the location is saved or boundaries change.
    adm1_pcode      TEXT REFERENCES admin_areas (pcode),
    adm2_pcode      TEXT REFERENCES admin_areas (pcode),
    adm3_pcode      TEXT REFERENCES admin_areas (pcode),
    organisation_id INTEGER REFERENCES organisations (id),
    notes           TEXT,
    is_active       INTEGER NOT NULL DEFAULT 1,
    created_at      TEXT NOT NULL,
    updated_at      TEXT NOT NULL
);
CREATE INDEX locations_country_kind ON locations (country_iso3, kind);
CREATE INDEX locations_adm1 ON locations (adm1_pcode);
CREATE INDEX locations_adm2 ON locations (adm2_pcode);
CREATE INDEX locations_adm3 ON locations (adm3_pcode);

-- Who did what, when and from where. Written in the same transaction as the change it records.
-- user_id has no foreign key on purpose: the trail must outlive the account it names.
-- summary never holds personal data (names, documents, phones): ids and field names only.
CREATE TABLE audit_log (
    id         INTEGER PRIMARY KEY,
    at         TEXT NOT NULL,
    user_id    INTEGER,
    action     TEXT NOT NULL,
    entity     TEXT NOT NULL,
    entity_id  TEXT,
    summary    TEXT NOT NULL,
    channel    TEXT NOT NULL,
    address    TEXT,
    request_id TEXT
);
CREATE INDEX audit_log_at ON audit_log (at);
CREATE INDEX audit_log_user ON audit_log (user_id, at);
CREATE INDEX audit_log_entity ON audit_log (entity, entity_id);
