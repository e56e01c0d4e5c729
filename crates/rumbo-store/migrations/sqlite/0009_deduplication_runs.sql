-- De-duplication runs as jobs: asking for a run records it here and answers at once; a worker
-- in a server process (or the command line, synchronously) claims it and runs the linkage
-- engine off the request. The page and the API show each run's state and outcome.

CREATE TABLE deduplication_runs (
    id              INTEGER PRIMARY KEY,
    -- No reference to `countries`: a valid ISO3 code nobody registers in is a run that fails
    -- with "nothing to compare", not a constraint error.
    country_iso3    TEXT NOT NULL,
    -- NULL for the system (the demo).
    requested_by    INTEGER REFERENCES users (id),
    -- web, api or cli: how the run was asked for.
    channel         TEXT NOT NULL,
    requested_at    TEXT NOT NULL,
    started_at      TEXT,
    finished_at     TEXT,
    -- Written by the process running it while it runs: a `running` run whose heartbeat stops is
    -- a run whose server stopped, and any instance marks it failed.
    heartbeat_at    TEXT,
    -- queued, running, done, failed.
    status          TEXT NOT NULL,
    -- How far it got: queued, reading, linking, filing, done.
    stage           TEXT NOT NULL,
    -- The outcome, once done: people compared, candidate pairs from blocking, pairs at or above
    -- the threshold, pairs newly filed for review, persons the clustering found.
    people          INTEGER,
    candidate_pairs INTEGER,
    pairs           INTEGER,
    suggested       INTEGER,
    persons         INTEGER,
    model_id        INTEGER REFERENCES linkage_models (id),
    -- Why it failed: a stable code (nothing_to_compare, no_data_keys, interrupted, internal)
    -- and a message for the IM officer. Never a name or any other personal value.
    failure         TEXT,
    message         TEXT
);
-- One run per country at a time, whichever server instance is asked: the store decides, with
-- this index and INSERT ... ON CONFLICT DO NOTHING.
CREATE UNIQUE INDEX deduplication_runs_one_active ON deduplication_runs (country_iso3)
    WHERE status IN ('queued', 'running');
CREATE INDEX deduplication_runs_country ON deduplication_runs (country_iso3, id);
CREATE INDEX deduplication_runs_status ON deduplication_runs (status, id);
