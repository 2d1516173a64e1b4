-- Benchmark data only (bench/bench_console.py): a zw history of %(dates)s maturity dates as the DAGs
-- would have left it, built set-wise. Each step starts with a "-- step:" line; the bench runs them one
-- by one (psycopg binds the parameters client-side) and prints the time of each.
--
-- The shape, per maturity date m (the first date is today - (dates - 10), so 10 dates lie ahead):
-- %(per_date)s packages of 200 one-share holders; the T-3 trial has compared every date up to today + 3.
-- Per date, packages k = 1 .. %(skewed)s were held because HJS skewed all 200 amounts (200 MISMATCH and a
-- TOTAL_DRIFT per run), k up to 6 were held for one to three assets (one MISSING_AT_HJS, the rest
-- MISMATCH); every other package settled in its T-3 run. A held package is compared again by every
-- later daily run until a person accepts it; it was accepted after one to three rounds ("keep holding"
-- before), except k = 6 on every tenth date and k = 5 on the dates not yet paid, which are still open.
-- Settled and accepted packages have sell records, an entry in the date's settlement notice (or an
-- addendum) and, once their date has come, payback orders; every tenth package saw one secondary-market
-- transfer; one holder in ten has a rate boost. Ids are computed, so every row's partners are known
-- without lookups: asset id = (product id - 1) * 200 + slot, a buyer's asset id = 2,000,000,000 + the
-- seller's, sell record and payback order ids = the asset id.
-- Rows go in in the order the DAGs write them (a product's rows together, day after day), so each
-- table's physical order follows its product as in life.
-- Foreign keys are not checked while loading (session_replication_role = replica, as the demo load's
-- baseline does): every row is consistent by construction, and the bench counts the result.

-- step: channels and packages
INSERT INTO hjs_channel (channel_code, channel_name)
SELECT 'CB' || c, 'console bench channel ' || c FROM generate_series(1, 4) AS c;

INSERT INTO hjs_product (id, product_code, product_name, channel_code, sequence_no, total_amount, share_amount,
                         annual_rate, value_date, maturity_date, status, transfer_open, transfer_closed_at,
                         created_at, updated_at)
SELECT n, 'CB' || lpad(n::text, 7, '0'), 'console bench package ' || n, 'CB' || (1 + n %% 4), n,
       1000000.00, 5000.00, 0.045, m - 365, m, 'SOLD_OUT', m > %(today)s::date + %(offset)s,
       CASE WHEN m <= %(today)s::date + %(offset)s
            THEN (m - %(offset)s + time '06:31') AT TIME ZONE 'Asia/Shanghai' END,
       (m - 365 + time '09:00') AT TIME ZONE 'Asia/Shanghai', now()
FROM generate_series(0, %(dates)s - 1) AS d
CROSS JOIN generate_series(1, %(per_date)s) AS k
CROSS JOIN LATERAL (SELECT d * %(per_date)s + k AS n,
                           %(today)s::date - (%(dates)s - 10) + d AS m) AS x;

-- step: plan (a temporary table: what happened to each package)
CREATE TEMP TABLE plan AS
SELECT id AS product_id, product_code, maturity_date AS m, d, k,
       maturity_date <= %(today)s::date + %(offset)s AS compared,
       k <= 6 AS held,
       k <= %(skewed)s AS skewed,
       (k = 6 AND d %% 10 = 0) OR (k = 5 AND maturity_date >= %(today)s::date) AS still_open,
       %(today)s::date - (maturity_date - %(offset)s) + 1 AS possible_runs,
       k %% 10 = 7 AS transferred
FROM hjs_product p
CROSS JOIN LATERAL (SELECT (p.id - 1) / %(per_date)s AS d, (p.id - 1) %% %(per_date)s + 1 AS k) AS x;

ALTER TABLE plan ADD COLUMN runs INTEGER, ADD COLUMN sold BOOLEAN, ADD COLUMN paid BOOLEAN,
                 ADD COLUMN sell_day DATE, ADD COLUMN pay_day DATE;
UPDATE plan SET runs = CASE WHEN NOT compared THEN 0
                            WHEN NOT held THEN 1
                            WHEN still_open THEN possible_runs
                            ELSE least(1 + (d + k) %% 3, possible_runs) END,
                sold = compared AND NOT (held AND still_open);
UPDATE plan SET sell_day = CASE WHEN sold THEN m - %(offset)s + runs - 1 END;
UPDATE plan SET paid = sold AND m <= %(today)s::date, pay_day = CASE WHEN sold AND m <= %(today)s::date
                                                                   THEN greatest(m, sell_day) END;
CREATE UNIQUE INDEX ON plan (product_id);
ANALYZE plan;

-- One row per T-3 run that compared a package: run j ran on day m - offset + j.
CREATE TEMP TABLE trial_run AS
SELECT p.product_id, j, p.m - %(offset)s + j AS run_day,
       'scheduled__' || to_char(p.m - %(offset)s + j - 1, 'YYYY-MM-DD') || 'T22:30:00+00:00' AS run_id,
       (p.m - %(offset)s + j + time '06:30') AT TIME ZONE 'Asia/Shanghai' AS at,
       CASE WHEN p.held THEN 'HOLD' ELSE 'SETTLE' END AS outcome,
       j = p.runs - 1 AS last_run
FROM plan p CROSS JOIN LATERAL generate_series(0, p.runs - 1) AS j;
ANALYZE trial_run;

-- step: assets (and the secondary market's buyers)
INSERT INTO asset (id, user_id, product_id, share_amount, shares, create_amount, create_expected_interest,
                   pay_method, card_id, status, origin_asset_id, created_at, updated_at)
SELECT a.id, 1 + a.id * 7919 %% 500000, p.product_id, 5000.00, 1, 5000.00, 225.00,
       CASE WHEN s %% 3 = 0 THEN 'CARD' ELSE 'BALANCE' END,
       CASE WHEN s %% 3 = 0 THEN 'CARD' || (1 + a.id * 7919 %% 500000) END,
       CASE WHEN p.transferred AND s = 200 THEN 'LIQUIDATED'
            WHEN p.paid THEN 'SELL_SUCCESS' WHEN p.sold THEN 'SELL_CONFIRMED' ELSE 'INVEST_SUCCESS' END,
       NULL, (p.m - 365 + time '09:00') AT TIME ZONE 'Asia/Shanghai' + s * interval '1 minute', now()
FROM plan p CROSS JOIN generate_series(1, 200) AS s
CROSS JOIN LATERAL (SELECT (p.product_id - 1) * 200 + s AS id) AS a
ORDER BY a.id;

INSERT INTO asset (id, user_id, product_id, share_amount, shares, create_amount, create_expected_interest,
                   pay_method, card_id, status, origin_asset_id, created_at, updated_at)
SELECT 2000000000 + a.id, 1 + (a.id + 1) * 7919 %% 500000, a.product_id, 5000.00, 1, 5000.00, 225.00,
       'BALANCE', NULL,
       CASE WHEN p.paid THEN 'SELL_SUCCESS' WHEN p.sold THEN 'SELL_CONFIRMED' ELSE 'INVEST_SUCCESS' END,
       a.id, (p.m - 30 + time '10:00') AT TIME ZONE 'Asia/Shanghai', now()
FROM plan p JOIN asset a ON a.id = p.product_id * 200
WHERE p.transferred;

-- step: invest records, transfers and boosts
INSERT INTO invest_record (asset_id, order_no, hjs_order_id, amount, accepted_at, run_id, created_at)
SELECT a.id, 'ZWI' || lpad(a.id::text, 16, '0'), 'HJSO' || a.id, 5000.00, a.created_at + interval '1 hour',
       'scheduled__' || to_char(a.created_at AT TIME ZONE 'Asia/Shanghai', 'YYYY-MM-DD') || 'T16:00:00+00:00',
       a.created_at + interval '1 hour'
FROM asset a WHERE a.origin_asset_id IS NULL
ORDER BY a.id;

INSERT INTO liquidate_asset (id, seller_asset_id, buyer_asset_id, price, fee_rate, fee, transferred_at)
SELECT a.origin_asset_id, a.origin_asset_id, a.id, 5100.00, 0.001, 5.10, a.created_at
FROM asset a WHERE a.origin_asset_id IS NOT NULL;

INSERT INTO transfer_registration (liquidate_id, transfer_no, hjs_transfer_id, accepted_at, run_id, created_at)
SELECT l.id, 'ZWT' || lpad(l.id::text, 16, '0'), 'HJST' || l.id, l.transferred_at + interval '1 hour',
       'scheduled__' || to_char(l.transferred_at AT TIME ZONE 'Asia/Shanghai', 'YYYY-MM-DD') || 'T16:30:00+00:00',
       l.transferred_at + interval '1 hour'
FROM liquidate_asset l;

INSERT INTO asset_extra_interest (asset_id, coupon_code, kind, boost_rate, boost_days, extra_interest, created_at)
SELECT a.id, 'RB' || a.id, 'RATE_BOOST', 0.010000, NULL, 50.00, a.created_at
FROM asset a WHERE a.origin_asset_id IS NULL AND a.id %% 10 = 5;
-- what the rest joins on: statistics, or the planner takes the new tables for empty ones
ANALYZE asset;
ANALYZE asset_extra_interest;

-- step: HJS's amounts as each run fetched them (trial_fetch, hjs_amount_snapshot)
INSERT INTO trial_fetch (run_id, product_id, status, records, bad_records, pages, problem, fetched_at,
                         hjs_maturity_date)
SELECT r.run_id, r.product_id, 'OK', 200 - CASE WHEN p.held AND NOT p.skewed THEN 1 ELSE 0 END, 0, 4, NULL,
       r.at + interval '2 minutes', p.m
FROM trial_run r JOIN plan p USING (product_id);

-- HJS's amount per current holder: zw's 5,225.00, skewed by 6 to 25 fen in a skewed package, by
-- 6 to 8 fen for slots 2 and 3 of a package held for a few assets, whose slot 1 HJS does not know.
CREATE TEMP TABLE hjs_amount AS
SELECT p.product_id, s, h.holder_id, h.order_asset_id,
       5225.00 + CASE WHEN p.skewed THEN (6 + s %% 20) / 100.0
                      WHEN p.held AND s <= 1 + (p.d + p.k) %% 3 THEN (5 + s) / 100.0
                      ELSE 0 END AS amount
FROM plan p CROSS JOIN generate_series(1, 200) AS s
CROSS JOIN LATERAL (SELECT (p.product_id - 1) * 200 + s AS id) AS a
CROSS JOIN LATERAL (SELECT CASE WHEN p.transferred AND s = 200 THEN 2000000000 + a.id ELSE a.id END AS holder_id,
                           a.id AS order_asset_id) AS h
WHERE p.compared AND NOT (p.held AND NOT p.skewed AND s = 1);
CREATE INDEX ON hjs_amount (product_id);
ANALYZE hjs_amount;

INSERT INTO hjs_amount_snapshot (run_id, product_id, order_no, asset_id, holder_asset_id, principal, interest,
                                 amount, amount_raw, fetched_at)
SELECT r.run_id, r.product_id, 'ZWI' || lpad(h.order_asset_id::text, 16, '0'), h.order_asset_id::text,
       h.holder_id::text, 5000.00, h.amount - 5000.00, h.amount, h.amount::text, r.at + interval '2 minutes'
FROM trial_run r JOIN hjs_amount h USING (product_id)
ORDER BY r.at, r.product_id, h.s;

-- step: comparisons (trial_product_result, reconciliation_exception)
CREATE TEMP TABLE hjs_total AS
SELECT product_id, sum(amount) AS hjs_total FROM hjs_amount GROUP BY product_id;
CREATE UNIQUE INDEX ON hjs_total (product_id);

CREATE TEMP TABLE exception_row AS
SELECT r.run_id, r.product_id, 'ZWI' || lpad(a.id::text, 16, '0') AS subject_key, a.id AS asset_id,
       'ZWI' || lpad(a.id::text, 16, '0') AS order_no,
       CASE WHEN h.amount IS NULL THEN 'MISSING_AT_HJS' ELSE 'MISMATCH' END AS class,
       5225.00 AS zw_amount, h.amount AS hjs_amount, 5225.00 - h.amount AS diff,
       CASE WHEN h.amount IS NULL THEN 'HJS has no record of this asset'
            ELSE 'amounts differ by more than the tolerance' END AS detail,
       r.at + interval '4 minutes' AS created_at
FROM trial_run r JOIN plan p USING (product_id)
CROSS JOIN LATERAL generate_series(1, CASE WHEN p.skewed THEN 200 ELSE 1 + (p.d + p.k) %% 3 END) AS g(slot)
CROSS JOIN LATERAL (SELECT CASE WHEN p.transferred AND g.slot = 200
                                THEN 2000000000 + (p.product_id - 1) * 200 + g.slot
                                ELSE (p.product_id - 1) * 200 + g.slot END AS id) AS a
LEFT JOIN hjs_amount h ON h.product_id = p.product_id AND h.s = g.slot
WHERE p.held
UNION ALL
SELECT r.run_id, r.product_id, 'product', NULL, NULL, 'TOTAL_DRIFT', 1045000.00, t.hjs_total,
       1045000.00 - t.hjs_total, 'summed difference over the limit', r.at + interval '4 minutes'
FROM trial_run r JOIN plan p USING (product_id) JOIN hjs_total t USING (product_id)
WHERE p.skewed;

INSERT INTO reconciliation_exception (run_id, product_id, subject_key, asset_id, order_no, class, zw_amount,
                                      hjs_amount, diff, detail, created_at)
SELECT run_id, product_id, subject_key, asset_id, order_no, class, zw_amount, hjs_amount, diff, detail, created_at
FROM exception_row
ORDER BY created_at, product_id, subject_key;

CREATE TEMP TABLE exception_count AS
SELECT run_id, product_id, sum(n) FILTER (WHERE class <> 'TOTAL_DRIFT') AS assets, max(max_abs_diff) AS max_abs_diff,
       jsonb_object_agg(class, n) AS counts
FROM (SELECT run_id, product_id, class, count(*) AS n, max(abs(diff)) FILTER (WHERE asset_id IS NOT NULL)
             AS max_abs_diff
      FROM exception_row GROUP BY run_id, product_id, class) AS x
GROUP BY run_id, product_id;

INSERT INTO trial_product_result (run_id, product_id, maturity_date, outcome, assets, matched, zw_total, hjs_total,
                                  drift, max_abs_diff, class_counts, compared_at)
SELECT r.run_id, r.product_id, p.m, r.outcome, 200, 200 - coalesce(e.assets, 0), 1045000.00, t.hjs_total,
       1045000.00 - t.hjs_total, e.max_abs_diff,
       jsonb_build_object('MATCH', 200 - coalesce(e.assets, 0)) || coalesce(e.counts, '{}'::jsonb),
       r.at + interval '4 minutes'
FROM trial_run r JOIN plan p USING (product_id) JOIN hjs_total t USING (product_id)
LEFT JOIN exception_count e ON e.run_id = r.run_id AND e.product_id = r.product_id;

-- step: questions and decisions (hold_question, hold_decision)
INSERT INTO hold_question (product_id, maturity_date, round, run_id, asked_at)
SELECT r.product_id, p.m, r.j, r.run_id, r.at + interval '5 minutes'
FROM trial_run r JOIN plan p USING (product_id)
WHERE p.held;

INSERT INTO hold_decision (product_id, run_id, decision, decided_by, comment, decided_at, maturity_date)
SELECT r.product_id, r.run_id, CASE WHEN r.last_run THEN 'ACCEPT_ZW' ELSE 'KEEP_HOLDING' END,
       'ops' || (1 + p.k %% 3),
       CASE WHEN r.last_run THEN 'HJS confirmed zw''s amounts' ELSE 'waiting for HJS to check' END,
       r.at + interval '2 hours', p.m
FROM trial_run r JOIN plan p USING (product_id)
WHERE p.held AND (NOT r.last_run OR NOT p.still_open);

-- step: sell records and settlement notices
INSERT INTO sell_record (id, asset_id, product_id, principal, interest, amount, hjs_amount, run_id, created_at)
SELECT a.id, a.id, a.product_id, 5000.00, 225.00, 5225.00,
       CASE WHEN p.held THEN h.amount ELSE 5225.00 END, r.run_id,
       r.at + CASE WHEN p.held THEN interval '2 hours 1 minute' ELSE interval '5 minutes' END
FROM plan p JOIN trial_run r ON r.product_id = p.product_id AND r.last_run
JOIN asset a ON a.product_id = p.product_id AND a.status <> 'LIQUIDATED'
LEFT JOIN hjs_amount h ON h.product_id = p.product_id AND h.holder_id = a.id
WHERE p.sold
ORDER BY p.sell_day, a.product_id, a.id;

INSERT INTO notice_sent (notice_key, kind, recipients, subject, run_id, sent_at, first_sent_at)
SELECT 'settlement:' || p.m, 'settlement', 'settlement@hjs.example', 'Settlement notice ' || p.m,
       min(r.run_id), min(r.at) + interval '10 minutes', min(r.at) + interval '10 minutes'
FROM plan p JOIN trial_run r ON r.product_id = p.product_id AND r.j = 0
GROUP BY p.m;

INSERT INTO settlement_notice_product (product_id, maturity_date, notice_key, run_id, created_at)
SELECT p.product_id, p.m, 'settlement:' || p.m, r.run_id, r.at + interval '10 minutes'
FROM plan p JOIN trial_run r ON r.product_id = p.product_id AND r.last_run
WHERE p.sold AND NOT p.held;

CREATE TEMP TABLE addendum AS
SELECT p.m, r.run_id, r.at, 'settlement:' || p.m || ':addendum:' || string_agg(p.product_code, ',' ORDER BY p.product_code)
           AS notice_key, array_agg(p.product_id) AS product_ids
FROM plan p JOIN trial_run r ON r.product_id = p.product_id AND r.last_run
WHERE p.sold AND p.held
GROUP BY p.m, r.run_id, r.at;

INSERT INTO notice_sent (notice_key, kind, recipients, subject, run_id, sent_at, first_sent_at)
SELECT notice_key, 'settlement-addendum', 'settlement@hjs.example', 'Settlement notice addendum ' || m, run_id,
       at + interval '2 hours 5 minutes', at + interval '2 hours 5 minutes'
FROM addendum;

INSERT INTO settlement_notice_product (product_id, maturity_date, notice_key, run_id, created_at)
SELECT unnest(product_ids), m, notice_key, run_id, at + interval '2 hours 5 minutes' FROM addendum;

-- step: payback orders and their summaries
INSERT INTO payback_order (id, asset_id, sell_record_id, product_id, user_id, principal, interest, boost_interest,
                           amount, destination, card_id, status, run_id, created_at)
SELECT a.id, a.id, a.id, a.product_id, a.user_id, 5000.00, 225.00, coalesce(b.extra_interest, 0),
       5225.00 + coalesce(b.extra_interest, 0), d.destination,
       CASE WHEN d.destination = 'CARD' THEN a.card_id END, 'SELL_SUCCESS',
       'scheduled__' || to_char(p.pay_day - 1, 'YYYY-MM-DD') || 'T22:00:00+00:00',
       (p.pay_day + time '06:01') AT TIME ZONE 'Asia/Shanghai'
FROM plan p JOIN asset a ON a.product_id = p.product_id AND a.status = 'SELL_SUCCESS'
LEFT JOIN asset_extra_interest b ON b.asset_id = a.id
CROSS JOIN LATERAL (SELECT payback_destination(a.pay_method, b.asset_id IS NOT NULL) AS destination) AS d
WHERE p.paid
ORDER BY p.pay_day, a.product_id, a.id;

INSERT INTO notice_sent (notice_key, kind, recipients, subject, run_id, sent_at, first_sent_at)
SELECT DISTINCT 'payback-summary:' || pay_day, 'PAYBACK_SUMMARY', 'ops@zw.example', 'Payback summary ' || pay_day,
       'scheduled__' || to_char(pay_day - 1, 'YYYY-MM-DD') || 'T22:00:00+00:00',
       (pay_day + time '06:05') AT TIME ZONE 'Asia/Shanghai', (pay_day + time '06:05') AT TIME ZONE 'Asia/Shanghai'
FROM plan WHERE paid;

-- step: identities past the computed ids, so the pipelines could go on writing here
SELECT setval(pg_get_serial_sequence('hjs_product', 'id'), (SELECT max(id) FROM hjs_product) + 1);
SELECT setval(pg_get_serial_sequence('asset', 'id'), (SELECT max(id) FROM asset) + 1);
SELECT setval(pg_get_serial_sequence('sell_record', 'id'), coalesce((SELECT max(id) FROM sell_record), 0) + 1);
SELECT setval(pg_get_serial_sequence('payback_order', 'id'), coalesce((SELECT max(id) FROM payback_order), 0) + 1);
SELECT setval(pg_get_serial_sequence('liquidate_asset', 'id'), coalesce((SELECT max(id) FROM liquidate_asset), 0) + 1);
