-- Data check (SQLValueCheckOperator, pass value 0): payback orders of the products the run paid
-- (%(product_ids)s, every maturity date the run covered) that pay a LIQUIDATED asset (its buyer, the
-- current holder, must be paid instead).
SELECT count(*) AS liquidated_assets_paid
FROM payback_order p
JOIN asset a ON a.id = p.asset_id
WHERE p.product_id = ANY (%(product_ids)s::bigint[])
  AND a.status = 'LIQUIDATED'
