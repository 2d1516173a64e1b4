-- The product's current holders that now have a payback order move SELL_CONFIRMED -> SELL_SUCCESS;
-- already moved ones are left alone, so a rerun updates nothing. Both tables are restricted by their
-- product index: an EXISTS probe on the asset id was planned as a scan of all of payback_order
-- (whose statistics lag while a day's orders are written), 10x slower by the end of a big day.
UPDATE asset a
SET status = 'SELL_SUCCESS', updated_at = now()
FROM payback_order p
WHERE p.asset_id = a.id
  AND p.product_id = %(product_id)s
  AND a.product_id = %(product_id)s
  AND a.status = 'SELL_CONFIRMED'
