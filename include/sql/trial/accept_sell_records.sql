-- An accepted product: zw's figures (principal + interest) for every current holder, with HJS's amount
-- where it sent a usable one. Unique per asset: an earlier record stays (accept_check.sql verifies it).
INSERT INTO sell_record (asset_id, product_id, principal, interest, amount, hjs_amount, run_id)
SELECT a.id, a.product_id, a.create_amount, a.create_expected_interest,
       a.create_amount + a.create_expected_interest, h.hjs_amount, %(run_id)s
FROM unnest(%(asset_ids)s::bigint[], %(hjs_amounts)s::numeric[]) AS h(asset_id, hjs_amount)
JOIN asset a ON a.id = h.asset_id AND a.product_id = %(product_id)s
WHERE a.status IN ('INVEST_SUCCESS', 'SELL_CONFIRMED')
ON CONFLICT (asset_id) DO NOTHING
