-- Session-local staging of the sell records to write (COPY in once, then one transaction per product).
CREATE TEMP TABLE IF NOT EXISTS trial_sell_stage (
    asset_id    BIGINT NOT NULL,
    product_id  BIGINT NOT NULL,
    zw_fen      BIGINT NOT NULL,
    hjs_fen     BIGINT
) ON COMMIT PRESERVE ROWS;
CREATE INDEX IF NOT EXISTS trial_sell_stage_product ON trial_sell_stage (product_id);
TRUNCATE trial_sell_stage
