-- "Prepare for an assessment" (caregiver/assessment.py) and the circle's plan for when
-- things get worse (caregiver/plan.py). Numbered 013: 012 belongs to another branch;
-- the runner applies whatever is pending in name order, so the gap is harmless.

-- The family's answer to each question of the assessment page (the six signs that
-- often point to inpatient care, the conditions for outpatient care): yes, no or not
-- sure, a note, and who answered last and when. No row: not answered.
CREATE TABLE assessment_answers (
    circle_id INTEGER NOT NULL REFERENCES circles(id) ON DELETE CASCADE,
    question_id TEXT NOT NULL,
    answer TEXT CHECK (answer IN ('yes', 'no', 'not-sure')),
    note TEXT,
    changed_by INTEGER REFERENCES users(id) ON DELETE SET NULL,
    changed_at TEXT NOT NULL,
    PRIMARY KEY (circle_id, question_id)
);

-- The questions the family wants to ask the assessor, one per line. No row: the
-- app's default list.
CREATE TABLE assessor_questions (
    circle_id INTEGER PRIMARY KEY REFERENCES circles(id) ON DELETE CASCADE,
    questions TEXT NOT NULL,
    changed_by INTEGER REFERENCES users(id) ON DELETE SET NULL,
    changed_at TEXT NOT NULL
);

-- The plan as it stands: one row per circle, its version counting the saves.
CREATE TABLE plans (
    circle_id INTEGER PRIMARY KEY REFERENCES circles(id) ON DELETE CASCADE,
    version INTEGER NOT NULL CHECK (version >= 1),
    after_hours TEXT,       -- the care team's after-hours number
    step_up_program TEXT,   -- the program to call to step back up
    step_up_how TEXT,       -- and how
    prescriber TEXT,
    pharmacy TEXT,
    step_up_signs TEXT NOT NULL DEFAULT '',  -- the signs the circle agreed on, one per line
    changed_by INTEGER REFERENCES users(id) ON DELETE SET NULL,
    changed_at TEXT NOT NULL
);

-- Who calls whom, in order.
CREATE TABLE plan_calls (
    circle_id INTEGER NOT NULL REFERENCES plans(circle_id) ON DELETE CASCADE,
    position INTEGER NOT NULL,
    who TEXT NOT NULL,
    number TEXT NOT NULL,
    PRIMARY KEY (circle_id, position)
);

-- Where naloxone is kept, and when each one expires (a reminder reads expires_on).
CREATE TABLE plan_naloxone (
    circle_id INTEGER NOT NULL REFERENCES plans(circle_id) ON DELETE CASCADE,
    position INTEGER NOT NULL,
    place TEXT NOT NULL,
    expires_on TEXT,  -- YYYY-MM-DD, or NULL when not known
    PRIMARY KEY (circle_id, position)
);
CREATE INDEX plan_naloxone_expires ON plan_naloxone(expires_on);

-- Every save of the plan, like the ticks: who, when, and what it said then (JSON).
CREATE TABLE plan_edits (
    id INTEGER PRIMARY KEY,
    circle_id INTEGER NOT NULL REFERENCES circles(id) ON DELETE CASCADE,
    version INTEGER NOT NULL,
    user_id INTEGER REFERENCES users(id) ON DELETE SET NULL,
    at TEXT NOT NULL,
    plan_json TEXT NOT NULL,
    UNIQUE (circle_id, version)
);

-- Who has read which version ("I have read this version", or saving it).
CREATE TABLE plan_seen (
    circle_id INTEGER NOT NULL REFERENCES circles(id) ON DELETE CASCADE,
    user_id INTEGER NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    version INTEGER NOT NULL,
    at TEXT NOT NULL,
    PRIMARY KEY (circle_id, user_id)
);

-- A share link can carry the assessment brief too (chosen when it is made).
ALTER TABLE share_links ADD COLUMN include_brief INTEGER NOT NULL DEFAULT 0 CHECK (include_brief IN (0, 1));
