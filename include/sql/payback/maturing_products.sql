-- Products whose maturity date is the run's day (Asia/Shanghai calendar date, passed in by the run).
SELECT id, product_code
FROM hjs_product
WHERE maturity_date = %(maturity_date)s::date
ORDER BY id
