-- Data check (SQLCheckOperator, every value must be true) over the paid products maturing on the day:
-- every current holder has exactly one payback order and is SELL_SUCCESS, and every order belongs to
-- an asset of the product it names.
WITH paid AS (
    SELECT DISTINCT p.product_id
    FROM payback_order p
    JOIN hjs_product h ON h.id = p.product_id
    WHERE h.maturity_date = %(maturity_date)s::date
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
