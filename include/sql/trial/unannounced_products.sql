-- Products reconciled by this pipeline, maturing on or before the run's target date, whose every holder
-- is now sold (settled or accepted) and that no settlement notice has announced to HJS yet: a late
-- settle, an acceptance or a notice that failed to go out is announced by the next run, whichever.
SELECT p.id
FROM hjs_product p
WHERE p.maturity_date <= %(target_date)s
  AND EXISTS (SELECT 1 FROM sell_record s WHERE s.product_id = p.id)
  AND EXISTS (SELECT 1 FROM trial_product_result t WHERE t.product_id = p.id)
  AND NOT EXISTS (SELECT 1 FROM asset a WHERE a.product_id = p.id AND a.status = 'INVEST_SUCCESS')
  AND NOT EXISTS (SELECT 1 FROM settlement_notice_product n WHERE n.product_id = p.id)
ORDER BY p.id
