-- T-3 trial bookkeeping: what each run fetched per product, and what it concluded per product.
-- Big per-asset data stays in hjs_amount_snapshot / reconciliation_exception; these are one row per
-- (run, product), so the branch, the report and the e-mails read them instead of XCom.

-- A snapshot row HJS sent malformed keeps the reason beside its raw text (amount NULL then).
ALTER TABLE hjs_amount_snapshot ADD COLUMN problem TEXT;

-- One row per (run, product) fetched: OK with counts, or FAILED with the reason (a page of 51 records,
-- a total that changed between pages, a product HJS does not know). A FAILED product is held.
CREATE TABLE trial_fetch (
    run_id      TEXT NOT NULL,
    product_id  BIGINT NOT NULL REFERENCES hjs_product (id),
    status      TEXT NOT NULL CHECK (status IN ('OK', 'FAILED')),
    records     INTEGER NOT NULL DEFAULT 0 CHECK (records >= 0),
    bad_records INTEGER NOT NULL DEFAULT 0 CHECK (bad_records >= 0),
    pages       INTEGER NOT NULL DEFAULT 0 CHECK (pages >= 0),
    problem     TEXT,
    fetched_at  TIMESTAMPTZ NOT NULL DEFAULT now(),
    PRIMARY KEY (run_id, product_id),
    CHECK ((status = 'FAILED') = (problem IS NOT NULL))
);

-- One row per (run, product) compared: SETTLE (every asset matched, no drift) or HOLD.
CREATE TABLE trial_product_result (
    run_id          TEXT NOT NULL,
    product_id      BIGINT NOT NULL REFERENCES hjs_product (id),
    maturity_date   DATE NOT NULL,
    outcome         TEXT NOT NULL CHECK (outcome IN ('SETTLE', 'HOLD')),
    assets          INTEGER NOT NULL,
    matched         INTEGER NOT NULL,
    zw_total        NUMERIC(18, 2) NOT NULL,
    hjs_total       NUMERIC(18, 2) NOT NULL,
    drift           NUMERIC(18, 2) NOT NULL,
    max_abs_diff    NUMERIC(18, 2),
    class_counts    JSONB NOT NULL,
    compared_at     TIMESTAMPTZ NOT NULL DEFAULT now(),
    PRIMARY KEY (run_id, product_id)
);
CREATE INDEX trial_product_result_maturity ON trial_product_result (maturity_date, outcome);
