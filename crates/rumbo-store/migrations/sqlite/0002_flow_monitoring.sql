-- Flow monitoring: the profiles of flow monitoring points (FMPs) round by round, who is
-- assigned to record where, counts (observations and their groups) with the daily rollups
-- dashboards read, official border movement figures, flow monitoring surveys (FMS), the rule
-- sets that flag vulnerable cases, and the protection queue. Conventions as in 0001.

-- An FMP is a location (kind flow_monitoring_point or border_crossing): coordinates and admin
-- areas stay there. Its profile is kept round by round: an edit adds a round, never overwrites.
CREATE TABLE flow_point_profiles (
    id             INTEGER PRIMARY KEY,
    location_id    INTEGER NOT NULL REFERENCES locations (id),
    round          INTEGER NOT NULL,
    point_type     TEXT NOT NULL,
    -- Codes joined by commas: incoming,outgoing,transit / mon,tue,... / water,food,...
    movement_types TEXT NOT NULL,
    days           TEXT NOT NULL,
    hours_from     TEXT,
    hours_to       TEXT,
    services       TEXT NOT NULL,
    institutions   TEXT NOT NULL,
    -- Roles and organisations of key informants, never their names.
    key_informants TEXT,
    -- Counts outside these dates are refused.
    active_from    TEXT,
    active_until   TEXT,
    notes          TEXT,
    recorded_by    INTEGER,
    created_at     TEXT NOT NULL,
    UNIQUE (location_id, round)
);

-- Enumerators record only at the points they are assigned to.
CREATE TABLE flow_assignments (
    user_id     INTEGER NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    location_id INTEGER NOT NULL REFERENCES locations (id),
    assigned_by INTEGER,
    created_at  TEXT NOT NULL,
    PRIMARY KEY (user_id, location_id)
);
CREATE INDEX flow_assignments_location ON flow_assignments (location_id);

-- Settings of the operation, such as the age brackets ('0,5,12,18,60').
CREATE TABLE flow_settings (
    key        TEXT PRIMARY KEY,
    value      TEXT NOT NULL,
    updated_at TEXT NOT NULL
);

-- One observation: a point, a date, a time window and a direction. start_minute is -1 when
-- the window's start was not stated (NULLs would not be unique). Recorded once.
CREATE TABLE flow_observations (
    id           INTEGER PRIMARY KEY,
    location_id  INTEGER NOT NULL REFERENCES locations (id),
    obs_date     TEXT NOT NULL,
    start_minute INTEGER NOT NULL,
    hours        INTEGER NOT NULL,
    direction    TEXT NOT NULL,
    recorded_by  INTEGER,
    created_at   TEXT NOT NULL,
    UNIQUE (location_id, obs_date, start_minute, hours, direction)
);

