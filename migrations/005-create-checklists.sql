-- Checklist ticks: the current state per item, and every tick and untick.
CREATE TABLE checklist_state (
    circle_id INTEGER NOT NULL REFERENCES circles(id) ON DELETE CASCADE,
    item_id TEXT NOT NULL,
    ticked INTEGER NOT NULL CHECK (ticked IN (0, 1)),
    changed_by INTEGER REFERENCES users(id) ON DELETE SET NULL,
    changed_at TEXT NOT NULL,
    PRIMARY KEY (circle_id, item_id)
);

CREATE TABLE checklist_events (
    id INTEGER PRIMARY KEY,
    circle_id INTEGER NOT NULL REFERENCES circles(id) ON DELETE CASCADE,
    item_id TEXT NOT NULL,
    ticked INTEGER NOT NULL CHECK (ticked IN (0, 1)),
    user_id INTEGER REFERENCES users(id) ON DELETE SET NULL,
    client_id TEXT,  -- made on the phone for offline ticks; replays are stored once
    at TEXT NOT NULL
);
CREATE INDEX checklist_events_circle ON checklist_events(circle_id, at);
CREATE UNIQUE INDEX checklist_events_client_id ON checklist_events(circle_id, client_id)
    WHERE client_id IS NOT NULL;
