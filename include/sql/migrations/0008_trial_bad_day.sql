-- The T-3 trial's bad day: decisions unique per product and maturity date, one open question per held
-- product, HJS's own maturity date kept beside the fetch, and which notice told HJS to fund a product.

-- A decision belongs to a product's maturity date, not only to the run that asked: accepting is final
-- and happens at most once per (product, maturity date), whichever run asked.
ALTER TABLE hold_decision ADD COLUMN maturity_date DATE;
UPDATE hold_decision d SET maturity_date = p.maturity_date FROM hjs_product p WHERE p.id = d.product_id;
ALTER TABLE hold_decision ALTER COLUMN maturity_date SET NOT NULL;
CREATE UNIQUE INDEX hold_decision_one_accept ON hold_decision (product_id, maturity_date)
    WHERE decision = 'ACCEPT_ZW';

-- One question per held product and round (round = decisions already taken for that product and
-- date): two runs of one date ask once; after "keep holding" the next run asks again (a new round).
CREATE TABLE hold_question (
    product_id     BIGINT NOT NULL REFERENCES hjs_product (id),
    maturity_date  DATE NOT NULL,
    round          INTEGER NOT NULL CHECK (round >= 0),
    run_id         TEXT NOT NULL,
    asked_at       TIMESTAMPTZ NOT NULL DEFAULT now(),
    PRIMARY KEY (product_id, maturity_date, round)
);

-- HJS's maturity date as its pages said it; a product whose date differs from zw's is held.
ALTER TABLE trial_fetch ADD COLUMN hjs_maturity_date DATE;

ALTER TABLE reconciliation_exception DROP CONSTRAINT reconciliation_exception_class_check;
ALTER TABLE reconciliation_exception ADD CONSTRAINT reconciliation_exception_class_check
    CHECK (class IN ('MISMATCH', 'MISSING_AT_HJS', 'MISSING_AT_ZW', 'DUPLICATE', 'BAD_HJS_RECORD',
                     'BAD_ZW_RECORD', 'TOTAL_DRIFT', 'MATURITY_DATE_MISMATCH', 'COMPARISON_FAILED'));

-- The settlement notice (or addendum) that asked HJS to fund each product: a product is announced
-- once, whichever run settles it and however late.
CREATE TABLE settlement_notice_product (
    product_id     BIGINT PRIMARY KEY REFERENCES hjs_product (id),
    maturity_date  DATE NOT NULL,
    notice_key     TEXT NOT NULL REFERENCES notice_sent (notice_key),
    run_id         TEXT,
    created_at     TIMESTAMPTZ NOT NULL DEFAULT now()
);

-- "Reconciled by this pipeline" is asked per product by the settlement notice.
CREATE INDEX trial_product_result_product ON trial_product_result (product_id);
