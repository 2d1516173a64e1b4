INSERT INTO trial_fetch (run_id, product_id, status, records, bad_records, pages, problem, hjs_maturity_date)
VALUES (%(run_id)s, %(product_id)s, %(status)s, %(records)s, %(bad_records)s, %(pages)s, %(problem)s,
        %(hjs_maturity_date)s)
ON CONFLICT (run_id, product_id) DO UPDATE
SET status = EXCLUDED.status, records = EXCLUDED.records, bad_records = EXCLUDED.bad_records,
    pages = EXCLUDED.pages, problem = EXCLUDED.problem, hjs_maturity_date = EXCLUDED.hjs_maturity_date,
    fetched_at = now()
