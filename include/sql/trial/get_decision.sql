SELECT decision, decided_by, comment, decided_at, run_id
FROM hold_decision
WHERE product_id = %(product_id)s AND run_id = %(run_id)s
