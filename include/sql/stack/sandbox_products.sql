-- Every zw product in the shape of HJS's product.query answer: what the sandbox must know to be HJS.
SELECT product_code, product_name, channel_code, total_amount, share_amount, annual_rate, day_count,
       value_date, maturity_date, transfer_open
FROM hjs_product
ORDER BY id
