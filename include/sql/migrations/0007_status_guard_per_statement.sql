-- The allowed status moves of an asset (docs/data-model.md) are checked once per UPDATE statement,
-- set-wise over the statement's old and new rows, instead of once per row: the T-3 trial and the
-- payback move up to a million assets a day, and a plpgsql call per row was about a fifth of each
-- move (bench/README.md). A refused move still fails the whole statement, naming the first asset.
-- The row trigger also stamped updated_at; every status-moving statement now sets it itself.
DROP TRIGGER asset_status_guard ON asset;
DROP FUNCTION asset_status_guard();

-- One pass over the statement's rows: an old row without its new row (or the reverse) means an id or
-- a product was rewritten, which is refused: an asset keeps both for life (its sell record and payback
-- order carry them).
-- The planner settings are the function's own: a caller that turned hash joins off for its index
-- probes (trial/sell_group_plan.sql) must not make this pairing of thousands of rows quadratic.
CREATE FUNCTION asset_status_guard() RETURNS trigger LANGUAGE plpgsql
    SET enable_hashjoin = on SET enable_mergejoin = on AS $$
DECLARE
    refused RECORD;
BEGIN
    SELECT COALESCE(o.id, n.id) AS id, o.status AS from_status, n.status AS to_status INTO refused
    FROM old_asset o
    FULL JOIN new_asset n ON n.id = o.id AND n.product_id = o.product_id
    WHERE o.id IS NULL OR n.id IS NULL
       OR (n.status <> o.status
           AND (o.status, n.status) NOT IN (('INVEST_START', 'INVEST_SUCCESS'),
                                            ('INVEST_SUCCESS', 'LIQUIDATED'),
                                            ('INVEST_SUCCESS', 'SELL_CONFIRMED'),
                                            ('SELL_CONFIRMED', 'SELL_SUCCESS')))
    LIMIT 1;
    IF NOT FOUND THEN
        RETURN NULL;
    ELSIF refused.from_status IS NULL OR refused.to_status IS NULL THEN
        RAISE EXCEPTION 'asset %: an asset''s id and product may not be changed', refused.id
            USING ERRCODE = 'check_violation';
    END IF;
    RAISE EXCEPTION 'asset %: status may not move from % to %', refused.id, refused.from_status,
        refused.to_status USING ERRCODE = 'check_violation';
END
$$;
CREATE TRIGGER asset_status_guard AFTER UPDATE ON asset
    REFERENCING OLD TABLE AS old_asset NEW TABLE AS new_asset
    FOR EACH STATEMENT EXECUTE FUNCTION asset_status_guard();
