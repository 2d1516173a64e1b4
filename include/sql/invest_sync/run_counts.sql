-- Outcomes of a run (all its tries), latest attempt per asset: the counts the report task returns.
WITH latest AS (
    SELECT DISTINCT ON (subject_id) subject_id, outcome, reason_code
    FROM hjs_sync_attempt
    WHERE run_id = %(run_id)s AND kind = 'INVEST'
    ORDER BY subject_id, attempted_at DESC, id DESC
)
SELECT outcome, COALESCE(reason_code, ''), count(*) FROM latest GROUP BY 1, 2 ORDER BY 1, 2
