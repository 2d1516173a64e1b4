-- The exceptions queue: for every (product, maturity date) some T-3 run held, the exceptions of its newest
-- holding run, with when it was first held, how many runs held it, the decision that stands and the question
-- still waiting; resolved ones (accepted, or settled by a later run) only when resolved on or after
-- %(resolved_since)s. Held results are few: read through the partial index of migration 0010; the resolved
-- ones are dropped in `judged` (MATERIALIZED keeps the filter there), so only the queue's few groups are
-- joined to their exceptions, each read through the unique key (run_id, product_id, ...), never the whole
-- exception table (joined first, thousands of groups made the planner hash all of it).
WITH held AS (
    SELECT r.product_id, r.maturity_date, min(r.compared_at) AS first_held_at, count(*) AS holds,
           (array_agg(r.run_id ORDER BY r.compared_at DESC))[1] AS hold_run
    FROM trial_product_result r
    WHERE r.outcome = 'HOLD'
    GROUP BY r.product_id, r.maturity_date
),
judged AS MATERIALIZED (
    SELECT h.*, LEAST(acc.decided_at, later.compared_at) AS resolved_at
    FROM held h
    LEFT JOIN hold_decision acc
        ON acc.product_id = h.product_id AND acc.maturity_date = h.maturity_date AND acc.decision = 'ACCEPT_ZW'
    LEFT JOIN LATERAL (
        SELECT r.compared_at FROM trial_product_result r
        WHERE r.product_id = h.product_id AND r.maturity_date = h.maturity_date AND r.outcome = 'SETTLE'
          AND r.compared_at > h.first_held_at
        ORDER BY r.compared_at LIMIT 1
    ) later ON TRUE
    WHERE LEAST(acc.decided_at, later.compared_at) IS NULL
       OR (LEAST(acc.decided_at, later.compared_at) AT TIME ZONE %(tz)s)::date >= %(resolved_since)s
),
queue AS MATERIALIZED (  -- per group, not per exception row: its product, the standing decision, the question
    SELECT j.*, p.product_code, p.channel_code, d.decision, d.decided_by, d.decided_at, d.comment,
           q.run_id AS open_question_run
    FROM judged j
    CROSS JOIN LATERAL (  -- a probe by key per group (as a join, an overestimate of the groups hashed every product)
        SELECT p.product_code, p.channel_code FROM hjs_product p WHERE p.id = j.product_id LIMIT 1
    ) p
    LEFT JOIN LATERAL (
        SELECT x.decision, x.decided_by, x.decided_at, x.comment FROM hold_decision x
        WHERE x.product_id = j.product_id AND x.maturity_date = j.maturity_date
        ORDER BY x.decision = 'ACCEPT_ZW' DESC, x.decided_at DESC LIMIT 1
    ) d ON TRUE
    LEFT JOIN LATERAL (
        SELECT h.run_id FROM hold_question h
        WHERE h.product_id = j.product_id AND h.maturity_date = j.maturity_date
        ORDER BY h.round DESC LIMIT 1
    ) q ON NOT EXISTS (  -- only a question still waiting: not answered by its run, the product not accepted
        SELECT 1 FROM hold_decision d WHERE d.product_id = j.product_id AND d.maturity_date = j.maturity_date
          AND (d.run_id = q.run_id OR d.decision = 'ACCEPT_ZW'))
)
SELECT g.product_id, g.product_code, g.channel_code, g.maturity_date, g.hold_run, e.cls, e.subject_key,
       e.asset_id, e.zw_amount, e.hjs_amount, e.diff, e.detail, g.first_held_at, g.holds, g.resolved_at,
       (COALESCE(g.resolved_at AT TIME ZONE %(tz)s, %(today)s)::date
        - (g.first_held_at AT TIME ZONE %(tz)s)::date) AS age_days,
       g.decision, g.decided_by, g.decided_at, g.comment, g.open_question_run
FROM queue g
CROSS JOIN LATERAL (
    SELECT x.class AS cls, x.subject_key, x.asset_id, x.zw_amount, x.hjs_amount, x.diff, x.detail
    FROM reconciliation_exception x
    WHERE x.run_id = g.hold_run AND x.product_id = g.product_id
) e
ORDER BY g.resolved_at IS NOT NULL, g.first_held_at, g.product_code, abs(e.diff) DESC NULLS LAST, e.subject_key
LIMIT %(limit)s
