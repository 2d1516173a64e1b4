SELECT e.product_id, p.product_code, e.subject_key, e.asset_id, e.order_no, e.class, e.zw_amount, e.hjs_amount,
       e.diff, e.detail
FROM reconciliation_exception e
JOIN hjs_product p ON p.id = e.product_id
WHERE e.run_id = %(run_id)s
ORDER BY abs(COALESCE(e.diff, 0)) DESC, p.product_code, e.subject_key
