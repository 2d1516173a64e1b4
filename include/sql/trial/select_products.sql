-- The products a T-3 run of day R reconciles: every product maturing on or before R + offset that
-- still has a holder waiting for its sell record (INVEST_SUCCESS). Chosen by state, not by an exact
-- date, so the first run after an outage of any length also takes the days it missed, and a product
-- already settled or accepted is never taken again. Oldest maturity first.
SELECT p.id, p.product_code, p.channel_code, p.maturity_date
FROM hjs_product p
WHERE p.maturity_date <= %(target_date)s
  AND EXISTS (SELECT 1 FROM asset a WHERE a.product_id = p.id AND a.status = 'INVEST_SUCCESS')
ORDER BY p.maturity_date, p.channel_code, p.id
