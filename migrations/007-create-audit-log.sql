-- The audit log, and the account-recovery data whose use it records.

-- Who did what to an account or a circle, and when. `detail` is JSON and never
-- holds a password, a token, a code or a secret (caregiver/audit.py refuses
-- such keys). A user's own account events go when the account is deleted;
-- a circle's entries go with the circle.
CREATE TABLE audit_log (
    id INTEGER PRIMARY KEY,
    at TEXT NOT NULL,  -- UTC, ISO 8601
    user_id INTEGER REFERENCES users(id) ON DELETE SET NULL,
    circle_id INTEGER REFERENCES circles(id) ON DELETE CASCADE,
    event TEXT NOT NULL,
    detail TEXT NOT NULL DEFAULT '{}',
    ip TEXT
);
CREATE INDEX audit_log_user ON audit_log(user_id, at);
CREATE INDEX audit_log_circle ON audit_log(circle_id, at);

-- Ten single-use recovery codes per account (shown once). Only a salted SHA-256
-- is kept: the codes are random (about 79 bits each), so a slow hash adds nothing.
CREATE TABLE recovery_codes (
    id INTEGER PRIMARY KEY,
    user_id INTEGER NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    code_hash TEXT NOT NULL,  -- "<salt hex>$<sha256 hex>"
    created_at TEXT NOT NULL,
    used_at TEXT
);
CREATE INDEX recovery_codes_user ON recovery_codes(user_id);

-- Password reset links that a circle owner makes for a member (valid 15 minutes,
-- single use). Only the SHA-256 of the token is stored. A link stops working if
-- the owner or the member leaves the circle, or the circle is deleted.
CREATE TABLE password_resets (
    id INTEGER PRIMARY KEY,
    token_hash TEXT NOT NULL UNIQUE,
    user_id INTEGER NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    circle_id INTEGER NOT NULL REFERENCES circles(id) ON DELETE CASCADE,
    created_by INTEGER NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    created_at TEXT NOT NULL,
    expires_at TEXT NOT NULL,
    used_at TEXT
);
CREATE INDEX password_resets_user ON password_resets(user_id);
CREATE INDEX password_resets_circle ON password_resets(circle_id);

-- Two-step sign-in (TOTP). The secret is sealed with a key derived from the app's
-- secret key (not in the database); the last accepted time step stops a code
-- from being used twice.
ALTER TABLE users ADD COLUMN totp_secret TEXT;
ALTER TABLE users ADD COLUMN totp_last_step INTEGER;
