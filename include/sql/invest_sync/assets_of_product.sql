-- One product's waiting assets, with check_first: true when an earlier sync may already have sent the
-- order (an earlier INVEST attempt for the asset, or a confirmation of its product recorded after the
-- asset was created: a sync confirms the product before it sends any of its assets). Such an order is
-- asked about (invest.query) before invest.create, so a task killed after sending never sends twice.
SELECT a.id, a.user_id, a.shares, a.create_amount,
       EXISTS (SELECT 1 FROM hjs_sync_attempt s
               WHERE s.kind = 'INVEST' AND s.subject_id = a.id)
       OR EXISTS (SELECT 1 FROM hjs_sync_attempt s
                  WHERE s.kind = 'PRODUCT' AND s.subject_id = a.product_id AND s.outcome = 'SUCCESS'
                    AND s.attempted_at >= a.created_at) AS check_first
FROM asset a
WHERE a.product_id = %(product_id)s
  AND a.status = 'INVEST_START'
  AND a.created_at < %(cutoff)s
  AND a.origin_asset_id IS NULL
ORDER BY a.id
