SELECT r.product_id, p.product_code, p.channel_code, r.maturity_date, r.outcome, r.assets, r.matched, r.zw_total,
       r.hjs_total, r.drift, r.max_abs_diff, r.class_counts
FROM trial_product_result r
JOIN hjs_product p ON p.id = r.product_id
WHERE r.run_id = %(run_id)s
ORDER BY r.outcome = 'HOLD' DESC, p.channel_code, p.product_code
