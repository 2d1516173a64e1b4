-- INVEST_SUCCESS -> SELL_CONFIRMED for the staged assets of the product that have a sell record
-- (conditional, so a rerun moves nothing). Reached through the product indexes, as sellable_product.sql.
UPDATE asset a
SET status = 'SELL_CONFIRMED', updated_at = now()
FROM trial_sell_stage s
JOIN sell_record r ON r.asset_id = s.asset_id AND r.product_id = %(product_id)s
WHERE s.product_id = %(product_id)s
  AND a.id = s.asset_id AND a.product_id = %(product_id)s AND a.status = 'INVEST_SUCCESS'
