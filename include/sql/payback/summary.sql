-- Per product and destination, for the operations e-mail: the products of the run (%(product_ids)s),
-- with their maturity dates (a run after an outage pays several days).
SELECT h.maturity_date, h.product_code, p.destination, count(*) AS orders,
       sum(p.principal) AS principal, sum(p.interest) AS interest, sum(p.boost_interest) AS boost_interest,
       sum(p.amount) AS amount
FROM payback_order p
JOIN hjs_product h ON h.id = p.product_id
WHERE p.product_id = ANY (%(product_ids)s::bigint[])
GROUP BY h.maturity_date, h.product_code, p.destination
ORDER BY h.maturity_date, h.product_code, p.destination
