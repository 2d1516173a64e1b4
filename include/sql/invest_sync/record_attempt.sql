-- One call outcome worth keeping (a failure with HJS's code and reason, a product confirmation).
INSERT INTO hjs_sync_attempt (kind, subject_id, reference, outcome, reason_code, reason, run_id)
VALUES (%(kind)s, %(subject_id)s, %(reference)s, %(outcome)s, %(reason_code)s, %(reason)s, %(run_id)s)
