-- Data check (SQLValueCheckOperator, pass value 0): products the run paid (%(product_ids)s, from the
-- payback task: every maturity date the run covered, late days included) whose payback orders do not
-- add up to their current holders' sell records plus boost interest, computed here independently of
-- the writer (principal, interest and boost compared part by part).
WITH paid AS (
    SELECT DISTINCT unnest(%(product_ids)s::bigint[]) AS product_id
), orders AS (
    SELECT product_id, sum(principal) AS principal, sum(interest) AS interest, sum(boost_interest) AS boost,
           sum(amount) AS amount
    FROM payback_order
    WHERE product_id IN (SELECT product_id FROM paid)
    GROUP BY product_id
), sells AS (
    SELECT a.product_id, sum(s.principal) AS principal, sum(s.interest) AS interest, sum(s.amount) AS amount
    FROM asset a
    JOIN sell_record s ON s.asset_id = a.id
    WHERE a.product_id IN (SELECT product_id FROM paid) AND a.status <> 'LIQUIDATED'
    GROUP BY a.product_id
), boosts AS (
    SELECT a.product_id, sum(e.extra_interest) AS boost
    FROM asset a
    JOIN asset_extra_interest e ON e.asset_id = a.id
    WHERE a.product_id IN (SELECT product_id FROM paid) AND a.status <> 'LIQUIDATED'
    GROUP BY a.product_id
)
SELECT count(*) AS products_not_adding_up
FROM paid
LEFT JOIN orders o USING (product_id)
LEFT JOIN sells s USING (product_id)
LEFT JOIN boosts b USING (product_id)
WHERE o.amount IS DISTINCT FROM s.amount + COALESCE(b.boost, 0)
   OR o.principal IS DISTINCT FROM s.principal
   OR o.interest IS DISTINCT FROM s.interest
   OR o.boost IS DISTINCT FROM COALESCE(b.boost, 0)
