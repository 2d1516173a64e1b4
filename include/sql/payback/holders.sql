-- The current holders (not LIQUIDATED) of a product, grouped by what the guard needs to know about
-- each (domain.payback.holder_problem): status, whether it has a sell record for this product, whether
-- it already has a payback order, and whether the asset it was bought from is still a current holder
-- (a transfer whose seller is not LIQUIDATED would pay one holding twice). Up to ten asset ids per
-- group. The ready groups say how many orders and moves the writing must make.
-- Every table is reached through an index on the product or the asset (sell_record_product,
-- payback_order_product, asset's primary key): no scan of a whole table per product.
SELECT a.status,
       s.id IS NOT NULL AS has_sell_record,
       p.id IS NOT NULL AS has_order,
       o.status AS origin_status,
       count(*) AS assets,
       (array_agg(a.id ORDER BY a.id))[1:10] AS sample_asset_ids
FROM asset a
LEFT JOIN sell_record s ON s.asset_id = a.id AND s.product_id = %(product_id)s
LEFT JOIN payback_order p ON p.asset_id = a.id AND p.product_id = %(product_id)s
-- only a seller that is still a current holder is a problem; a LIQUIDATED seller is the normal case
LEFT JOIN asset o ON o.id = a.origin_asset_id AND o.status <> 'LIQUIDATED'
WHERE a.product_id = %(product_id)s
  AND a.status <> 'LIQUIDATED'
GROUP BY a.status, s.id IS NOT NULL, p.id IS NOT NULL, o.status
ORDER BY a.status, has_sell_record, has_order, origin_status
