SELECT id, product_code, channel_code, maturity_date
FROM hjs_product
WHERE id = ANY(%(product_ids)s)
ORDER BY id
