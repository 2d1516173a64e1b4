-- The products a payback run of day %(run_day)s works on, chosen by state rather than by exact date, so
-- the first run after an outage of any length pays the days it missed:
--   every product maturing on the run's day (paid or not: a rerun reports them as already paid), and
--   every product that matured before it and still has a current holder that is not paid
--   (INVEST_START, INVEST_SUCCESS or SELL_CONFIRMED; LIQUIDATED is no holder, SELL_SUCCESS is paid).
-- Never a product maturing after the run's day: nothing is paid before its maturity date.
-- Index-driven: the range on hjs_product_maturity, then per product one probe of asset_product_status
-- (product_id, status) for the three unpaid statuses; no scan of asset.
SELECT h.id, h.product_code, h.maturity_date
FROM hjs_product h
WHERE h.maturity_date <= %(run_day)s::date
  AND (h.maturity_date = %(run_day)s::date
       OR EXISTS (SELECT 1 FROM asset a
                  WHERE a.product_id = h.id
                    AND a.status IN ('INVEST_START', 'INVEST_SUCCESS', 'SELL_CONFIRMED')))
ORDER BY h.maturity_date, h.id
