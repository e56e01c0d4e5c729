-- Enumerators register, browse and correct households only at the registration desks they are
-- assigned to (as flow monitoring enumerators record only at their points). The desk's
-- organisation's managers and the country's IM officers assign them.
CREATE TABLE desk_assignments (
    user_id     INTEGER NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    location_id INTEGER NOT NULL REFERENCES locations (id),
    assigned_by INTEGER,
    created_at  TEXT NOT NULL,
    PRIMARY KEY (user_id, location_id)
);
CREATE INDEX desk_assignments_location ON desk_assignments (location_id);
