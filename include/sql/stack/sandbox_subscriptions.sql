-- The subscriptions HJS holds, as zw knows them: every asset with an invest record. Their current
-- holders at HJS come from secondary_market/current_holder.sql (registered transfers only).
SELECT r.order_no, r.hjs_order_id, p.product_code, a.id, a.user_id, a.shares, a.create_amount, r.accepted_at
FROM invest_record r
JOIN asset a ON a.id = r.asset_id
JOIN hjs_product p ON p.id = a.product_id
ORDER BY r.order_no
