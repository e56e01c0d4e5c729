-- An observation's groups stored as one text value (rumbo_domain::flow::compact: one line per
-- group, tab-separated fields) instead of one row per group: a million-row count file becomes
-- some tens of thousands of rows, which is what lets a bulk import keep up with the tools an
-- analyst would otherwise use. Dashboards read the daily rollups, never raw groups. An import
-- may write an observation in several parts (one per chunk of rows it spans); readers join
-- the parts in id order. group_count and people let lists total without decoding.
CREATE TABLE flow_group_sets (
    id             INTEGER PRIMARY KEY,
    observation_id INTEGER NOT NULL REFERENCES flow_observations (id) ON DELETE CASCADE,
    group_count    INTEGER NOT NULL,
    people         INTEGER NOT NULL,
    groups         TEXT NOT NULL
);

-- The groups already stored, moved over in their order.
INSERT INTO flow_group_sets (observation_id, group_count, people, groups)
SELECT observation_id, COUNT(*), SUM(size), group_concat(line, char(10))
FROM (
    SELECT observation_id, id, size,
        CAST(size AS TEXT) || char(9)
        || CASE WHEN has_breakdown = 0 THEN '' ELSE CAST(f0 AS TEXT) || ',' || CAST(f1 AS TEXT) || ',' || CAST(f2 AS TEXT) || ',' || CAST(f3 AS TEXT) || ',' || CAST(f4 AS TEXT) || ',' || CAST(f5 AS TEXT) || ',' || CAST(f6 AS TEXT) || ',' || CAST(f7 AS TEXT) || ',' || CAST(m0 AS TEXT) || ',' || CAST(m1 AS TEXT) || ',' || CAST(m2 AS TEXT) || ',' || CAST(m3 AS TEXT) || ',' || CAST(m4 AS TEXT) || ',' || CAST(m5 AS TEXT) || ',' || CAST(m6 AS TEXT) || ',' || CAST(m7 AS TEXT) END || char(9)
        || COALESCE(nationality, '') || char(9) || COALESCE(transport, '') || char(9)
        || COALESCE(replace(replace(replace(replace(previous_point, '\', '\\'), char(9), '\t'), char(10), '\n'), char(13), '\r'), '') || char(9)
        || COALESCE(replace(replace(replace(replace(next_destination, '\', '\\'), char(9), '\t'), char(10), '\n'), char(13), '\r'), '') || char(9)
        || COALESCE(replace(replace(replace(replace(final_destination, '\', '\\'), char(9), '\t'), char(10), '\n'), char(13), '\r'), '') AS line
    FROM flow_groups ORDER BY observation_id, id
)
GROUP BY observation_id;

DROP TABLE flow_groups;
CREATE INDEX flow_group_sets_observation ON flow_group_sets (observation_id);

-- The daily rollups become WITHOUT ROWID tables: each row is stored once, in its primary key's
-- order, instead of in a rowid table plus a separate index of the key. An import upserts about
-- as many breakdown rows as it stores groups (a point's day has dozens of corridors and
-- destinations), so this halves SQLite's work for them; the dashboards' lookups by point, day
-- and breakdown read the rows in key order directly. (PostgreSQL has no such choice to make.)
CREATE TABLE flow_daily_new (
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
) WITHOUT ROWID;
INSERT INTO flow_daily_new SELECT location_id, day, direction, observations, hours, group_count, people,
    f0, f1, f2, f3, f4, f5, f6, f7, m0, m1, m2, m3, m4, m5, m6, m7 FROM flow_daily;
DROP TABLE flow_daily;
ALTER TABLE flow_daily_new RENAME TO flow_daily;

CREATE TABLE flow_daily_breakdown_new (
    location_id INTEGER NOT NULL,
    dimension   TEXT NOT NULL,
    day         TEXT NOT NULL,
    direction   TEXT NOT NULL,
    value       TEXT NOT NULL,
    people      INTEGER NOT NULL,
    PRIMARY KEY (location_id, dimension, day, direction, value)
) WITHOUT ROWID;
INSERT INTO flow_daily_breakdown_new SELECT location_id, dimension, day, direction, value, people
    FROM flow_daily_breakdown;
DROP TABLE flow_daily_breakdown;
ALTER TABLE flow_daily_breakdown_new RENAME TO flow_daily_breakdown;
