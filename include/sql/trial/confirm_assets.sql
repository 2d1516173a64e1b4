-- INVEST_SUCCESS -> SELL_CONFIRMED for the staged assets of the given products that have a sell record
-- (conditional, so a rerun moves nothing).
UPDATE asset a
SET status = 'SELL_CONFIRMED', updated_at = now()
FROM trial_sell_stage s
JOIN sell_record r ON r.asset_id = s.asset_id
WHERE s.product_id = ANY(%(product_ids)s) AND a.id = s.asset_id AND a.status = 'INVEST_SUCCESS'
