-- A subscription HJS holds, booked in ONE statement (so one transaction): the asset moves
-- INVEST_START -> INVEST_SUCCESS only if it is still INVEST_START (a concurrent or repeated run finds
-- nothing to move and writes nothing), its invest record (unique per asset and per order number) and
-- the audit row are written only for a row that moved. Returns one row when booked, none otherwise.
WITH moved AS (
    UPDATE asset SET status = 'INVEST_SUCCESS', updated_at = now()
    WHERE id = %(asset_id)s AND status = 'INVEST_START'
    RETURNING id, create_amount
), recorded AS (
    INSERT INTO invest_record (asset_id, order_no, hjs_order_id, amount, accepted_at, run_id)
    SELECT id, %(order_no)s, %(hjs_order_id)s, create_amount, %(accepted_at)s, %(run_id)s FROM moved
    RETURNING asset_id
), audited AS (
    INSERT INTO hjs_sync_attempt (kind, subject_id, reference, outcome, run_id)
    SELECT 'INVEST', asset_id, %(order_no)s, %(outcome)s, %(run_id)s FROM recorded
)
SELECT asset_id FROM recorded
