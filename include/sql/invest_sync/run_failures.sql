-- What a run (all its tries) left failed: the latest attempt of this run per asset or product, when it
-- is a failure and the asset is still INVEST_START (an asset that failed on try 1 and was subscribed on
-- try 2 is not a failure). Products are listed with the number of their assets set aside.
WITH latest AS (
    SELECT DISTINCT ON (s.kind, s.subject_id) s.kind, s.subject_id, s.reference, s.outcome, s.reason_code,
           s.reason
    FROM hjs_sync_attempt s
    WHERE s.run_id = %(run_id)s AND s.kind IN ('INVEST', 'PRODUCT')
    ORDER BY s.kind, s.subject_id, s.attempted_at DESC, s.id DESC
)
SELECT l.kind, l.subject_id, l.reference, l.outcome, l.reason_code, l.reason,
       COALESCE(p.product_code, ap.product_code) AS product_code
FROM latest l
LEFT JOIN hjs_product p ON l.kind = 'PRODUCT' AND p.id = l.subject_id
LEFT JOIN asset a ON l.kind = 'INVEST' AND a.id = l.subject_id
LEFT JOIN hjs_product ap ON ap.id = a.product_id
WHERE l.outcome NOT IN ('SUCCESS', 'ALREADY_AT_HJS')
  AND (l.kind = 'PRODUCT' OR a.status = 'INVEST_START')
ORDER BY l.kind DESC, product_code, l.subject_id
