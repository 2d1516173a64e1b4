-- The subscriptions through which the local stack makes the demo's T-3 trial hold two products: HJS skews
-- the amount of the first order of channel HJS_B's product maturing on the date, and is never told about
-- the first order of channel HJS_C's (missing at HJS). Only while the product still waits for its trial
-- (a holder not yet sold): once settled or accepted, HJS has nothing left to get wrong.
SELECT DISTINCT ON (p.channel_code) p.channel_code, p.product_code, r.order_no
FROM invest_record r
JOIN asset a ON a.id = r.asset_id
JOIN hjs_product p ON p.id = a.product_id
WHERE p.channel_code IN ('HJS_B', 'HJS_C') AND p.maturity_date = %(maturity_date)s
  AND EXISTS (SELECT 1 FROM asset w WHERE w.product_id = p.id AND w.status = 'INVEST_SUCCESS')
ORDER BY p.channel_code, r.order_no
