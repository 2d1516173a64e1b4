COPY hjs_amount_snapshot (run_id, product_id, order_no, asset_id, holder_asset_id, principal, interest, amount,
                          amount_raw, problem)
FROM STDIN WITH (FORMAT csv)
