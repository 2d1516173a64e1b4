-- One product's subscriptions as HJS holds them (the way stack/sandbox_subscriptions.sql seeds the
-- sandbox): order, subscribing asset, amount, and the product's terms HJS computes the interest from.
SELECT r.order_no, a.id, a.create_amount, p.annual_rate, p.day_count, p.value_date, p.maturity_date
FROM invest_record r
JOIN asset a ON a.id = r.asset_id
JOIN hjs_product p ON p.id = a.product_id
WHERE p.product_code = %(product_code)s
ORDER BY r.order_no
