INSERT INTO settlement_notice_product (product_id, maturity_date, notice_key, run_id)
SELECT unnest(%(product_ids)s::bigint[]), %(maturity_date)s, %(notice_key)s, %(run_id)s
ON CONFLICT (product_id) DO NOTHING
