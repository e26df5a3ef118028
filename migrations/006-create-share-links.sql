-- Share links: a read-only, expiring, revocable summary for the care team.
-- The URL holds a random token (secrets.token_urlsafe(32)); only its SHA-256 is
-- stored, so a copy of the database cannot be used to open a link.
CREATE TABLE share_links (
    id INTEGER PRIMARY KEY,
    circle_id INTEGER NOT NULL REFERENCES circles(id) ON DELETE CASCADE,
    token_hash TEXT NOT NULL UNIQUE,
    label TEXT NOT NULL,  -- whom it is for, e.g. "Dr. Lee, clinic"
    created_by INTEGER REFERENCES users(id) ON DELETE SET NULL,
    created_at TEXT NOT NULL,
    expires_at TEXT NOT NULL,
    revoked_at TEXT,
    revoked_by INTEGER REFERENCES users(id) ON DELETE SET NULL,
    include_notes INTEGER NOT NULL DEFAULT 0 CHECK (include_notes IN (0, 1)),
    days INTEGER NOT NULL DEFAULT 14 CHECK (days IN (7, 14, 30)),  -- the summary's window
    open_count INTEGER NOT NULL DEFAULT 0,
    last_opened_at TEXT
);
CREATE INDEX share_links_circle ON share_links(circle_id, created_at);
