-- Liquidations of a product already registered at HJS (their liquidate ids).
SELECT r.liquidate_id
FROM transfer_registration r
JOIN liquidate_asset l ON l.id = r.liquidate_id
JOIN asset s ON s.id = l.seller_asset_id
WHERE s.product_id = %(product_id)s
ORDER BY r.liquidate_id
