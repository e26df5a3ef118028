-- What a caregiver did about a prompt ("talked with the care team", a note).
CREATE TABLE prompt_responses (
    id INTEGER PRIMARY KEY,
    circle_id INTEGER NOT NULL REFERENCES circles(id) ON DELETE CASCADE,
    rule TEXT NOT NULL,
    action TEXT NOT NULL,
    note TEXT,
    user_id INTEGER REFERENCES users(id) ON DELETE SET NULL,
    at TEXT NOT NULL,
    day TEXT NOT NULL  -- the circle's local date when it was recorded
);
CREATE INDEX prompt_responses_circle ON prompt_responses(circle_id, at);
