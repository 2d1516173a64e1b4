-- Data check (SQLValueCheckOperator, pass value 0 for every column) over the products the run paid
-- (%(product_ids)s, every maturity date the run covered): current holders without exactly one payback
-- order, current holders not SELL_SUCCESS, and orders naming a product their asset does not belong to.
WITH paid AS (
    SELECT DISTINCT unnest(%(product_ids)s::bigint[]) AS product_id
)
SELECT
    (SELECT count(*)
     FROM asset a
     WHERE a.product_id IN (SELECT product_id FROM paid) AND a.status <> 'LIQUIDATED'
       AND (SELECT count(*) FROM payback_order p WHERE p.asset_id = a.id) <> 1) AS holders_without_one_order,
    (SELECT count(*)
     FROM asset a
     WHERE a.product_id IN (SELECT product_id FROM paid) AND a.status NOT IN ('LIQUIDATED', 'SELL_SUCCESS'))
        AS holders_not_sell_success,
    (SELECT count(*)
     FROM payback_order p
     JOIN asset a ON a.id = p.asset_id
     WHERE p.product_id IN (SELECT product_id FROM paid) AND a.product_id <> p.product_id)
        AS orders_of_another_product
