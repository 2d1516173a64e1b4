-- Cycles in the origin chains of a product's assets (A bought from B, B bought from A): such a holding
-- has no first buyer, so neither HJS nor zw can say whose it is, and nothing of the product may be
-- paid. One row per cycle: its assets in chain order (each bought from the next), starting from the
-- lowest id. Data written by other means only: the schema forbids a self-reference and a second
-- buyer, not a longer loop. Walks origin_asset_id through asset's primary key, from the product's
-- transferred assets only; the path stops the walk at the first asset seen twice.
WITH RECURSIVE up (start_id, id, origin_asset_id, path, looped) AS (
    SELECT a.id, a.id, a.origin_asset_id, ARRAY[a.id], false
    FROM asset a
    WHERE a.product_id = %(product_id)s AND a.origin_asset_id IS NOT NULL
    UNION ALL
    SELECT u.start_id, o.id, o.origin_asset_id, u.path || o.id, o.id = ANY (u.path)
    FROM up u
    JOIN asset o ON o.id = u.origin_asset_id
    WHERE NOT u.looped
)
SELECT u.path[1:array_length(u.path, 1) - 1] AS cycle_asset_ids
FROM up u
-- back where it started, so start_id lies on the cycle; each cycle once, from its lowest id
WHERE u.looped AND u.id = u.start_id
  AND u.start_id = (SELECT min(x.id) FROM unnest(u.path) AS x (id))
ORDER BY u.start_id
