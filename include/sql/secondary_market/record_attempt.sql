-- One call outcome worth keeping (kind TRANSFER or CLOSE_TRANSFER): successes for the audit, failures
-- with HJS's code and message (or zw's own code, prefixed ZW_, for a transfer zw would not send).
INSERT INTO hjs_sync_attempt (kind, subject_id, reference, outcome, reason_code, reason, run_id)
VALUES (%(kind)s, %(subject_id)s, %(reference)s, %(outcome)s, %(reason_code)s, %(reason)s, %(run_id)s)
