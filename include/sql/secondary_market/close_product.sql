-- Close zw's side of the product's secondary market (the gate). Only an open product changes, so a
-- second close keeps the first transfer_closed_at.
UPDATE hjs_product
SET transfer_open = FALSE, transfer_closed_at = now(), updated_at = now()
WHERE id = %(product_id)s AND transfer_open
RETURNING transfer_closed_at
