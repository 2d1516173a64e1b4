-- Transfers not yet registered at HJS, in the order HJS must receive them, with what registering needs.
-- A chain A -> B -> C is two transfers of ONE subscription (A's order number): HJS knows B as the holder
-- only after A -> B is registered, so transfers are ordered by their depth in the chain (A -> B first).
-- Parameters: product_id (NULL = every product), cutoff (NULL = no limit: transfers made before it).
-- set_aside: HJS (or zw's own check) refused it before and nothing registered it since; not re-sent
-- unless asked. Columns are read by hjs_operators.secondary_market.repository.PendingTransfer.
WITH RECURSIVE pending AS (
    SELECT l.id, l.seller_asset_id, l.buyer_asset_id, l.price, l.fee, l.transferred_at, s.product_id
    FROM liquidate_asset l
    JOIN asset s ON s.id = l.seller_asset_id
    WHERE NOT EXISTS (SELECT 1 FROM transfer_registration r WHERE r.liquidate_id = l.id)
      AND (%(product_id)s::bigint IS NULL OR s.product_id = %(product_id)s::bigint)
      AND (%(cutoff)s::timestamptz IS NULL OR l.transferred_at < %(cutoff)s::timestamptz)
), walk AS (
    -- walk each pending transfer back through earlier transfers to the subscribing asset
    SELECT p.id AS liquidate_id, p.seller_asset_id AS asset_id, 0 AS depth
    FROM pending p
    UNION ALL
    SELECT w.liquidate_id, earlier.seller_asset_id, w.depth + 1
    FROM walk w
    JOIN liquidate_asset earlier ON earlier.buyer_asset_id = w.asset_id
    WHERE w.depth < 10000  -- a cycle can only come from data written by other means; stop, do not spin
), root AS (
    SELECT DISTINCT ON (liquidate_id) liquidate_id, asset_id AS root_asset_id, depth
    FROM walk
    ORDER BY liquidate_id, depth DESC
)
SELECT p.id AS liquidate_id,
       p.product_id,
       hp.product_code,
       p.seller_asset_id,
       p.buyer_asset_id,
       p.price,
       p.fee,
       p.transferred_at,
       rt.root_asset_id,
       ir.order_no,
       rt.depth,
       prev.id AS predecessor_id,
       (prev.id IS NULL OR EXISTS (SELECT 1 FROM transfer_registration r WHERE r.liquidate_id = prev.id))
           AS predecessor_registered,
       last_refusal.reason_code AS refused_code,
       last_refusal.reason AS refused_reason
FROM pending p
JOIN hjs_product hp ON hp.id = p.product_id
JOIN root rt ON rt.liquidate_id = p.id
LEFT JOIN invest_record ir ON ir.asset_id = rt.root_asset_id
LEFT JOIN liquidate_asset prev ON prev.buyer_asset_id = p.seller_asset_id
LEFT JOIN LATERAL (
    SELECT a.reason_code, a.reason
    FROM hjs_sync_attempt a
    WHERE a.kind = 'TRANSFER' AND a.subject_id = p.id AND a.outcome = 'BUSINESS_FAILURE'
    ORDER BY a.attempted_at DESC, a.id DESC
    LIMIT 1
) last_refusal ON TRUE
ORDER BY p.product_id, rt.depth, p.id
