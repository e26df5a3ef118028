-- Check-ins: what one caregiver saw on one day.
CREATE TABLE checkins (
    id INTEGER PRIMARY KEY,
    circle_id INTEGER NOT NULL REFERENCES circles(id) ON DELETE CASCADE,
    user_id INTEGER REFERENCES users(id) ON DELETE SET NULL,
    client_id TEXT,  -- made on the phone; an idempotency key for offline replays
    date TEXT NOT NULL,
    craving INTEGER CHECK (craving BETWEEN 0 AND 10),
    withdrawal TEXT CHECK (withdrawal IN ('none', 'mild', 'moderate', 'severe')),
    withdrawal_signs TEXT NOT NULL DEFAULT '[]',  -- JSON list of sign ids
    access TEXT CHECK (access IN ('none', 'possible', 'easy')),
    stress INTEGER CHECK (stress BETWEEN 0 AND 10),
    medication TEXT CHECK (medication IN ('taken', 'missed', 'not-prescribed')),
    use TEXT CHECK (use IN ('none', 'suspected', 'confirmed')),
    overdose INTEGER NOT NULL DEFAULT 0 CHECK (overdose IN (0, 1)),
    naloxone_given INTEGER NOT NULL DEFAULT 0 CHECK (naloxone_given IN (0, 1)),
    notes TEXT,
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL
);
-- The rules read a circle's last 30 days: this index keeps that cost flat.
CREATE INDEX checkins_circle_date ON checkins(circle_id, date);
CREATE UNIQUE INDEX checkins_client_id ON checkins(circle_id, client_id)
    WHERE client_id IS NOT NULL;

-- Every create, edit and delete of a check-in, with the values before and after.
CREATE TABLE checkin_audit (
    id INTEGER PRIMARY KEY,
    checkin_id INTEGER NOT NULL,  -- no foreign key: the trail outlives a deleted check-in
    circle_id INTEGER NOT NULL REFERENCES circles(id) ON DELETE CASCADE,
    user_id INTEGER REFERENCES users(id) ON DELETE SET NULL,
    action TEXT NOT NULL CHECK (action IN ('create', 'update', 'delete')),
    before_json TEXT,
    after_json TEXT,
    at TEXT NOT NULL
);
CREATE INDEX checkin_audit_circle ON checkin_audit(circle_id, at);
