-- HJS's side: the run's snapshot of the products, amounts in fen (NULL when HJS sent no usable amount).
COPY (
    SELECT product_id, order_no, holder_asset_id, (amount * 100)::bigint, problem, id
    FROM hjs_amount_snapshot
    WHERE run_id = %(run_id)s AND product_id = ANY(%(product_ids)s)
) TO STDOUT WITH (FORMAT csv)
