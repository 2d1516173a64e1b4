-- Packages breaking the compliance rules: more than 200 holders (distinct users holding it now), or
-- more shares held than the package has. Held = assets not LIQUIDATED (a transferred asset's shares
-- are held by its buyer's asset).
SELECT p.id, p.product_code, p.channel_code, p.status,
       (p.total_amount / p.share_amount)::int AS total_shares,
       COALESCE(sum(a.shares), 0)::int AS held_shares,
       count(DISTINCT a.user_id)::int AS holders
FROM hjs_product p
LEFT JOIN asset a ON a.product_id = p.id AND a.status <> 'LIQUIDATED'
GROUP BY p.id
HAVING count(DISTINCT a.user_id) > %(max_holders)s
    OR COALESCE(sum(a.shares), 0) > (p.total_amount / p.share_amount)
ORDER BY p.product_code
