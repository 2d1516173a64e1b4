-- The product's staged assets, how many of them can be sold for the compared amount: the asset is
-- of that product, still has zw's compared principal + interest, may be sold (INVEST_SUCCESS, or
-- SELL_CONFIRMED already), and has no sell record for another amount; and what the writing must then do. One asset in doubt
-- and the product is left out entirely (nothing is written for it).
-- Every table is reached through its product index (a sell record carries its asset's product), so a
-- product costs the same on a day of 5,000 products as on a day of one.
SELECT count(*) AS staged,
       count(*) FILTER (WHERE a.id IS NOT NULL
                          AND a.status IN ('INVEST_SUCCESS', 'SELL_CONFIRMED')
                          AND (a.create_amount + a.create_expected_interest) * 100 = s.zw_fen
                          AND (r.asset_id IS NULL OR r.amount * 100 = s.zw_fen)) AS sellable,
       count(r.asset_id) AS recorded,  -- sell records already there (an earlier run): not written again
       count(*) FILTER (WHERE a.status = 'INVEST_SUCCESS') AS to_confirm  -- the moves the writing must make
FROM trial_sell_stage s
LEFT JOIN asset a ON a.id = s.asset_id AND a.product_id = %(product_id)s
LEFT JOIN sell_record r ON r.asset_id = s.asset_id AND r.product_id = %(product_id)s
WHERE s.product_id = %(product_id)s
