-- Data check (SQLCheckOperator, every value must be true) over the products the run paid
-- (%(product_ids)s, every maturity date the run covered): every current holder has exactly one payback
-- order and is SELL_SUCCESS, and every order belongs to an asset of the product it names.
WITH paid AS (
    SELECT DISTINCT unnest(%(product_ids)s::bigint[]) AS product_id
)
SELECT
    (SELECT count(*)
     FROM asset a
     WHERE a.product_id IN (SELECT product_id FROM paid) AND a.status <> 'LIQUIDATED'
       AND (SELECT count(*) FROM payback_order p WHERE p.asset_id = a.id) <> 1) = 0 AS every_holder_has_one_order,
    (SELECT count(*)
     FROM asset a
     WHERE a.product_id IN (SELECT product_id FROM paid) AND a.status NOT IN ('LIQUIDATED', 'SELL_SUCCESS'))
        = 0 AS every_holder_is_sell_success,
    (SELECT count(*)
     FROM payback_order p
     JOIN asset a ON a.id = p.asset_id
     WHERE p.product_id IN (SELECT product_id FROM paid) AND a.product_id <> p.product_id) = 0
        AS every_order_matches_its_asset
