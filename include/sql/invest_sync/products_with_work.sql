-- Products that have assets waiting for invest sync as of the run's cutoff (its data-interval end):
-- every INVEST_START asset created before the cutoff, however old, and none created after it.
-- A secondary-market asset never waits (it was never subscribed by its buyer).
SELECT a.product_id
FROM asset a
WHERE a.status = 'INVEST_START'
  AND a.created_at < %(cutoff)s
  AND a.origin_asset_id IS NULL
GROUP BY a.product_id
ORDER BY a.product_id