-- The groups seen in an observation. f0..f7 and m0..m7 hold people by sex and age bracket
-- (the operation's brackets, in order); has_breakdown is 0 when sex and age were not noted.
CREATE TABLE flow_groups (
    id                INTEGER PRIMARY KEY,
    observation_id    INTEGER NOT NULL REFERENCES flow_observations (id) ON DELETE CASCADE,
    size              INTEGER NOT NULL,
    has_breakdown     INTEGER NOT NULL DEFAULT 0,
    f0 INTEGER NOT NULL DEFAULT 0, f1 INTEGER NOT NULL DEFAULT 0, f2 INTEGER NOT NULL DEFAULT 0, f3 INTEGER NOT NULL DEFAULT 0,
    f4 INTEGER NOT NULL DEFAULT 0, f5 INTEGER NOT NULL DEFAULT 0, f6 INTEGER NOT NULL DEFAULT 0, f7 INTEGER NOT NULL DEFAULT 0,
    m0 INTEGER NOT NULL DEFAULT 0, m1 INTEGER NOT NULL DEFAULT 0, m2 INTEGER NOT NULL DEFAULT 0, m3 INTEGER NOT NULL DEFAULT 0,
    m4 INTEGER NOT NULL DEFAULT 0, m5 INTEGER NOT NULL DEFAULT 0, m6 INTEGER NOT NULL DEFAULT 0, m7 INTEGER NOT NULL DEFAULT 0,
    nationality       TEXT,
    transport         TEXT,
    previous_point    TEXT,
    next_destination  TEXT,
    final_destination TEXT
);
CREATE INDEX flow_groups_observation ON flow_groups (observation_id);

-- Daily rollups, maintained in the same transaction as the groups they add up: dashboards read
-- these, never the raw groups. One row per point, day and direction...
CREATE TABLE flow_daily (
    location_id  INTEGER NOT NULL,
    day          TEXT NOT NULL,
    direction    TEXT NOT NULL,
    observations INTEGER NOT NULL,
    hours        INTEGER NOT NULL,
    group_count  INTEGER NOT NULL,
    people       INTEGER NOT NULL,
    f0 INTEGER NOT NULL DEFAULT 0, f1 INTEGER NOT NULL DEFAULT 0, f2 INTEGER NOT NULL DEFAULT 0, f3 INTEGER NOT NULL DEFAULT 0,
    f4 INTEGER NOT NULL DEFAULT 0, f5 INTEGER NOT NULL DEFAULT 0, f6 INTEGER NOT NULL DEFAULT 0, f7 INTEGER NOT NULL DEFAULT 0,
    m0 INTEGER NOT NULL DEFAULT 0, m1 INTEGER NOT NULL DEFAULT 0, m2 INTEGER NOT NULL DEFAULT 0, m3 INTEGER NOT NULL DEFAULT 0,
    m4 INTEGER NOT NULL DEFAULT 0, m5 INTEGER NOT NULL DEFAULT 0, m6 INTEGER NOT NULL DEFAULT 0, m7 INTEGER NOT NULL DEFAULT 0,
    PRIMARY KEY (location_id, day, direction)
);
-- ...and one per point, breakdown (nationality, transport, previous_point, next_destination,
-- final_destination, corridor), day, direction and value ('' when not stated).
CREATE TABLE flow_daily_breakdown (
    location_id INTEGER NOT NULL,
    dimension   TEXT NOT NULL,
    day         TEXT NOT NULL,
    direction   TEXT NOT NULL,
    value       TEXT NOT NULL,
    people      INTEGER NOT NULL,
    PRIMARY KEY (location_id, dimension, day, direction, value)
);

-- A count file whose rows had problems, kept until its uploader chooses to import the valid
-- rows or nothing; content is the file as CSV text. The rejected rows stay downloadable.
CREATE TABLE flow_imports (
    id            INTEGER PRIMARY KEY,
    user_id       INTEGER NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    file_name     TEXT NOT NULL,
    content       TEXT NOT NULL,
    status        TEXT NOT NULL,
    valid_rows    INTEGER NOT NULL,
    rejected_rows INTEGER NOT NULL,
    created_at    TEXT NOT NULL,
    finished_at   TEXT
);

-- Official border movement figures, in the shape governments publish them: country, movement
-- (entry or exit), border point (by its official name), month ('YYYY-MM') and total.
CREATE TABLE flow_official_movements (
    id           INTEGER PRIMARY KEY,
    country_iso3 TEXT NOT NULL REFERENCES countries (iso3),
    movement     TEXT NOT NULL,
    border_point TEXT NOT NULL,
    month        TEXT NOT NULL,
    total        INTEGER NOT NULL,
    source       TEXT NOT NULL,
    imported_at  TEXT NOT NULL,
    UNIQUE (country_iso3, movement, border_point, month)
);

-- The rule sets that flag vulnerable cases, one row per version; the highest is in force.
CREATE TABLE fms_rule_sets (
    version    INTEGER PRIMARY KEY,
    rules      TEXT NOT NULL,
    created_by INTEGER,
    created_at TEXT NOT NULL
);

-- Flow monitoring survey interviews. answers is the JSON of every answer (personal data: only
-- read through audited functions); sex, age and nationality are copied out for indicators.
CREATE TABLE fms_interviews (
    id             INTEGER PRIMARY KEY,
    location_id    INTEGER NOT NULL REFERENCES locations (id),
    interview_date TEXT NOT NULL,
    sex            TEXT NOT NULL,
    age            INTEGER NOT NULL,
    nationality    TEXT NOT NULL,
    answers        TEXT NOT NULL,
    risk_level     TEXT,
    risk_flags     TEXT NOT NULL,
    rules_version  INTEGER NOT NULL,
    recorded_by    INTEGER,
    created_at     TEXT NOT NULL
);
CREATE INDEX fms_interviews_location_date ON fms_interviews (location_id, interview_date);

-- The protection queue: one case per flagged interview, with its follow-up status; every
-- change of status is an event, so the history of a case is never overwritten.
CREATE TABLE protection_cases (
    id           INTEGER PRIMARY KEY,
    interview_id INTEGER NOT NULL UNIQUE REFERENCES fms_interviews (id),
    country_iso3 TEXT NOT NULL REFERENCES countries (iso3),
    risk_level   TEXT NOT NULL,
    risk_flags   TEXT NOT NULL,
    status       TEXT NOT NULL,
    created_at   TEXT NOT NULL,
    updated_at   TEXT NOT NULL
);
CREATE INDEX protection_cases_country_status ON protection_cases (country_iso3, status);

CREATE TABLE protection_case_events (
    id      INTEGER PRIMARY KEY,
    case_id INTEGER NOT NULL REFERENCES protection_cases (id),
    at      TEXT NOT NULL,
    user_id INTEGER,
    status  TEXT NOT NULL,
    -- The officer's note: seen only by protection officers, never in an audit summary.
    note    TEXT
);
CREATE INDEX protection_case_events_case ON protection_case_events (case_id);
