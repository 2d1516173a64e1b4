-- HJS's usable amounts of this run's snapshot of a product, by orderNo (kept beside zw's in sell_record).
SELECT order_no, amount
FROM hjs_amount_snapshot
WHERE run_id = %(run_id)s AND product_id = %(product_id)s AND problem IS NULL AND order_no IS NOT NULL
