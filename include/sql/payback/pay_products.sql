-- Pays a set of products in ONE statement, each product all or nothing (payback/service.py):
-- locks the products, judges every current holder (not LIQUIDATED) with the guard's rule
-- (domain.payback.holder_problem: ready = SELL_CONFIRMED without an order, or SELL_SUCCESS with one,
-- with a sell record of the product, not bought from an asset that is still a holder) and looks for
-- loops in the products' origin chains; then, for the clean products only, writes every
-- SELL_CONFIRMED holder's payback order and moves it to SELL_SUCCESS. A product with one holder in
-- doubt is left out by the statement's own WHERE: nothing of it is written.
-- One row per product: clean, what the writes had to do (to_pay, paid_before) and what they did
-- (new_orders, moved). Every part of one statement reads the same snapshot, so the move cannot see
-- the new orders: it moves the holders the insert was given, and the caller compares the counts (a
-- holder changed by another writer in between shows as a shortfall and the caller rolls back).
-- Orders as in docs/payback.md: principal and interest from the sell record, boost_interest the sum
-- of the asset's asset_extra_interest rows, the destination from payback_destination().
-- ON CONFLICT DO NOTHING on both unique keys (asset, sell record): a rerun writes nothing.
-- Every table is reached through an index on the product or the asset.
WITH RECURSIVE locked AS (
    SELECT id FROM hjs_product WHERE id = ANY (%(product_ids)s) ORDER BY id FOR NO KEY UPDATE
),
holders AS (
    SELECT a.id, a.product_id, a.user_id, a.pay_method, a.card_id, a.status, s.id AS sell_record_id,
           s.principal, s.interest,
           -- only a seller that is still a current holder is a problem; a LIQUIDATED seller is the normal
           -- case (probed only for a transferred asset: a join would hash every asset)
           NOT EXISTS (SELECT FROM asset o WHERE a.origin_asset_id IS NOT NULL AND o.id = a.origin_asset_id
                                             AND o.status <> 'LIQUIDATED')
           AND s.id IS NOT NULL
           AND ((a.status = 'SELL_CONFIRMED' AND p.id IS NULL) OR (a.status = 'SELL_SUCCESS' AND p.id IS NOT NULL))
               AS ready
    FROM asset a
    LEFT JOIN sell_record s ON s.asset_id = a.id AND s.product_id = a.product_id
                           AND s.product_id = ANY (%(product_ids)s)
    LEFT JOIN payback_order p ON p.asset_id = a.id AND p.product_id = a.product_id
                             AND p.product_id = ANY (%(product_ids)s)
    WHERE a.product_id = ANY (%(product_ids)s)
      AND a.status <> 'LIQUIDATED'
),
-- origin_cycles.sql's walk, from every transferred asset of the products at once; a product has a
-- cycle when a walk comes back to its start
up (product_id, start_id, id, origin_asset_id, path, looped) AS (
    SELECT a.product_id, a.id, a.id, a.origin_asset_id, ARRAY[a.id], false
    FROM asset a
    WHERE a.product_id = ANY (%(product_ids)s) AND a.origin_asset_id IS NOT NULL
    UNION ALL
    SELECT u.product_id, u.start_id, o.id, o.origin_asset_id, u.path || o.id, o.id = ANY (u.path)
    FROM up u
    JOIN asset o ON o.id = u.origin_asset_id
    WHERE NOT u.looped
),
verdict AS (
    SELECT l.id AS product_id,
           count(h.id) FILTER (WHERE NOT h.ready) = 0
           AND NOT EXISTS (SELECT FROM up u WHERE u.product_id = l.id AND u.looped AND u.id = u.start_id) AS clean,
           count(h.id) FILTER (WHERE h.status = 'SELL_CONFIRMED') AS to_pay,
           count(h.id) FILTER (WHERE h.status = 'SELL_SUCCESS') AS paid_before,
           (array_agg(h.id ORDER BY h.id) FILTER (WHERE h.status = 'SELL_CONFIRMED'))[1:10] AS sample_asset_ids
    FROM locked l
    LEFT JOIN holders h ON h.product_id = l.id
    GROUP BY l.id
),
to_write AS (
    SELECT h.* FROM holders h JOIN verdict v ON v.product_id = h.product_id
    WHERE v.clean AND h.status = 'SELL_CONFIRMED'
),
boosts AS (
    SELECT e.asset_id, sum(e.extra_interest) AS boost_interest
    FROM asset_extra_interest e
    WHERE e.asset_id IN (SELECT id FROM to_write)
    GROUP BY e.asset_id
),
written AS (
    INSERT INTO payback_order (asset_id, sell_record_id, product_id, user_id, principal, interest, boost_interest,
                               amount, destination, card_id, run_id)
    SELECT w.id, w.sell_record_id, w.product_id, w.user_id, w.principal, w.interest,
           COALESCE(b.boost_interest, 0), w.principal + w.interest + COALESCE(b.boost_interest, 0),
           d.destination, CASE WHEN d.destination = 'CARD' THEN w.card_id END, %(run_id)s
    FROM to_write w
    LEFT JOIN boosts b ON b.asset_id = w.id
    CROSS JOIN LATERAL (SELECT payback_destination(w.pay_method, b.boost_interest IS NOT NULL) AS destination) d
    ORDER BY w.id
    ON CONFLICT DO NOTHING
    RETURNING product_id
),
moved AS (
    UPDATE asset a
    SET status = 'SELL_SUCCESS', updated_at = now()
    FROM to_write w
    WHERE a.id = w.id AND a.status = 'SELL_CONFIRMED'
    RETURNING a.product_id
)
SELECT v.product_id, v.clean, v.to_pay, v.paid_before, COALESCE(w.rows, 0) AS new_orders,
       COALESCE(m.rows, 0) AS moved, v.sample_asset_ids
FROM verdict v
LEFT JOIN (SELECT product_id, count(*) AS rows FROM written GROUP BY product_id) w ON w.product_id = v.product_id
LEFT JOIN (SELECT product_id, count(*) AS rows FROM moved GROUP BY product_id) m ON m.product_id = v.product_id
ORDER BY v.product_id
