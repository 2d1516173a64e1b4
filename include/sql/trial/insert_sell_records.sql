-- zw's figures (principal + interest) for the staged assets of the (sellable) product, with the
-- amount HJS sent beside them. Unique per asset: a rerun inserts nothing.
INSERT INTO sell_record (asset_id, product_id, principal, interest, amount, hjs_amount, run_id)
SELECT a.id, a.product_id, a.create_amount, a.create_expected_interest,
       a.create_amount + a.create_expected_interest, s.hjs_fen / 100.0, %(run_id)s
FROM trial_sell_stage s
JOIN asset a ON a.id = s.asset_id AND a.product_id = %(product_id)s
WHERE s.product_id = %(product_id)s
  AND a.status IN ('INVEST_SUCCESS', 'SELL_CONFIRMED')
  AND (a.create_amount + a.create_expected_interest) * 100 = s.zw_fen
ON CONFLICT (asset_id) DO NOTHING
