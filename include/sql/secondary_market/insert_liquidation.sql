-- The transfer itself: one liquidate_asset row per sold asset (seller and buyer each unique).
INSERT INTO liquidate_asset (seller_asset_id, buyer_asset_id, price, fee_rate, fee, transferred_at)
VALUES (%(seller_asset_id)s, %(buyer_asset_id)s, %(price)s, %(fee_rate)s, %(fee)s, %(at)s)
RETURNING id
