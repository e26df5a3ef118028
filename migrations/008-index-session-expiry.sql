-- Purging expired sessions (at every sign-in) reads `last_seen_at < ? OR created_at < ?`:
-- with an index on each, SQLite answers the OR from both instead of scanning every
-- session (bench/README.md, query plans).
CREATE INDEX sessions_last_seen ON sessions(last_seen_at);
CREATE INDEX sessions_created ON sessions(created_at);
