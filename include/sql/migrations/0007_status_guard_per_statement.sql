-- The allowed status moves of an asset (docs/data-model.md) are checked once per UPDATE statement,
-- set-wise over the statement's old and new rows, instead of once per row: the T-3 trial and the
-- payback move up to a million assets a day, and a plpgsql call per row was about a fifth of each
-- move (bench/README.md). A refused move still fails the whole statement, naming the first asset.
-- The row trigger also stamped updated_at; every status-moving statement now sets it itself.
DROP TRIGGER asset_status_guard ON asset;
DROP FUNCTION asset_status_guard();

CREATE FUNCTION asset_status_guard() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
    refused RECORD;
BEGIN
    SELECT o.id, o.status AS from_status, n.status AS to_status INTO refused
    FROM old_asset o
    JOIN new_asset n ON n.id = o.id
    WHERE n.status <> o.status
      AND (o.status, n.status) NOT IN (('INVEST_START', 'INVEST_SUCCESS'),
                                       ('INVEST_SUCCESS', 'LIQUIDATED'),
                                       ('INVEST_SUCCESS', 'SELL_CONFIRMED'),
                                       ('SELL_CONFIRMED', 'SELL_SUCCESS'))
    ORDER BY o.id
    LIMIT 1;
    IF FOUND THEN
        RAISE EXCEPTION 'asset %: status may not move from % to %', refused.id, refused.from_status,
            refused.to_status USING ERRCODE = 'check_violation';
    END IF;
    -- an id is never rewritten: the pairing of old and new rows above relies on it
    IF (SELECT count(*) FROM old_asset o JOIN new_asset n ON n.id = o.id) <> (SELECT count(*) FROM old_asset) THEN
        RAISE EXCEPTION 'asset ids may not be changed' USING ERRCODE = 'check_violation';
    END IF;
    RETURN NULL;
END
$$;
CREATE TRIGGER asset_status_guard AFTER UPDATE ON asset
    REFERENCING OLD TABLE AS old_asset NEW TABLE AS new_asset
    FOR EACH STATEMENT EXECUTE FUNCTION asset_status_guard();
