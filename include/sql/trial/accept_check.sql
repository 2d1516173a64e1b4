-- Current holders of an accepted product that are not sold for zw's amount: must be none, or the
-- acceptance rolls back. (asset id, status, amount of its sell record or NULL)
SELECT a.id, a.status, r.amount
FROM asset a
LEFT JOIN sell_record r ON r.asset_id = a.id AND r.product_id = %(product_id)s
WHERE a.product_id = %(product_id)s AND a.status <> 'LIQUIDATED'
  AND NOT (a.status IN ('SELL_CONFIRMED', 'SELL_SUCCESS')
           AND r.amount IS NOT NULL AND r.amount = a.create_amount + a.create_expected_interest)
ORDER BY a.id
