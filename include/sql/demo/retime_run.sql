-- Moves what one demo-history run wrote to the moment that run happened (the pipelines' code stamps
-- now()): so the console shows the past days as they were, with their ages.
WITH fetches AS (UPDATE trial_fetch SET fetched_at = %(at)s WHERE run_id = %(run_id)s),
     snapshots AS (UPDATE hjs_amount_snapshot SET fetched_at = %(at)s WHERE run_id = %(run_id)s),
     results AS (UPDATE trial_product_result SET compared_at = %(at)s WHERE run_id = %(run_id)s),
     exceptions AS (UPDATE reconciliation_exception SET created_at = %(at)s WHERE run_id = %(run_id)s),
     questions AS (UPDATE hold_question SET asked_at = %(at)s WHERE run_id = %(run_id)s),
     sells AS (UPDATE sell_record SET created_at = %(at)s WHERE run_id = %(run_id)s),
     attempts AS (UPDATE hjs_sync_attempt SET attempted_at = %(at)s WHERE run_id = %(run_id)s),
     notices AS (UPDATE notice_sent SET sent_at = %(at)s, first_sent_at = %(at)s WHERE run_id = %(run_id)s),
     announced AS (UPDATE settlement_notice_product SET created_at = %(at)s WHERE run_id = %(run_id)s),
     orders AS (UPDATE payback_order SET created_at = %(at)s WHERE run_id = %(run_id)s),
     -- a run is a trial run (it sells) or a payback run (it pays), never both: no asset is updated twice
     moved AS (UPDATE asset SET updated_at = %(at)s
               WHERE id IN (SELECT asset_id FROM sell_record WHERE run_id = %(run_id)s
                            UNION ALL SELECT asset_id FROM payback_order WHERE run_id = %(run_id)s))
SELECT 1
