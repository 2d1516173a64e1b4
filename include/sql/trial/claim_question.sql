-- Claim the question of this round for a held product (round = decisions already taken for the product
-- and date). Returns the run that holds the question: this one when it claimed it now or before, or
-- another run whose question is still open. A question left unanswered past its timeout (its run was
-- killed or marked failed) is taken over.
WITH this_round AS (
    SELECT count(*)::integer AS round
    FROM hold_decision
    WHERE product_id = %(product_id)s AND maturity_date = %(maturity_date)s
),
claimed AS (
    INSERT INTO hold_question (product_id, maturity_date, round, run_id)
    SELECT %(product_id)s, %(maturity_date)s, round, %(run_id)s FROM this_round
    ON CONFLICT (product_id, maturity_date, round) DO UPDATE
        SET run_id = EXCLUDED.run_id, asked_at = now()
        WHERE hold_question.run_id <> EXCLUDED.run_id
          AND hold_question.asked_at < now() - %(timeout)s::interval - interval '1 hour'
    RETURNING run_id, asked_at
)
SELECT run_id, asked_at FROM claimed
UNION ALL
SELECT q.run_id, q.asked_at
FROM hold_question q JOIN this_round r ON q.round = r.round
WHERE q.product_id = %(product_id)s AND q.maturity_date = %(maturity_date)s
  AND NOT EXISTS (SELECT 1 FROM claimed)
