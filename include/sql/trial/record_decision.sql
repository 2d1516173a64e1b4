-- The first answer for (product, run) stands; a retry of the task records nothing new.
INSERT INTO hold_decision (product_id, run_id, decision, decided_by, comment)
VALUES (%(product_id)s, %(run_id)s, %(decision)s, %(decided_by)s, %(comment)s)
ON CONFLICT (product_id, run_id) DO NOTHING
