-- Claim the question of this round for a held product (round = decisions already taken for the product
-- and date). Returns the run that holds the question: this one when it claimed it now or before, or
-- another run whose question is still open. A question left unanswered past its timeout (its run was
-- killed or marked failed) is taken over.
INSERT INTO hold_question (product_id, maturity_date, round, run_id)
SELECT %(product_id)s, %(maturity_date)s, count(*), %(run_id)s
FROM hold_decision
WHERE product_id = %(product_id)s AND maturity_date = %(maturity_date)s
ON CONFLICT (product_id, maturity_date, round) DO UPDATE
    SET run_id = EXCLUDED.run_id, asked_at = now()
    WHERE hold_question.run_id <> EXCLUDED.run_id
      AND hold_question.asked_at < now() - %(timeout)s::interval - interval '1 hour'
RETURNING run_id, asked_at
