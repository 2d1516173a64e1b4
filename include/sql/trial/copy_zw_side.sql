-- zw's side of the comparison: every current holder of the products' subscriptions. A subscription is
-- keyed by the subscribing asset (the root of its origin_asset_id chain: HJS's orderNo derives from it);
-- the holder is the end of the chain (A -> B -> C: C holds A's subscription). Amounts in fen.
COPY (
    WITH RECURSIVE chain AS (
        SELECT a.id AS root_id, a.id AS asset_id, 0 AS depth
        FROM asset a
        WHERE a.product_id = ANY(%(product_ids)s) AND a.origin_asset_id IS NULL
        UNION ALL
        SELECT c.root_id, b.id, c.depth + 1
        FROM chain c
        JOIN asset b ON b.origin_asset_id = c.asset_id
        WHERE c.depth < 1000
    )
    SELECT a.product_id, c.root_id, a.id, (a.create_amount * 100)::bigint,
           (a.create_expected_interest * 100)::bigint, a.status
    FROM chain c
    JOIN asset a ON a.id = c.asset_id
    WHERE a.status <> 'LIQUIDATED'
) TO STDOUT WITH (FORMAT csv)
