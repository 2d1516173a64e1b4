-- The current holder of every subscription: follows the transfers A -> B -> C from the asset that bought
-- the holding on zw (origin_asset_id IS NULL) to the asset that holds it now. Reusable by any pipeline
-- (docs/secondary-market.md):
--   product_id       bigint, NULL = every product
--   registered_only  boolean: true = follow only transfers registered at HJS (the holder HJS knows, its
--                    maturity.trial holderAssetId); false = every transfer zw recorded (the holder zw pays)
-- One row per subscribing asset: its order number (NULL if never subscribed), the holding asset, its
-- user and status, and how many transfers lie between them (0 = never transferred).
WITH RECURSIVE chain AS (
    SELECT a.id AS root_asset_id, a.id AS holder_asset_id, 0 AS transfers
    FROM asset a
    WHERE a.origin_asset_id IS NULL
      AND (%(product_id)s::bigint IS NULL OR a.product_id = %(product_id)s::bigint)
    UNION ALL
    SELECT c.root_asset_id, l.buyer_asset_id, c.transfers + 1
    FROM chain c
    JOIN liquidate_asset l ON l.seller_asset_id = c.holder_asset_id
    WHERE c.transfers < 10000  -- a cycle can only come from data written by other means
      AND (NOT %(registered_only)s::boolean
           OR EXISTS (SELECT 1 FROM transfer_registration r WHERE r.liquidate_id = l.id))
)
SELECT DISTINCT ON (c.root_asset_id)
       root.product_id, c.root_asset_id, ir.order_no, c.holder_asset_id, holder.user_id AS holder_user_id,
       holder.status AS holder_status, c.transfers
FROM chain c
JOIN asset root ON root.id = c.root_asset_id
JOIN asset holder ON holder.id = c.holder_asset_id
LEFT JOIN invest_record ir ON ir.asset_id = c.root_asset_id
ORDER BY c.root_asset_id, c.transfers DESC
