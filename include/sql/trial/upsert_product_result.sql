INSERT INTO trial_product_result (run_id, product_id, maturity_date, outcome, assets, matched, zw_total, hjs_total,
                                  drift, max_abs_diff, class_counts)
VALUES (%(run_id)s, %(product_id)s, %(maturity_date)s, %(outcome)s, %(assets)s, %(matched)s, %(zw_total)s,
        %(hjs_total)s, %(drift)s, %(max_abs_diff)s, %(class_counts)s)
ON CONFLICT (run_id, product_id) DO UPDATE
SET maturity_date = EXCLUDED.maturity_date, outcome = EXCLUDED.outcome, assets = EXCLUDED.assets,
    matched = EXCLUDED.matched, zw_total = EXCLUDED.zw_total, hjs_total = EXCLUDED.hjs_total,
    drift = EXCLUDED.drift, max_abs_diff = EXCLUDED.max_abs_diff, class_counts = EXCLUDED.class_counts,
    compared_at = now()
