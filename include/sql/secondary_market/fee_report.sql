-- Secondary-market fees per day (Asia/Shanghai) and channel: number of transfers, volume (sum of
-- prices) and fees, for the days first_day..last_day (inclusive). Days and channels without transfers
-- have no row. Money stays NUMERIC(18,2).
SELECT (l.transferred_at AT TIME ZONE 'Asia/Shanghai')::date AS day,
       p.channel_code,
       count(*) AS transfers,
       sum(l.price) AS volume,
       sum(l.fee) AS fees
FROM liquidate_asset l
JOIN asset s ON s.id = l.seller_asset_id
JOIN hjs_product p ON p.id = s.product_id
WHERE l.transferred_at >= (%(first_day)s::date)::timestamp AT TIME ZONE 'Asia/Shanghai'
  AND l.transferred_at < (%(last_day)s::date + 1)::timestamp AT TIME ZONE 'Asia/Shanghai'
GROUP BY 1, 2
ORDER BY 1, 2
