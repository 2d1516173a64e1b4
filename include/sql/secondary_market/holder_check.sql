-- Packages over their holder limit: more holders (distinct users of live, i.e. not LIQUIDATED, assets)
-- than the package has shares (1,000,000.00 / 5,000.00 = 200), or more live shares than it has.
-- Whole-asset transfers cannot split a holding, so only data written by other means trips this; the
-- transfer sync runs it every day and record_transfer checks its own product before committing.
-- Parameter: product_id (NULL = every package). No row = all packages within their limits.
SELECT p.id, p.product_code, p.channel_code,
       count(DISTINCT a.user_id) AS holders,
       COALESCE(sum(a.shares), 0) AS live_shares,
       (p.total_amount / p.share_amount)::integer AS max_holders
FROM hjs_product p
JOIN asset a ON a.product_id = p.id AND a.status <> 'LIQUIDATED'
WHERE (%(product_id)s::bigint IS NULL OR p.id = %(product_id)s::bigint)
GROUP BY p.id
HAVING count(DISTINCT a.user_id) > (p.total_amount / p.share_amount)
    OR sum(a.shares) > (p.total_amount / p.share_amount)
ORDER BY p.id
