-- Per product: staged assets, and those with a sell record for zw's compared amount that are confirmed.
SELECT s.product_id, count(*) AS staged,
       count(*) FILTER (WHERE r.amount * 100 = s.zw_fen AND a.status IN ('SELL_CONFIRMED', 'SELL_SUCCESS')) AS sold
FROM trial_sell_stage s
LEFT JOIN sell_record r ON r.asset_id = s.asset_id
LEFT JOIN asset a ON a.id = s.asset_id
WHERE s.product_id = ANY(%(product_ids)s)
GROUP BY s.product_id
