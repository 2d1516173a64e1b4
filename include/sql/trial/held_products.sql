-- Held products of a maturity date whose hold nobody has accepted (for the settlement notice).
SELECT p.id, p.product_code, p.channel_code
FROM trial_product_result r
JOIN hjs_product p ON p.id = r.product_id
WHERE r.run_id = %(run_id)s AND r.outcome = 'HOLD'
  AND NOT EXISTS (SELECT 1 FROM hold_decision d WHERE d.product_id = r.product_id AND d.decision = 'ACCEPT_ZW')
ORDER BY p.channel_code, p.product_code
