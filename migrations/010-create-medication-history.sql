-- The circle's record of medication for opioid use disorder, kept like the level
-- history: each entry says what the person takes from `since` on ("none": stopped).
-- A later entry for the same day replaces an earlier one (a correction).
CREATE TABLE medication_history (
    id INTEGER PRIMARY KEY,
    circle_id INTEGER NOT NULL REFERENCES circles(id) ON DELETE CASCADE,
    medication TEXT NOT NULL,
    since TEXT NOT NULL,
    next_due TEXT,
    note TEXT,
    recorded_by INTEGER REFERENCES users(id) ON DELETE SET NULL,
    recorded_at TEXT NOT NULL
);
CREATE INDEX medication_history_circle ON medication_history(circle_id, since);
