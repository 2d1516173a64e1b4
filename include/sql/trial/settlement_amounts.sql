-- What HJS must fund per product, from the sell records (principal + interest, zw's figures): to
-- balance accounts or back to bank cards, as payback_destination() (migration 0009) will pay them.
SELECT p.id, p.product_code, p.channel_code, p.maturity_date,
       COALESCE(sum(r.amount) FILTER (WHERE d.destination = 'BALANCE'), 0) AS balance_amount,
       COALESCE(sum(r.amount) FILTER (WHERE d.destination = 'CARD'), 0) AS card_amount,
       count(*) FILTER (WHERE d.destination = 'BALANCE') AS balance_assets,
       count(*) FILTER (WHERE d.destination = 'CARD') AS card_assets
FROM sell_record r
JOIN asset a ON a.id = r.asset_id
JOIN hjs_product p ON p.id = r.product_id
CROSS JOIN LATERAL (
    SELECT payback_destination(a.pay_method,
                               EXISTS (SELECT 1 FROM asset_extra_interest e WHERE e.asset_id = a.id)) AS destination
) d
WHERE r.product_id = ANY(%(product_ids)s)
GROUP BY p.id, p.product_code, p.channel_code, p.maturity_date
ORDER BY p.maturity_date, p.channel_code, p.product_code
