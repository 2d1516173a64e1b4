-- A retry of the fetch replaces what an earlier attempt of the same run wrote for the product.
DELETE FROM hjs_amount_snapshot WHERE run_id = %(run_id)s AND product_id = %(product_id)s
