-- A transfer HJS accepted (or already had). One row per liquidation: a second writer finds it there and
-- writes nothing (RETURNING then gives no row, and the caller writes no second audit row either).
INSERT INTO transfer_registration (liquidate_id, transfer_no, hjs_transfer_id, accepted_at, run_id)
VALUES (%(liquidate_id)s, %(transfer_no)s, %(hjs_transfer_id)s, %(accepted_at)s, %(run_id)s)
ON CONFLICT (liquidate_id) DO NOTHING
RETURNING liquidate_id
