-- The acceptance that stands for a product's maturity date, if any (at most one: hold_decision_one_accept).
SELECT decision, decided_by, comment, decided_at, run_id
FROM hold_decision
WHERE product_id = %(product_id)s AND maturity_date = %(maturity_date)s AND decision = 'ACCEPT_ZW'
