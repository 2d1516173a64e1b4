-- A channel's packages on sale or pending, in sequence order, with the shares sold so far: the shares
-- of the assets that hold it now (INVEST_START, INVEST_SUCCESS and the later SELL_* states). A
-- LIQUIDATED asset's shares are held by its buyer's asset, which is counted instead: counting both
-- would sell a transferred share twice. Rows are locked: a status change waits for this rollover.
SELECT p.id, p.product_code, p.status, p.sequence_no,
       (p.total_amount / p.share_amount)::int AS total_shares,
       COALESCE((SELECT sum(a.shares) FROM asset a
                 WHERE a.product_id = p.id AND a.status <> 'LIQUIDATED'), 0)::int AS held_shares
FROM hjs_product p
WHERE p.channel_code = %(channel)s AND p.status IN ('ON_SALE', 'PENDING')
ORDER BY p.sequence_no
FOR UPDATE OF p
