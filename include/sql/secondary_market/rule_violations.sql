-- Transfers that break the secondary market's rules, whoever wrote them (the platform's own checks in
-- record_transfer make these impossible through it; this finds data written by other means).
-- Parameter: close_offset_days (the T-3 offset). One row per transfer and problem; none = all good.
SELECT l.id AS liquidate_id, p.product_code, v.problem
FROM liquidate_asset l
JOIN asset s ON s.id = l.seller_asset_id
JOIN asset b ON b.id = l.buyer_asset_id
JOIN hjs_product p ON p.id = s.product_id
CROSS JOIN LATERAL (VALUES
    (s.status <> 'LIQUIDATED',
     'seller asset ' || s.id || ' is ' || s.status || ', not LIQUIDATED'),
    ((l.transferred_at AT TIME ZONE 'Asia/Shanghai')::date >= p.maturity_date - %(close_offset_days)s::integer,
     'made on ' || (l.transferred_at AT TIME ZONE 'Asia/Shanghai')::date || ', on or after the close date '
         || (p.maturity_date - %(close_offset_days)s::integer)),
    (p.transfer_closed_at IS NOT NULL AND l.transferred_at >= p.transfer_closed_at,
     'made after the product closed for transfers at ' || p.transfer_closed_at),
    (b.origin_asset_id IS DISTINCT FROM s.id OR b.product_id <> s.product_id OR b.shares <> s.shares
         OR b.create_amount <> s.create_amount
         OR b.create_expected_interest IS DISTINCT FROM s.create_expected_interest,
     'buyer asset ' || b.id || ' does not inherit seller asset ' || s.id || ' (origin, product, shares, '
         || 'principal or expected interest differ)'),
    (l.fee <> round(l.price * l.fee_rate, 2),
     'fee ' || l.fee || ' is not price x fee rate rounded half-up (' || round(l.price * l.fee_rate, 2) || ')')
) AS v(broken, problem)
WHERE v.broken
ORDER BY l.id, v.problem
