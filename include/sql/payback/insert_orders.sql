-- One payback order per current holder of a product, set-wise (docs/payback.md):
-- principal and interest from the sell record (the T-3 trial's confirmed figures), boost_interest the
-- sum of the asset's stored asset_extra_interest rows; the destination from payback_destination()
-- (migration 0009: any boost -> BALANCE, merged into this ONE order; otherwise the way the money came).
-- LIQUIDATED assets are never paid: their buyer is.
-- ON CONFLICT DO NOTHING on both unique keys (asset, sell record): a rerun writes nothing.
-- Every table is reached through an index on the product or the asset (no scan of a whole table per
-- product: a day with thousands of products stays linear).
INSERT INTO payback_order (asset_id, sell_record_id, product_id, user_id, principal, interest, boost_interest,
                           amount, destination, card_id, run_id)
SELECT a.id, s.id, a.product_id, a.user_id, s.principal, s.interest, COALESCE(b.boost_interest, 0),
       s.principal + s.interest + COALESCE(b.boost_interest, 0),
       d.destination,
       CASE WHEN d.destination = 'CARD' THEN a.card_id END,
       %(run_id)s
FROM asset a
JOIN sell_record s ON s.asset_id = a.id AND s.product_id = %(product_id)s
CROSS JOIN LATERAL (SELECT sum(e.extra_interest) AS boost_interest
                    FROM asset_extra_interest e WHERE e.asset_id = a.id) b
CROSS JOIN LATERAL (SELECT payback_destination(a.pay_method, b.boost_interest IS NOT NULL) AS destination) d
WHERE a.product_id = %(product_id)s
  AND a.status IN ('SELL_CONFIRMED', 'SELL_SUCCESS')
ORDER BY a.id
ON CONFLICT DO NOTHING
