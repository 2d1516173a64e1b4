-- The current holders of each product maturing on one date (a liquidated asset's money follows its
-- buyer): count and principal per product, read through asset_product_status by product.
SELECT a.product_id, count(*) AS holders, sum(a.create_amount) AS principal
FROM hjs_product p
JOIN asset a ON a.product_id = p.id AND a.status <> 'LIQUIDATED'
WHERE p.maturity_date = %(maturity_date)s
GROUP BY a.product_id
