SELECT product_id, status, problem, hjs_maturity_date
FROM trial_fetch
WHERE run_id = %(run_id)s AND product_id = ANY(%(product_ids)s)
