-- Per maturity date in [since, until]: what HJS was asked to fund (sell records, principal + interest),
-- to balance accounts and to cards as payback_destination() (migration 0009) will pay it, and what the
-- payback orders paid per destination (boost included). Aggregated per product in laterals, so sell
-- records, assets and payback orders are read by product through their indexes, never scanned whole.
-- A paid product's funding is read from its payback orders: payback/pay_products.sql pays a product
-- all or nothing, one order per sell record with the record's principal + interest (amount minus the
-- boost) and the destination payback_destination() gives it; so its orders carry exactly its funding,
-- and only products not paid yet read their sell records, each with its asset and a boost probe.
WITH products AS (
    SELECT p.id, p.maturity_date FROM hjs_product p WHERE p.maturity_date BETWEEN %(since)s AND %(until)s
),
per_product AS (
    SELECT p.maturity_date,
           CASE WHEN o.orders > 0 THEN o.funded_balance ELSE f.balance END AS funded_balance,
           CASE WHEN o.orders > 0 THEN o.funded_card ELSE f.card END AS funded_card,
           o.paid_balance, o.paid_card
    FROM products p
    CROSS JOIN LATERAL (
        SELECT count(*) AS orders,
               COALESCE(sum(b.amount - b.boost_interest) FILTER (WHERE b.destination = 'BALANCE'), 0)
                   AS funded_balance,
               COALESCE(sum(b.amount - b.boost_interest) FILTER (WHERE b.destination = 'CARD'), 0) AS funded_card,
               COALESCE(sum(b.amount) FILTER (WHERE b.destination = 'BALANCE'), 0) AS paid_balance,
               COALESCE(sum(b.amount) FILTER (WHERE b.destination = 'CARD'), 0) AS paid_card
        FROM payback_order b WHERE b.product_id = p.id
    ) o
    CROSS JOIN LATERAL (
        SELECT COALESCE(sum(r.amount) FILTER (WHERE d.destination = 'BALANCE'), 0) AS balance,
               COALESCE(sum(r.amount) FILTER (WHERE d.destination = 'CARD'), 0) AS card
        FROM sell_record r
        JOIN asset a ON a.id = r.asset_id
        CROSS JOIN LATERAL (
            SELECT payback_destination(a.pay_method,
                                       EXISTS (SELECT 1 FROM asset_extra_interest x WHERE x.asset_id = a.id))
                   AS destination
        ) d
        WHERE r.product_id = p.id AND o.orders = 0
    ) f
)
SELECT day::date AS day,
       COALESCE(sum(funded_balance), 0) AS funded_balance, COALESCE(sum(funded_card), 0) AS funded_card,
       COALESCE(sum(paid_balance), 0) AS paid_balance, COALESCE(sum(paid_card), 0) AS paid_card
FROM generate_series(%(since)s::date, %(until)s::date, interval '1 day') AS day
LEFT JOIN per_product t ON t.maturity_date = day::date
GROUP BY day
ORDER BY day
