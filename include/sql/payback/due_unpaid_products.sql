-- Products whose maturity date has come by %(run_day)s and that still have a current holder who is not
-- paid (same test and indexes as due_products.sql). Read by the deadline alert: an empty answer means
-- everything the run's day was due to pay is paid, whichever run paid it.
SELECT h.id, h.product_code, h.maturity_date
FROM hjs_product h
WHERE h.maturity_date <= %(run_day)s::date
  AND EXISTS (SELECT 1 FROM asset a
              WHERE a.product_id = h.id
                AND a.status IN ('INVEST_START', 'INVEST_SUCCESS', 'SELL_CONFIRMED'))
ORDER BY h.maturity_date, h.id
