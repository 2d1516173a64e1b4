-- zw's side of the comparison: every current holder of the products' subscriptions. A subscription is
-- keyed by the subscribing asset (the root of its origin_asset_id chain: HJS's orderNo derives from it);
-- the holder is the end of the chain (A -> B -> C: C holds A's subscription). Amounts in fen.
-- A current holder whose origin chain never reaches a subscribing asset (a cycle, data written by other
-- means) is listed too, keyed by the smallest asset id of its chain, with the chain in `problem`: zw
-- cannot say whose subscription it holds, so the product is held and can never be accepted as it is.
WITH RECURSIVE chain AS (
    SELECT a.id AS root_id, a.id AS asset_id, 0 AS depth
    FROM asset a
    WHERE a.product_id = ANY(%(product_ids)s) AND a.origin_asset_id IS NULL
    UNION ALL
    SELECT c.root_id, b.id, c.depth + 1
    FROM chain c
    JOIN asset b ON b.origin_asset_id = c.asset_id
    WHERE c.depth < 1000
),
up AS (
    SELECT h.id AS start, h.origin_asset_id AS next, ARRAY[h.id] AS path
    FROM asset h
    WHERE h.product_id = ANY(%(product_ids)s) AND h.status <> 'LIQUIDATED'
      AND NOT EXISTS (SELECT 1 FROM chain c WHERE c.asset_id = h.id)
    UNION ALL
    SELECT u.start, a.origin_asset_id, u.path || a.id
    FROM up u
    JOIN asset a ON a.id = u.next
    WHERE NOT a.id = ANY(u.path)
),
unreached AS (
    SELECT DISTINCT ON (start) start, path, next
    FROM up
    ORDER BY start, cardinality(path) DESC
)
SELECT a.product_id, c.root_id, a.id, (a.create_amount * 100)::bigint,
       (a.create_expected_interest * 100)::bigint, a.status, NULL::text AS problem
FROM chain c
JOIN asset a ON a.id = c.asset_id
WHERE a.status <> 'LIQUIDATED'
UNION ALL
SELECT a.product_id, (SELECT min(x) FROM unnest(u.path) x), a.id, (a.create_amount * 100)::bigint,
       (a.create_expected_interest * 100)::bigint, a.status,
       CASE WHEN u.next IS NULL
            THEN 'asset ' || a.id || ': its origin chain ' || array_to_string(u.path, ' -> ')
                 || ' ends outside this product, so zw cannot say whose holding it is'
            ELSE 'asset ' || a.id || ': its origin chain ' || array_to_string(u.path, ' -> ') || ' -> ' || u.next
                 || ' is a cycle and never reaches a subscribing asset, so zw cannot say whose holding it is'
       END
FROM unreached u
JOIN asset a ON a.id = u.start
