-- Circles (the caregivers around one person in care), members and invites.
CREATE TABLE circles (
    id INTEGER PRIMARY KEY,
    nickname TEXT NOT NULL,
    level_of_care TEXT,
    level_since TEXT,
    previous_level TEXT,
    living_situation TEXT,
    timezone TEXT NOT NULL,
    emergency_number TEXT NOT NULL DEFAULT '911',
    created_at TEXT NOT NULL
);

CREATE TABLE care_team_numbers (
    id INTEGER PRIMARY KEY,
    circle_id INTEGER NOT NULL REFERENCES circles(id) ON DELETE CASCADE,
    label TEXT NOT NULL,
    number TEXT NOT NULL,
    position INTEGER NOT NULL DEFAULT 0
);
CREATE INDEX care_team_numbers_circle ON care_team_numbers(circle_id);

CREATE TABLE memberships (
    circle_id INTEGER NOT NULL REFERENCES circles(id) ON DELETE CASCADE,
    user_id INTEGER NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    role TEXT NOT NULL CHECK (role IN ('owner', 'member')),
    joined_at TEXT NOT NULL,
    PRIMARY KEY (circle_id, user_id)
);
CREATE INDEX memberships_user ON memberships(user_id);

CREATE TABLE invites (
    id INTEGER PRIMARY KEY,
    circle_id INTEGER NOT NULL REFERENCES circles(id) ON DELETE CASCADE,
    token_hash TEXT NOT NULL UNIQUE,
    created_by INTEGER REFERENCES users(id) ON DELETE SET NULL,
    created_at TEXT NOT NULL,
    expires_at TEXT NOT NULL,
    used_at TEXT,
    used_by INTEGER REFERENCES users(id) ON DELETE SET NULL
);
CREATE INDEX invites_circle ON invites(circle_id);

-- Every change of level of care, so the current and previous level are known.
CREATE TABLE level_history (
    id INTEGER PRIMARY KEY,
    circle_id INTEGER NOT NULL REFERENCES circles(id) ON DELETE CASCADE,
    level TEXT NOT NULL,
    since TEXT NOT NULL,
    note TEXT,
    recorded_by INTEGER REFERENCES users(id) ON DELETE SET NULL,
    recorded_at TEXT NOT NULL
);
CREATE INDEX level_history_circle ON level_history(circle_id, since);
