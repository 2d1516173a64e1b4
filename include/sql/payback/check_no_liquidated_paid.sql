-- Data check (SQLValueCheckOperator, pass value 0): payback orders of products maturing on the day
-- that pay a LIQUIDATED asset (its buyer, the current holder, must be paid instead).
SELECT count(*) AS liquidated_assets_paid
FROM payback_order p
JOIN hjs_product h ON h.id = p.product_id
JOIN asset a ON a.id = p.asset_id
WHERE h.maturity_date = %(maturity_date)s::date
  AND a.status = 'LIQUIDATED'
