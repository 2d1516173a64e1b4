-- Sells the staged assets of a set of products in ONE statement, each product all or nothing
-- (trial/sell.py): locks the products, counts per product how many staged assets can be sold for the
-- compared amount (the asset is of that product, still has zw's compared principal + interest, may be
-- sold: INVEST_SUCCESS, or SELL_CONFIRMED already, and has no sell record for another amount); then,
-- for the products whose every staged asset can be sold, writes the missing sell records with zw's
-- figures (HJS's amount beside them) and moves INVEST_SUCCESS -> SELL_CONFIRMED. A product with one
-- asset in doubt is left out by the statement's own WHERE: nothing of it is written.
-- One row per product: the counts (staged, sellable, recorded = sell records already there from an
-- earlier run, to_confirm) and what the writes did (written, confirmed). Every part of one statement
-- reads the same snapshot, so the move cannot see the new records: it moves the assets the insert
-- was given, and the caller compares the counts (an asset changed by another writer in between
-- shows as a shortfall: the move rechecks the amount on the row's newest version).
-- Unique per asset: ON CONFLICT DO NOTHING, so a rerun writes and moves nothing.
-- Every table is reached through its product index (a sell record carries its asset's product).
WITH locked AS (
    SELECT id FROM hjs_product WHERE id = ANY (%(product_ids)s) ORDER BY id FOR NO KEY UPDATE
),
staged AS (
    SELECT s.asset_id, s.product_id, s.zw_fen, s.hjs_fen, a.create_amount, a.create_expected_interest, a.status,
           a.id IS NOT NULL
           AND a.status IN ('INVEST_SUCCESS', 'SELL_CONFIRMED')
           AND (a.create_amount + a.create_expected_interest) * 100 = s.zw_fen
           AND (r.asset_id IS NULL OR r.amount * 100 = s.zw_fen) AS sellable,
           r.asset_id IS NOT NULL AS recorded
    FROM trial_sell_stage s
    LEFT JOIN asset a ON a.id = s.asset_id AND a.product_id = s.product_id AND a.product_id = ANY (%(product_ids)s)
    LEFT JOIN sell_record r ON r.asset_id = s.asset_id AND r.product_id = s.product_id
                           AND r.product_id = ANY (%(product_ids)s)
    WHERE s.product_id = ANY (%(product_ids)s)
),
verdict AS (
    SELECT l.id AS product_id,
           count(st.asset_id) AS staged,
           count(*) FILTER (WHERE st.sellable) AS sellable,
           count(*) FILTER (WHERE st.recorded) AS recorded,
           count(*) FILTER (WHERE st.status = 'INVEST_SUCCESS') AS to_confirm
    FROM locked l
    JOIN staged st ON st.product_id = l.id
    GROUP BY l.id
),
to_sell AS (
    SELECT st.* FROM staged st JOIN verdict v ON v.product_id = st.product_id
    WHERE v.sellable = v.staged
),
written AS (
    INSERT INTO sell_record (asset_id, product_id, principal, interest, amount, hjs_amount, run_id)
    SELECT t.asset_id, t.product_id, t.create_amount, t.create_expected_interest,
           t.create_amount + t.create_expected_interest, t.hjs_fen / 100.0, %(run_id)s
    FROM to_sell t
    WHERE NOT t.recorded
    ON CONFLICT (asset_id) DO NOTHING
    RETURNING product_id
),
confirmed AS (
    UPDATE asset a
    SET status = 'SELL_CONFIRMED', updated_at = now()
    FROM to_sell t
    WHERE a.id = t.asset_id AND a.status = 'INVEST_SUCCESS'
      AND (a.create_amount + a.create_expected_interest) * 100 = t.zw_fen
    RETURNING a.product_id
)
SELECT v.product_id, v.staged, v.sellable, v.recorded, v.to_confirm, COALESCE(w.rows, 0) AS written,
       COALESCE(c.rows, 0) AS confirmed
FROM verdict v
LEFT JOIN (SELECT product_id, count(*) AS rows FROM written GROUP BY product_id) w ON w.product_id = v.product_id
LEFT JOIN (SELECT product_id, count(*) AS rows FROM confirmed GROUP BY product_id) c ON c.product_id = v.product_id
ORDER BY v.product_id
