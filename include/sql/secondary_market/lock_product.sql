-- The product row, locked for the close step's gate: a transfer being recorded holds this row FOR SHARE,
-- so the gate waits for it to commit (and then sees it), and every later transfer sees the product closed.
SELECT id, product_code, transfer_open, transfer_closed_at, maturity_date
FROM hjs_product
WHERE id = %(product_id)s
FOR UPDATE
