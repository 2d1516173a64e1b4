-- Current holders with a payback order move SELL_CONFIRMED -> SELL_SUCCESS; already moved ones are
-- left alone, so a rerun updates nothing.
UPDATE asset a
SET status = 'SELL_SUCCESS', updated_at = now()
FROM payback_order p
WHERE p.asset_id = a.id
  AND p.product_id = %(product_id)s
  AND a.product_id = %(product_id)s
  AND a.status = 'SELL_CONFIRMED'
