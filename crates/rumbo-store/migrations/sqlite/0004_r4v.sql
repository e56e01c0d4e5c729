-- R4V information management: the RMRP's sectors and indicators, 5W activity reports with the
-- history of their corrections, information exchange submissions with their provenance,
-- official population figures, partners' targets and budgets, funding flows and people in
-- need. Conventions as in 0001 (timestamps RFC 3339 text, dates and months as text, flags 0/1).

CREATE TABLE r4v_sectors (
    code        TEXT PRIMARY KEY,
    -- The sector of a subsector (protection for child_protection).
    parent_code TEXT REFERENCES r4v_sectors (code),
    name_en     TEXT NOT NULL,
    name_es     TEXT NOT NULL,
    name_pt     TEXT NOT NULL
);

CREATE TABLE r4v_indicators (
    code        TEXT PRIMARY KEY,
    sector_code TEXT NOT NULL REFERENCES r4v_sectors (code),
    name_en     TEXT NOT NULL,
    name_es     TEXT,
    -- direct_assistance, capacity_building, infrastructure, mechanism_advocacy, campaign, other
    kind        TEXT NOT NULL,
    updated_at  TEXT NOT NULL
);

-- Who sent which file, when, and its checksum: the provenance of every imported row.
CREATE TABLE r4v_submissions (
    id              INTEGER PRIMARY KEY,
    dataset_type    TEXT NOT NULL,
    organisation_id INTEGER NOT NULL REFERENCES organisations (id),
    submitted_by    INTEGER REFERENCES users (id),
    submitted_at    TEXT NOT NULL,
    file_name       TEXT NOT NULL,
    sha256          TEXT NOT NULL,
    rows_read       BIGINT NOT NULL,
    rows_accepted   BIGINT NOT NULL,
    -- accepted, rejected, or partial (the submitter chose to import the valid rows).
    status          TEXT NOT NULL,
    -- Problems as JSON [{"where":..,"problem":..}], at most a few hundred.
    problems        TEXT NOT NULL,
    -- Cells whose double-encoded text was repaired.
    repairs         BIGINT NOT NULL DEFAULT 0
);
CREATE INDEX r4v_submissions_org ON r4v_submissions (organisation_id, submitted_at);

-- Accepted rows of dataset types without a table of their own (flow counts), as JSON, for the
-- modules that consolidate them.
CREATE TABLE r4v_exchange_rows (
    id            INTEGER PRIMARY KEY,
    submission_id INTEGER NOT NULL REFERENCES r4v_submissions (id) ON DELETE CASCADE,
    row_number    BIGINT NOT NULL,
    country_iso3  TEXT REFERENCES countries (iso3),
    data          TEXT NOT NULL
);
CREATE INDEX r4v_exchange_rows_submission ON r4v_exchange_rows (submission_id);

-- One monthly 5W report. Text fields keep what the partner wrote; the *_pcode, *_id and
-- *_code columns are what it was matched to (NULL where it matched nothing, which the quality
-- rules report). broken_rules holds the rules it breaks as bits (bit n = rule n).
CREATE TABLE r4v_activities (
    id                      INTEGER PRIMARY KEY,
    -- The organisation that owns the report: the appealing organisation when it matched one,
    -- else the organisation of whoever entered it.
    organisation_id         INTEGER NOT NULL REFERENCES organisations (id),
    country_iso3            TEXT NOT NULL REFERENCES countries (iso3),
    admin1                  TEXT,
    adm1_pcode              TEXT,
    admin2                  TEXT,
    adm2_pcode              TEXT,
    appealing_org           TEXT,
    appealing_org_id        INTEGER REFERENCES organisations (id),
    implementation          INTEGER,
    implementing_partner    TEXT,
    implementing_partner_id INTEGER REFERENCES organisations (id),
    month                   TEXT,
    sector                  TEXT,
    sector_code             TEXT,
    indicator               TEXT,
    indicator_code          TEXT,
    indicator_kind          TEXT,
    activity_name           TEXT,
    activity_description    TEXT,
    rmrp_activity           INTEGER,
    cva                     INTEGER,
    value_usd               REAL,
    delivery_mechanism      TEXT,
    quantity_output         BIGINT,
    total_monthly           BIGINT,
    new_beneficiaries       BIGINT,
    in_destination          BIGINT,
    in_transit              BIGINT,
    host_community          BIGINT,
    pendular                BIGINT,
    colombian_returnee      BIGINT,
    girls                   BIGINT,
    boys                    BIGINT,
    women                   BIGINT,
    men                     BIGINT,
    other_under_18          BIGINT,
    other_above_18          BIGINT,
    broken_rules            BIGINT NOT NULL DEFAULT 0,
    -- Set by an IM officer of the country; cleared by any later correction.
    validated_at            TEXT,
    validated_by            INTEGER REFERENCES users (id),
    submission_id           INTEGER REFERENCES r4v_submissions (id),
    version                 BIGINT NOT NULL DEFAULT 1,
    created_at              TEXT NOT NULL,
    created_by              INTEGER REFERENCES users (id),
    updated_at              TEXT NOT NULL,
    updated_by              INTEGER REFERENCES users (id)
);
CREATE INDEX r4v_activities_country_month ON r4v_activities (country_iso3, month);
CREATE INDEX r4v_activities_org_month ON r4v_activities (organisation_id, month);

