-- Products of a maturity date that a person accepted: a run of that date asks nothing about them.
SELECT p.product_code, d.decided_by, d.decided_at, d.run_id
FROM hold_decision d
JOIN hjs_product p ON p.id = d.product_id
WHERE d.maturity_date = %(maturity_date)s AND d.decision = 'ACCEPT_ZW'
ORDER BY p.product_code
