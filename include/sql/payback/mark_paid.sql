-- The product's current holders that now have a payback order move SELL_CONFIRMED -> SELL_SUCCESS;
-- already moved ones are left alone, so a rerun updates nothing. Driven from the asset's product index
-- with a probe of payback_order's unique asset index: the plan does not depend on payback_order's
-- statistics, which lag while a day's million orders are being written.
UPDATE asset a
SET status = 'SELL_SUCCESS', updated_at = now()
WHERE a.product_id = %(product_id)s
  AND a.status = 'SELL_CONFIRMED'
  AND EXISTS (SELECT 1 FROM payback_order p WHERE p.asset_id = a.id)
