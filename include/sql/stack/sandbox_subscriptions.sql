-- The subscriptions HJS holds, as zw knows them: every asset with an invest record, and its current
-- holder at HJS, reached by following the transfers that were registered there (A -> B -> C).
WITH RECURSIVE chain AS (
    SELECT r.asset_id AS origin_id, r.asset_id AS holder_id, 0 AS depth
    FROM invest_record r
    UNION ALL
    SELECT c.origin_id, l.buyer_asset_id, c.depth + 1
    FROM chain c
    JOIN liquidate_asset l ON l.seller_asset_id = c.holder_id
    JOIN transfer_registration t ON t.liquidate_id = l.id
), holder AS (
    SELECT DISTINCT ON (origin_id) origin_id, holder_id
    FROM chain
    ORDER BY origin_id, depth DESC
)
SELECT r.order_no, r.hjs_order_id, p.product_code, a.id, a.user_id, a.shares, a.create_amount, h.holder_id,
       r.accepted_at
FROM invest_record r
JOIN asset a ON a.id = r.asset_id
JOIN hjs_product p ON p.id = a.product_id
JOIN holder h ON h.origin_id = r.asset_id
ORDER BY r.order_no
