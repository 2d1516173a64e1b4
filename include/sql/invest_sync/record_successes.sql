-- Subscriptions HJS holds, booked in ONE statement (so one transaction) for a group of assets: each
-- asset moves INVEST_START -> INVEST_SUCCESS only if it is still INVEST_START (a concurrent or repeated
-- run finds nothing to move and writes nothing for it), and its invest record (unique per asset and per
-- order number) and audit row are written only for a row that moved. Never half-booked: the statement
-- books every asset of the group that can be moved, or (on any error) nothing. The group comes as
-- parallel arrays, one element per asset; returns the ids of the assets booked now.
WITH booking AS (
    SELECT *
    FROM unnest(%(asset_ids)s::bigint[], %(order_nos)s::text[], %(hjs_order_ids)s::text[],
                %(accepted_ats)s::timestamptz[], %(outcomes)s::text[])
         AS b(asset_id, order_no, hjs_order_id, accepted_at, outcome)
), moved AS (
    UPDATE asset a SET status = 'INVEST_SUCCESS', updated_at = now()
    FROM booking b
    WHERE a.id = b.asset_id AND a.status = 'INVEST_START'
    RETURNING a.id, a.create_amount
), recorded AS (
    INSERT INTO invest_record (asset_id, order_no, hjs_order_id, amount, accepted_at, run_id)
    SELECT m.id, b.order_no, b.hjs_order_id, m.create_amount, b.accepted_at, %(run_id)s
    FROM moved m JOIN booking b ON b.asset_id = m.id
    ORDER BY m.id
    RETURNING asset_id, order_no
), audited AS (
    INSERT INTO hjs_sync_attempt (kind, subject_id, reference, outcome, run_id)
    SELECT 'INVEST', r.asset_id, r.order_no, b.outcome, %(run_id)s
    FROM recorded r JOIN booking b ON b.asset_id = r.asset_id
    ORDER BY r.asset_id
)
SELECT asset_id FROM recorded
