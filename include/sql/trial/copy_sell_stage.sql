COPY trial_sell_stage (asset_id, product_id, zw_fen, hjs_fen) FROM STDIN WITH (FORMAT csv)
