SELECT r.product_id
FROM trial_product_result r
WHERE r.run_id = %(run_id)s AND r.outcome = %(outcome)s
ORDER BY r.product_id
