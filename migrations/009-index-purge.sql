-- The purge (caregiver/retention.py) deletes audit entries by age: without this
-- index it would read the whole log, the largest table after check-ins.
CREATE INDEX audit_log_at ON audit_log(at);
