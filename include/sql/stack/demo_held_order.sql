-- The subscription whose HJS amount the local stack skews so that one demo product is held at T-3:
-- the first order of channel HJS_B's product maturing three days after the demo's day.
SELECT r.order_no, p.product_code
FROM invest_record r
JOIN asset a ON a.id = r.asset_id
JOIN hjs_product p ON p.id = a.product_id
WHERE p.channel_code = 'HJS_B' AND p.maturity_date = %(maturity_date)s
ORDER BY r.order_no
LIMIT 1
