-- Benchmark baselines only (bench/bench_console.py): for each console query, a plain SELECT of the same
-- rows it reads or returns, through the same indexes, with none of its logic (no laterals picking the
-- newest row, no stages, no ordering). Each part starts with a "-- baseline:" line naming the query.

-- baseline: maturity_dates
-- The window's products and every T-3 result of theirs (hjs_product_maturity, then results by product).
SELECT p.id, p.maturity_date, r.outcome, r.zw_total, r.hjs_total
FROM hjs_product p
LEFT JOIN trial_product_result r ON r.product_id = p.id AND r.maturity_date = p.maturity_date
WHERE p.maturity_date BETWEEN %(since)s AND %(until)s

-- baseline: maturity_products
-- The date's products with their T-3 results, and their holders' rows (asset_product_status).
SELECT p.id, p.product_code, r.outcome, r.zw_total, NULL::numeric AS create_amount
FROM hjs_product p
LEFT JOIN trial_product_result r ON r.product_id = p.id AND r.maturity_date = p.maturity_date
WHERE p.maturity_date = %(maturity_date)s
UNION ALL
SELECT a.product_id, NULL, NULL, NULL, a.create_amount
FROM hjs_product p
JOIN asset a ON a.product_id = p.id AND a.status <> 'LIQUIDATED'
WHERE p.maturity_date = %(maturity_date)s

-- baseline: open_exceptions
-- The very exception rows the queue returned, each fetched by its unique key (run, product, subject, class).
SELECT x.*
FROM unnest(%(runs)s::text[], %(products)s::bigint[], %(subjects)s::text[], %(classes)s::text[])
     AS k(run_id, product_id, subject_key, class)
JOIN reconciliation_exception x
  ON x.run_id = k.run_id AND x.product_id = k.product_id AND x.subject_key = k.subject_key AND x.class = k.class

-- baseline: difference_distribution
-- The date's sell records (sell_record_product) and the exceptions of its held products' holding runs.
SELECT r.amount - r.hjs_amount AS diff
FROM hjs_product p
JOIN sell_record r ON r.product_id = p.id
WHERE p.maturity_date = %(maturity_date)s
UNION ALL
SELECT x.diff
FROM hjs_product p
JOIN trial_product_result t ON t.product_id = p.id AND t.maturity_date = p.maturity_date AND t.outcome = 'HOLD'
JOIN reconciliation_exception x ON x.run_id = t.run_id AND x.product_id = p.id
WHERE p.maturity_date = %(maturity_date)s

-- baseline: daily_totals
-- The window's sell records with their assets and boosts, and its payback orders, by product.
SELECT r.amount, a.pay_method || (x.asset_id IS NOT NULL)::text
FROM hjs_product p
JOIN sell_record r ON r.product_id = p.id
JOIN asset a ON a.id = r.asset_id
LEFT JOIN asset_extra_interest x ON x.asset_id = a.id
WHERE p.maturity_date BETWEEN %(since)s AND %(until)s
UNION ALL
SELECT b.amount, b.destination
FROM hjs_product p
JOIN payback_order b ON b.product_id = p.id
WHERE p.maturity_date BETWEEN %(since)s AND %(until)s
