-- Indexes for the operations console (plugins/hjs_operators/console, include/sql/console/): every query
-- there starts from products by maturity date (hjs_product_maturity, 0001) and then probes each small
-- table by product; these are the probes that had no index of their own.

-- A product's results for its maturity date in time order (newest result, first comparison, first hold).
CREATE INDEX trial_product_result_product_time ON trial_product_result (product_id, maturity_date, compared_at);
-- Held results are few: the exceptions queue reads every one of them without touching the others.
CREATE INDEX trial_product_result_held ON trial_product_result (product_id, maturity_date, compared_at)
    INCLUDE (run_id) WHERE outcome = 'HOLD';
-- The decisions on a product for one maturity date (the one that stands, its author and comment).
CREATE INDEX hold_decision_product_maturity ON hold_decision (product_id, maturity_date, decided_at);
