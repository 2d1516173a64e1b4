-- The decision on each product the run held: this run's answer, or an acceptance of the product's
-- maturity date given in any run (final); no row in hold_decision: NULLs, the question is open.
SELECT r.product_id, d.decision, d.decided_by, d.decided_at, d.comment, d.run_id
FROM trial_product_result r
LEFT JOIN LATERAL (
    SELECT h.decision, h.decided_by, h.decided_at, h.comment, h.run_id
    FROM hold_decision h
    WHERE h.product_id = r.product_id
      AND (h.run_id = r.run_id OR (h.decision = 'ACCEPT_ZW' AND h.maturity_date = r.maturity_date))
    ORDER BY h.decision = 'ACCEPT_ZW' DESC, h.decided_at DESC
    LIMIT 1) d ON true
WHERE r.run_id = %(run_id)s AND r.outcome = 'HOLD'
