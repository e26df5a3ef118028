-- Alerts by Web Push: phones, choices per circle, an outbox, and what was sent.

-- One row per phone (browser) that turned notifications on. It belongs to the session
-- that subscribed it, so signing out on that phone (or the session ending any other
-- way) stops its alerts at once.
CREATE TABLE push_subscriptions (
    id INTEGER PRIMARY KEY,
    user_id INTEGER NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    session_hash TEXT NOT NULL REFERENCES sessions(id_hash) ON DELETE CASCADE,
    endpoint TEXT NOT NULL UNIQUE,  -- the push service's address for this phone
    p256dh TEXT NOT NULL,  -- the phone's public key (base64url): messages are encrypted to it
    auth TEXT NOT NULL,  -- the phone's authentication secret (base64url)
    browser TEXT NOT NULL,  -- "Chrome on Android": how the account page names it
    created_at TEXT NOT NULL,
    last_delivered_at TEXT
);
CREATE INDEX push_subscriptions_user ON push_subscriptions(user_id);
CREATE INDEX push_subscriptions_session ON push_subscriptions(session_hash);

-- What a member wants to hear about one circle. No row: the defaults (urgent and new
-- signs on, nothing else). Leaving the circle deletes it with the membership.
CREATE TABLE alert_choices (
    circle_id INTEGER NOT NULL,
    user_id INTEGER NOT NULL,
    urgent INTEGER NOT NULL DEFAULT 1 CHECK (urgent IN (0, 1)),
    structure INTEGER NOT NULL DEFAULT 1 CHECK (structure IN (0, 1)),
    missing INTEGER NOT NULL DEFAULT 0 CHECK (missing IN (0, 1)),
    reminder_at TEXT,  -- HH:MM in the circle's time zone, or NULL for no reminder
    reminder_unless TEXT NOT NULL DEFAULT 'me' CHECK (reminder_unless IN ('me', 'anyone')),
    quiet_from TEXT,  -- HH:MM; quiet hours hold back all but urgent alerts
    quiet_until TEXT,
    PRIMARY KEY (circle_id, user_id),
    FOREIGN KEY (circle_id, user_id) REFERENCES memberships(circle_id, user_id) ON DELETE CASCADE
);

-- Which more-structure and missing-check-in rules held when a circle was last read,
-- so that a sign alerts once when it starts to hold, and again only after it stopped
-- holding for 7 days.
CREATE TABLE alert_rule_state (
    circle_id INTEGER NOT NULL REFERENCES circles(id) ON DELETE CASCADE,
    rule TEXT NOT NULL,
    holding INTEGER NOT NULL CHECK (holding IN (0, 1)),
    alerted_at TEXT,  -- when it last alerted
    stopped_at TEXT,  -- when it last stopped holding
    PRIMARY KEY (circle_id, rule)
);

-- The outbox: one row per alert per phone, written in the same transaction as what
-- caused it. `tag` names the alert: the same alert is never queued twice for a phone,
-- and a phone shows a retried one in place of the first.
CREATE TABLE push_outbox (
    id INTEGER PRIMARY KEY,
    -- SET NULL: the record of what was sent outlives a phone that turned alerts off
    subscription_id INTEGER REFERENCES push_subscriptions(id) ON DELETE SET NULL,
    circle_id INTEGER REFERENCES circles(id) ON DELETE CASCADE,  -- NULL for a test alert
    user_id INTEGER NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    kind TEXT NOT NULL CHECK (kind IN ('urgent', 'structure', 'missing', 'reminder', 'test')),
    tag TEXT NOT NULL,
    checkin_id INTEGER,  -- the check-in that caused an urgent alert (no foreign key: it may be deleted)
    payload TEXT NOT NULL,  -- JSON shown by the service worker: never a health value
    urgency TEXT NOT NULL DEFAULT 'normal' CHECK (urgency IN ('very-low', 'low', 'normal', 'high')),
    ttl INTEGER NOT NULL,  -- seconds the push service keeps it for an offline phone
    created_at TEXT NOT NULL,
    due_at TEXT NOT NULL,  -- not before (backoff, quiet hours)
    give_up_at TEXT NOT NULL,  -- retries stop here (24 hours)
    attempts INTEGER NOT NULL DEFAULT 0,
    claimed_by TEXT,  -- the sender holding it, until claimed_until
    claimed_until TEXT,
    state TEXT NOT NULL DEFAULT 'pending' CHECK (state IN ('pending', 'delivered', 'failed')),
    done_at TEXT,
    UNIQUE (subscription_id, tag)
);
CREATE INDEX push_outbox_due ON push_outbox(state, due_at);
CREATE INDEX push_outbox_checkin ON push_outbox(checkin_id) WHERE checkin_id IS NOT NULL;
CREATE INDEX push_outbox_circle_user ON push_outbox(circle_id, user_id);

-- Every attempt to hand an alert to a push service, and how it answered.
CREATE TABLE push_attempts (
    id INTEGER PRIMARY KEY,
    outbox_id INTEGER NOT NULL REFERENCES push_outbox(id) ON DELETE CASCADE,
    at TEXT NOT NULL,
    status INTEGER,  -- the HTTP status, or NULL when no answer came (timeout, refused)
    error TEXT,
    retry_after INTEGER
);
CREATE INDEX push_attempts_outbox ON push_attempts(outbox_id);

-- Daily reminders sent: at most one per member, circle and local day.
CREATE TABLE reminders_sent (
    circle_id INTEGER NOT NULL,
    user_id INTEGER NOT NULL,
    day TEXT NOT NULL,
    kind TEXT NOT NULL,
    at TEXT NOT NULL,
    PRIMARY KEY (circle_id, user_id, day, kind),
    FOREIGN KEY (circle_id, user_id) REFERENCES memberships(circle_id, user_id) ON DELETE CASCADE
);
