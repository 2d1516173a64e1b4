-- The first answer for (product, run) stands; a retry of the task records nothing new. The caller holds
-- the product's lock and has checked that no acceptance stands for the maturity date.
INSERT INTO hold_decision (product_id, maturity_date, run_id, decision, decided_by, comment)
VALUES (%(product_id)s, %(maturity_date)s, %(run_id)s, %(decision)s, %(decided_by)s, %(comment)s)
ON CONFLICT (product_id, run_id) DO NOTHING
