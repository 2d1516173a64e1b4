-- Move one package, only from the status we saw (0 rows: someone else moved it first).
UPDATE hjs_product SET status = %(to_status)s, updated_at = now()
WHERE id = %(product_id)s AND status = %(from_status)s
RETURNING id
