-- Products maturing on the trial's target date (run day + offset), in a stable order for batching.
SELECT id, product_code, channel_code
FROM hjs_product
WHERE maturity_date = %(maturity_date)s
ORDER BY channel_code, id
