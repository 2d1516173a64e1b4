-- The two subscriptions through which the local stack holds one demo product at T-3: HJS skews the
-- amount of the first order of channel HJS_B's product maturing three days after the demo's day; its second
-- order is the one HJS is never told about (missing at HJS).
SELECT r.order_no, p.product_code
FROM invest_record r
JOIN asset a ON a.id = r.asset_id
JOIN hjs_product p ON p.id = a.product_id
WHERE p.channel_code = 'HJS_B' AND p.maturity_date = %(maturity_date)s
ORDER BY r.order_no
LIMIT 2
