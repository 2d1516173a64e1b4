INSERT INTO reconciliation_exception (run_id, product_id, subject_key, asset_id, order_no, class, zw_amount,
                                      hjs_amount, diff, detail)
VALUES (%(run_id)s, %(product_id)s, %(subject_key)s, %(asset_id)s, %(order_no)s, %(class)s, %(zw_amount)s,
        %(hjs_amount)s, %(diff)s, %(detail)s)
ON CONFLICT (run_id, product_id, subject_key, class) DO NOTHING
