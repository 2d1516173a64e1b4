-- The product's transfer interface was closed at HJS: recorded once (a second close step finds it and
-- writes nothing, so calling the close step twice changes nothing).
INSERT INTO hjs_sync_attempt (kind, subject_id, reference, outcome, reason, run_id)
SELECT 'CLOSE_TRANSFER', %(product_id)s, %(product_code)s, 'SUCCESS', %(reason)s, %(run_id)s
WHERE NOT EXISTS (SELECT 1 FROM hjs_sync_attempt
                  WHERE kind = 'CLOSE_TRANSFER' AND subject_id = %(product_id)s AND outcome = 'SUCCESS')
