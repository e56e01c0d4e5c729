-- The breakdowns of the daily rollups stored as one text value per point, breakdown, day and
-- direction (rumbo_domain::flow::daily_values: one `value<TAB>people` line per value, sorted by
-- value, values escaped as the place names of flow_group_sets are) instead of one row per value.
-- An import upserted about one breakdown row per group it stored; now it writes one row per day
-- and breakdown, merged in Rust with what is already stored. A dashboard's breakdown reads as
-- many fewer rows. Values of zero people (what a deletion left) are not moved: the new form
-- never stores them. Values are ordered by their bytes (COLLATE "C"), as Rust orders them.
CREATE TABLE flow_daily_values (
    location_id BIGINT NOT NULL,
    dimension   TEXT NOT NULL,
    day         TEXT NOT NULL,
    direction   TEXT NOT NULL,
    vals        TEXT NOT NULL,
    PRIMARY KEY (location_id, dimension, day, direction)
);

INSERT INTO flow_daily_values (location_id, dimension, day, direction, vals)
SELECT location_id, dimension, day, direction, string_agg(line, chr(10) ORDER BY value COLLATE "C")
FROM (
    SELECT location_id, dimension, day, direction, value,
        replace(replace(replace(replace(value, '\', '\\'), chr(9), '\t'), chr(10), '\n'), chr(13), '\r')
        || chr(9) || CAST(people AS TEXT) AS line
    FROM flow_daily_breakdown
    WHERE people <> 0
) AS b
GROUP BY location_id, dimension, day, direction;

DROP TABLE flow_daily_breakdown;
