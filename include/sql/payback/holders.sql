-- The current holders (not LIQUIDATED) of a product, grouped by status and whether they have a sell
-- record, with a few asset ids each. The guard (domain.payback.holder_problem) reads the groups: the
-- product is paid only when every group is ready (SELL_CONFIRMED, or SELL_SUCCESS from an earlier run,
-- with a sell record); the ready groups say how many orders and moves the writing must make.
SELECT a.status,
       s.id IS NOT NULL AS has_sell_record,
       count(*) AS assets,
       (array_agg(a.id ORDER BY a.id))[1:10] AS sample_asset_ids
FROM asset a
-- a sell record counts only for the asset's own product (sell_record_product index: no full scan)
LEFT JOIN sell_record s ON s.asset_id = a.id AND s.product_id = %(product_id)s
WHERE a.product_id = %(product_id)s
  AND a.status <> 'LIQUIDATED'
GROUP BY a.status, s.id IS NOT NULL
ORDER BY a.status, has_sell_record
