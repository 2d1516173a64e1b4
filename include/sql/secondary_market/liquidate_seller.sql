-- The seller's asset is sold (asset_status_guard allows INVEST_SUCCESS -> LIQUIDATED only).
UPDATE asset SET status = 'LIQUIDATED', updated_at = now()
WHERE id = %(seller_asset_id)s AND status = 'INVEST_SUCCESS'
