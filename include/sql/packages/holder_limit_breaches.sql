-- The one holder limit: a package never has more than %(max_holders)s holders (distinct users of its live,
-- i.e. not LIQUIDATED, assets; hjs_operators.settings.MAX_HOLDERS = 200), nor more live shares than it has. Used by the rollover's compliance check, the transfer sync's daily check and record_transfer (for
-- its own product before committing). Whole-asset transfers cannot split a holding, so only data
-- written by other means trips it.
-- Parameters: product_id (NULL = every package), max_holders. No row = all packages within their limits.
SELECT p.id, p.product_code, p.channel_code,
       count(DISTINCT a.user_id) AS holders,
       COALESCE(sum(a.shares), 0) AS live_shares,
       (p.total_amount / p.share_amount)::integer AS total_shares,
       p.status
FROM hjs_product p
JOIN asset a ON a.product_id = p.id AND a.status <> 'LIQUIDATED'
WHERE (%(product_id)s::bigint IS NULL OR p.id = %(product_id)s::bigint)
GROUP BY p.id
HAVING count(DISTINCT a.user_id) > %(max_holders)s
    OR sum(a.shares) > (p.total_amount / p.share_amount)
ORDER BY p.id
