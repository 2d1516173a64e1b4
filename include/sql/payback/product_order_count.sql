-- Payback orders a product has now (this run's and earlier runs').
SELECT count(*) FROM payback_order WHERE product_id = %(product_id)s
