-- Moves a demo-history decision, and what an acceptance wrote with it, to the moment it was taken.
WITH decision AS (
    UPDATE hold_decision SET decided_at = %(at)s
    WHERE product_id = %(product_id)s AND run_id = %(run_id)s
    RETURNING decision
),
sells AS (
    UPDATE sell_record SET created_at = %(at)s
    WHERE product_id = %(product_id)s AND run_id = %(run_id)s
      AND EXISTS (SELECT 1 FROM decision WHERE decision = 'ACCEPT_ZW')
),
-- the holders it sold, unless a later payback moved them on
sold AS (
    UPDATE asset SET updated_at = %(at)s
    WHERE status = 'SELL_CONFIRMED' AND id IN (SELECT asset_id FROM sell_record
                                               WHERE product_id = %(product_id)s AND run_id = %(run_id)s)
      AND EXISTS (SELECT 1 FROM decision WHERE decision = 'ACCEPT_ZW')
)
SELECT 1
