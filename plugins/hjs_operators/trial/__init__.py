"""The T-3 trial below Airflow: plain Python over a zw connection (psycopg 3, from ZwHook) and an HjsClient.

products   - which products a run reconciles, in batches for task mapping
snapshot   - HJS's maturity amounts, page by page, into hjs_amount_snapshot (per run and product)
sides      - both sides of the comparison as pandas frames in integer fen (COPY ... TO STDOUT)
outcome    - compare (domain.reconciliation) and record the result per product, exceptions per asset
sell       - sell records with zw's amounts, each product all or nothing
settlement - what HJS must fund per product (balance accounts vs bank cards) and the notice
report     - the run's report as CSV and HTML
"""
