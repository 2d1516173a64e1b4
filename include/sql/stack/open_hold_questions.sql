-- Questions about held products that nobody has answered yet: the round's question stands (no decision
-- for it) and the product was not accepted for that maturity date. What `make run` says is undecided.
SELECT p.product_code, q.maturity_date, q.run_id, q.asked_at
FROM hold_question q
JOIN hjs_product p ON p.id = q.product_id
WHERE q.round = (SELECT count(*) FROM hold_decision d
                 WHERE d.product_id = q.product_id AND d.maturity_date = q.maturity_date)
  AND NOT EXISTS (SELECT 1 FROM hold_decision d
                  WHERE d.product_id = q.product_id AND d.maturity_date = q.maturity_date
                    AND d.decision = 'ACCEPT_ZW')
ORDER BY q.maturity_date, p.product_code
