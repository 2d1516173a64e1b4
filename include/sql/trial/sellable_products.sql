-- Of the staged products in %(product_ids)s, those whose EVERY staged asset can be sold for the compared
-- amount: the asset is of that product, still has zw's compared principal + interest, may be sold
-- (INVEST_SUCCESS, or SELL_CONFIRMED already), and has no sell record for another amount. A product with
-- one asset in doubt is left out entirely (nothing is written for it).
SELECT s.product_id,
       count(*) AS staged,
       count(*) FILTER (WHERE a.id IS NOT NULL
                          AND a.status IN ('INVEST_SUCCESS', 'SELL_CONFIRMED')
                          AND (a.create_amount + a.create_expected_interest) * 100 = s.zw_fen
                          AND (r.asset_id IS NULL OR r.amount * 100 = s.zw_fen)) AS sellable
FROM trial_sell_stage s
LEFT JOIN asset a ON a.id = s.asset_id AND a.product_id = s.product_id
LEFT JOIN sell_record r ON r.asset_id = s.asset_id
WHERE s.product_id = ANY(%(product_ids)s)
GROUP BY s.product_id
ORDER BY s.product_id
