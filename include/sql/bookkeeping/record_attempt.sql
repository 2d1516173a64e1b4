-- One HJS call outcome worth keeping (hjs_sync_attempt): successes for the audit, failures with HJS's
-- code and message (or zw's own code, prefixed ZW_, for something zw would not send). Every pipeline
-- that calls HJS records its attempts through this one statement.
INSERT INTO hjs_sync_attempt (kind, subject_id, reference, outcome, reason_code, reason, run_id)
VALUES (%(kind)s, %(subject_id)s, %(reference)s, %(outcome)s, %(reason_code)s, %(reason)s, %(run_id)s)
