UPDATE asset
SET status = 'SELL_CONFIRMED', updated_at = now()
WHERE id = ANY(%(asset_ids)s::bigint[]) AND product_id = %(product_id)s AND status = 'INVEST_SUCCESS'
