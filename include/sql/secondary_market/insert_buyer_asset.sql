-- The buyer's asset: the whole holding of the seller's (shares, principal, expected interest; the
-- product gives the maturity), pointing at it. Boost rows are NOT copied: they stay with the seller.
INSERT INTO asset (user_id, product_id, share_amount, shares, create_amount, create_expected_interest,
                   pay_method, card_id, status, origin_asset_id, created_at, updated_at)
SELECT %(buyer_user_id)s, product_id, share_amount, shares, create_amount, create_expected_interest,
       %(pay_method)s, %(card_id)s, 'INVEST_SUCCESS', id, %(at)s, %(at)s
FROM asset
WHERE id = %(seller_asset_id)s
RETURNING id
