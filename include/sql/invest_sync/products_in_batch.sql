-- The products of one mapped batch (a range of product ids) that have waiting assets at the cutoff.
SELECT p.id, p.product_code, p.channel_code, p.share_amount, p.total_amount, count(*) AS waiting
FROM hjs_product p
JOIN asset a ON a.product_id = p.id
WHERE p.id BETWEEN %(first_product_id)s AND %(last_product_id)s
  AND a.status = 'INVEST_START'
  AND a.created_at < %(cutoff)s
  AND a.origin_asset_id IS NULL
GROUP BY p.id
ORDER BY p.id
