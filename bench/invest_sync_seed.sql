-- Benchmark data only (bench/bench_invest_sync.py): %(products)s packages of 200 one-share assets,
-- every asset INVEST_START and bought the day before the bench's cutoff.
INSERT INTO hjs_channel VALUES ('BENCH', 'bench channel') ON CONFLICT DO NOTHING;
INSERT INTO hjs_product (product_code, product_name, channel_code, sequence_no, total_amount, share_amount,
                         annual_rate, value_date, maturity_date, status)
SELECT 'BENCH' || lpad(n::text, 6, '0'), 'bench package ' || n, 'BENCH', n, 1000000.00, 5000.00, 0.045,
       DATE '2026-01-01', DATE '2026-12-31', 'SOLD_OUT'
FROM generate_series(1, %(products)s) AS n;
INSERT INTO asset (user_id, product_id, share_amount, shares, create_amount, create_expected_interest,
                   pay_method, status, created_at)
SELECT 1 + (p.id * 200 + s) %% 50000, p.id, 5000.00, 1, 5000.00, 225.00, 'BALANCE', 'INVEST_START',
       TIMESTAMPTZ '2026-11-24 12:00:00+08'
FROM hjs_product p CROSS JOIN generate_series(1, 200) AS s
WHERE p.channel_code = 'BENCH'
ORDER BY p.id, s
LIMIT %(assets)s;
