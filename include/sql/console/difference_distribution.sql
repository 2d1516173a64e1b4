-- zw - HJS per asset, in fen, for the products maturing on one date, counted per difference: settled
-- assets from their sell records (zw's amount against what HJS said), held products from the newest
-- holding run's per-asset exceptions that carry both amounts (a product-level TOTAL_DRIFT row is not an
-- asset). Per-product laterals keep every read on an index by product.
WITH products AS (
    SELECT p.id FROM hjs_product p WHERE p.maturity_date = %(maturity_date)s
),
diffs AS (
    SELECT s.diff_fen, 'settled' AS side
    FROM products p
    CROSS JOIN LATERAL (
        SELECT ((r.amount - r.hjs_amount) * 100)::bigint AS diff_fen FROM sell_record r
        WHERE r.product_id = p.id AND r.hjs_amount IS NOT NULL
    ) s
    UNION ALL
    SELECT (e.diff * 100)::bigint, 'held'
    FROM products p
    CROSS JOIN LATERAL (
        SELECT r.run_id FROM trial_product_result r
        WHERE r.product_id = p.id AND r.maturity_date = %(maturity_date)s AND r.outcome = 'HOLD'
        ORDER BY r.compared_at DESC LIMIT 1
    ) h
    JOIN reconciliation_exception e ON e.run_id = h.run_id AND e.product_id = p.id
    WHERE e.diff IS NOT NULL AND e.class <> 'TOTAL_DRIFT'
      AND NOT EXISTS (SELECT 1 FROM sell_record r WHERE r.product_id = p.id)
)
SELECT diff_fen, side, count(*) AS assets FROM diffs GROUP BY diff_fen, side ORDER BY diff_fen, side
