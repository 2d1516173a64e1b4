-- Per product and destination: orders and totals, for the operations e-mail.
SELECT h.product_code, p.destination, count(*) AS orders,
       sum(p.principal) AS principal, sum(p.interest) AS interest, sum(p.boost_interest) AS boost_interest,
       sum(p.amount) AS amount
FROM payback_order p
JOIN hjs_product h ON h.id = p.product_id
WHERE h.maturity_date = %(maturity_date)s::date
GROUP BY h.product_code, p.destination
ORDER BY h.product_code, p.destination