-- Every correction of a 5W report: who, when, which fields, their values before and after
-- (JSON), and the rules broken before and after. Reports hold counts of people served, not
-- personal data, so values are kept: today's corrections must leave a trace.
CREATE TABLE r4v_activity_changes (
    id           INTEGER PRIMARY KEY,
    activity_id  INTEGER NOT NULL REFERENCES r4v_activities (id) ON DELETE CASCADE,
    version      BIGINT NOT NULL,
    changed_at   TEXT NOT NULL,
    changed_by   INTEGER REFERENCES users (id),
    channel      TEXT NOT NULL,
    fields       TEXT NOT NULL,
    before_json  TEXT NOT NULL,
    after_json   TEXT NOT NULL,
    broken_before BIGINT NOT NULL,
    broken_after BIGINT NOT NULL
);
CREATE INDEX r4v_activity_changes_activity ON r4v_activity_changes (activity_id, version);

-- Official population figures: every publication is a new row; nothing is overwritten.
CREATE TABLE r4v_population_figures (
    id               INTEGER PRIMARY KEY,
    country_iso3     TEXT NOT NULL REFERENCES countries (iso3),
    kind             TEXT NOT NULL,
    value            BIGINT NOT NULL,
    source           TEXT NOT NULL,
    reference_date   TEXT NOT NULL,
    publication_date TEXT NOT NULL,
    method_notes     TEXT,
    method_changed   INTEGER NOT NULL DEFAULT 0,
    official         INTEGER NOT NULL DEFAULT 1,
    submission_id    INTEGER REFERENCES r4v_submissions (id),
    created_at       TEXT NOT NULL,
    created_by       INTEGER REFERENCES users (id)
);
CREATE INDEX r4v_population_figures_country ON r4v_population_figures (country_iso3, kind, reference_date);

-- A partner's planned RMRP activity: targets by population type and by age and gender, and
-- its budget (in kind and cash). Requirements by sector and country are their sums.
CREATE TABLE r4v_targets (
    id                 INTEGER PRIMARY KEY,
    year               BIGINT NOT NULL,
    organisation_id    INTEGER NOT NULL REFERENCES organisations (id),
    country_iso3       TEXT NOT NULL REFERENCES countries (iso3),
    sector_code        TEXT NOT NULL REFERENCES r4v_sectors (code),
    indicator_code     TEXT REFERENCES r4v_indicators (code),
    activity           TEXT,
    in_destination     BIGINT NOT NULL DEFAULT 0,
    in_transit         BIGINT NOT NULL DEFAULT 0,
    host_community     BIGINT NOT NULL DEFAULT 0,
    pendular           BIGINT NOT NULL DEFAULT 0,
    colombian_returnee BIGINT NOT NULL DEFAULT 0,
    girls              BIGINT NOT NULL DEFAULT 0,
    boys               BIGINT NOT NULL DEFAULT 0,
    women              BIGINT NOT NULL DEFAULT 0,
    men                BIGINT NOT NULL DEFAULT 0,
    other_under_18     BIGINT NOT NULL DEFAULT 0,
    other_above_18     BIGINT NOT NULL DEFAULT 0,
    budget_in_kind_usd REAL NOT NULL DEFAULT 0,
    budget_cva_usd     REAL NOT NULL DEFAULT 0,
    created_at         TEXT NOT NULL,
    updated_at         TEXT NOT NULL
);
CREATE INDEX r4v_targets_year ON r4v_targets (year, country_iso3, sector_code);

-- Funding received, one row per OCHA FTS flow (re-importing a flow replaces it).
CREATE TABLE r4v_funding (
    id              INTEGER PRIMARY KEY,
    flow_id         TEXT NOT NULL UNIQUE,
    year            BIGINT NOT NULL,
    amount_usd      REAL NOT NULL,
    donor           TEXT,
    recipient       TEXT,
    organisation_id INTEGER REFERENCES organisations (id),
    country_iso3    TEXT REFERENCES countries (iso3),
    sector_code     TEXT REFERENCES r4v_sectors (code),
    status          TEXT,
    description     TEXT,
    imported_at     TEXT NOT NULL
);
CREATE INDEX r4v_funding_year ON r4v_funding (year, country_iso3);

-- People in need per admin-1 area, sector ('intersector' for the overall figure) and
-- population type, imported or computed with the multidimensional deprivation method.
CREATE TABLE r4v_needs (
    id              INTEGER PRIMARY KEY,
    year            BIGINT NOT NULL,
    country_iso3    TEXT NOT NULL REFERENCES countries (iso3),
    adm1_pcode      TEXT NOT NULL,
    sector_code     TEXT NOT NULL,
    population_type TEXT NOT NULL,
    people_in_need  BIGINT NOT NULL,
    -- imported or deprivation
    method          TEXT NOT NULL,
    source          TEXT NOT NULL,
    updated_at      TEXT NOT NULL
);
CREATE UNIQUE INDEX r4v_needs_cell ON r4v_needs (year, country_iso3, adm1_pcode, sector_code, population_type);
