-- The asset being sold, locked FOR UPDATE (two sales of one asset queue here; the second sees it
-- LIQUIDATED), and its product locked FOR SHARE (the close step's gate waits for this transfer, and a
-- transfer waits for a gate in progress). now() is the transaction's clock: the transfer's moment.
SELECT a.id, a.user_id, a.product_id, a.status, a.create_expected_interest,
       p.product_code, p.transfer_open, p.transfer_closed_at, p.maturity_date, now() AS db_now
FROM asset a
JOIN hjs_product p ON p.id = a.product_id
WHERE a.id = %(asset_id)s
FOR UPDATE OF a FOR SHARE OF p
