-- What one run did to transfers: its hjs_sync_attempt rows by outcome (for the run's e-mail).
SELECT outcome, count(*)
FROM hjs_sync_attempt
WHERE kind = 'TRANSFER' AND run_id = %(run_id)s
GROUP BY outcome
ORDER BY outcome
