-- Each product maturing in [since, until] with where it stands: its newest T-3 result, its first
-- comparison and first hold for that maturity date, the decision that stands, the waiting question, the
-- settlement notice and the payback. One row per product from per-product index probes (hjs_product by
-- maturity date, then each small table by product), so the cost follows the number of products, never
-- the number of assets. The rules for a product's outcome and for late or missed days are here only;
-- maturity_dates.sql aggregates these rows (composed in as {stages}).
--   outcome: accepted (zw's amounts accepted), settled (sell records without an acceptance), kept (the
--     newest holding run's question answered "keep holding"), held (held, no answer yet), NULL (not
--     compared yet).
--   late: compared after its T-3 day, or paid after its maturity date (Asia/Shanghai days).
--   missed: its T-3 day passed with no comparison and no sale, or its maturity date passed unpaid.
SELECT b.*,
       CASE WHEN b.decision = 'ACCEPT_ZW' THEN 'accepted'
            WHEN b.sold THEN 'settled'
            WHEN b.last_outcome = 'HOLD' AND b.decision = 'KEEP_HOLDING' AND b.decision_run = b.last_run_id
                THEN 'kept'
            WHEN b.last_outcome = 'HOLD' THEN 'held'
       END AS outcome,
       COALESCE((b.first_compared_at AT TIME ZONE %(tz)s)::date > b.maturity_date - %(offset_days)s::int, FALSE)
           OR COALESCE((b.paid_at AT TIME ZONE %(tz)s)::date > b.maturity_date, FALSE) AS late,
       (NOT b.sold AND b.last_outcome IS NULL AND %(today)s > b.maturity_date - %(offset_days)s::int)
           OR (b.paid_at IS NULL AND %(today)s > b.maturity_date) AS missed
FROM (
    SELECT p.id AS product_id, p.product_code, p.channel_code, p.maturity_date,
           last.run_id AS last_run_id, last.outcome AS last_outcome, last.assets AS compared_assets,
           last.matched, last.zw_total, last.hjs_total, last.drift, last.max_abs_diff,
           first_compare.at AS first_compared_at, first_hold.at AS first_held_at, first_hold.run_id AS first_held_run,
           sale.product_id IS NOT NULL AS sold,
           dec.decision, dec.decided_by, dec.decided_at, dec.comment, dec.run_id AS decision_run,
           q.run_id AS open_question_run, q.asked_at, notice.notice_key, notice.created_at AS announced_at,
           paid.created_at AS paid_at
    FROM hjs_product p
    LEFT JOIN LATERAL (
        SELECT r.run_id, r.outcome, r.assets, r.matched, r.zw_total, r.hjs_total, r.drift, r.max_abs_diff
        FROM trial_product_result r
        WHERE r.product_id = p.id AND r.maturity_date = p.maturity_date
        ORDER BY r.compared_at DESC LIMIT 1
    ) last ON TRUE
    LEFT JOIN LATERAL (
        SELECT r.compared_at AS at FROM trial_product_result r
        WHERE r.product_id = p.id AND r.maturity_date = p.maturity_date
        ORDER BY r.compared_at LIMIT 1
    ) first_compare ON TRUE
    LEFT JOIN LATERAL (
        SELECT r.compared_at AS at, r.run_id FROM trial_product_result r
        WHERE r.product_id = p.id AND r.maturity_date = p.maturity_date AND r.outcome = 'HOLD'
        ORDER BY r.compared_at LIMIT 1
    ) first_hold ON TRUE
    LEFT JOIN LATERAL (  -- an acceptance is final and stands over any later answer
        SELECT d.decision, d.decided_by, d.decided_at, d.comment, d.run_id FROM hold_decision d
        WHERE d.product_id = p.id AND d.maturity_date = p.maturity_date
        ORDER BY d.decision = 'ACCEPT_ZW' DESC, d.decided_at DESC LIMIT 1
    ) dec ON TRUE
    LEFT JOIN LATERAL (
        SELECT h.run_id, h.asked_at FROM hold_question h
        WHERE h.product_id = p.id AND h.maturity_date = p.maturity_date
        ORDER BY h.round DESC LIMIT 1
    ) q ON NOT EXISTS (  -- only a question still waiting: not answered by its run, the product not accepted
        SELECT 1 FROM hold_decision d WHERE d.product_id = p.id AND d.maturity_date = p.maturity_date
          AND (d.run_id = q.run_id OR d.decision = 'ACCEPT_ZW'))
    LEFT JOIN LATERAL (  -- a join, not an EXISTS in the list: `sold` is read in several rules, probed once
        SELECT s.product_id FROM sell_record s WHERE s.product_id = p.id LIMIT 1
    ) sale ON TRUE
    LEFT JOIN settlement_notice_product notice ON notice.product_id = p.id
    LEFT JOIN LATERAL (  -- a product's payback orders are created in one transaction: one probe dates them
        SELECT o.created_at FROM payback_order o WHERE o.product_id = p.id LIMIT 1
    ) paid ON TRUE
    WHERE p.maturity_date BETWEEN %(since)s AND %(until)s
) b
