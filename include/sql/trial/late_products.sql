-- Products this run reconciled after their T-3 day had passed (maturity before the run's target date),
-- with the outcome and the question that stands for a held one.
SELECT p.product_code, p.channel_code, p.maturity_date, r.outcome, r.class_counts, q.run_id, q.asked_at
FROM trial_product_result r
JOIN hjs_product p ON p.id = r.product_id
LEFT JOIN LATERAL (
    SELECT h.run_id, h.asked_at FROM hold_question h
    WHERE h.product_id = p.id AND h.maturity_date = p.maturity_date
    ORDER BY h.round DESC LIMIT 1
) q ON r.outcome = 'HOLD'
WHERE r.run_id = %(run_id)s AND p.maturity_date < %(target_date)s
ORDER BY p.maturity_date, p.channel_code, p.product_code
