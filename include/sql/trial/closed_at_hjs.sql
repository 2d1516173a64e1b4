-- Whether each product's transfer interface is closed at HJS (recorded by the close step), and the last
-- reason closing failed: a product still open at HJS is not reconciled, its holdings could change.
SELECT p.id,
       EXISTS (SELECT 1 FROM hjs_sync_attempt s
               WHERE s.kind = 'CLOSE_TRANSFER' AND s.subject_id = p.id AND s.outcome = 'SUCCESS') AS closed,
       (SELECT s.reason FROM hjs_sync_attempt s
        WHERE s.kind = 'CLOSE_TRANSFER' AND s.subject_id = p.id AND s.outcome <> 'SUCCESS'
        ORDER BY s.attempted_at DESC LIMIT 1) AS last_failure
FROM hjs_product p
WHERE p.id = ANY(%(product_ids)s)
