-- Products this run held and nobody has accepted since (for the notice and the alert).
SELECT p.id, p.product_code, p.channel_code, p.maturity_date
FROM trial_product_result r
JOIN hjs_product p ON p.id = r.product_id
WHERE r.run_id = %(run_id)s AND r.outcome = 'HOLD'
  AND NOT EXISTS (SELECT 1 FROM hold_decision d
                  WHERE d.product_id = r.product_id AND d.maturity_date = p.maturity_date
                    AND d.decision = 'ACCEPT_ZW')
ORDER BY p.maturity_date, p.channel_code, p.product_code
