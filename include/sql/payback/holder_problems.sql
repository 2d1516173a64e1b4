-- The guard: current holders (not LIQUIDATED) of a product that are not ready to be paid, grouped by
-- what is wrong, with a few asset ids each. No rows = every current holder has a sell record and is
-- SELL_CONFIRMED (or already SELL_SUCCESS from an earlier run).
SELECT a.status,
       s.id IS NOT NULL AS has_sell_record,
       count(*) AS assets,
       (array_agg(a.id ORDER BY a.id))[1:10] AS sample_asset_ids
FROM asset a
-- a sell record counts only for the asset's own product (sell_record_product index: no full scan)
LEFT JOIN sell_record s ON s.asset_id = a.id AND s.product_id = %(product_id)s
WHERE a.product_id = %(product_id)s
  AND a.status <> 'LIQUIDATED'
  AND NOT (a.status IN ('SELL_CONFIRMED', 'SELL_SUCCESS') AND s.id IS NOT NULL)
GROUP BY a.status, s.id IS NOT NULL
ORDER BY a.status, has_sell_record
