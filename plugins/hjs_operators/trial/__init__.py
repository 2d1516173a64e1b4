"""The T-3 trial below Airflow: plain Python over a zw connection (psycopg 3, from ZwHook) and an HjsClient.

products     - which products a run reconciles, in batches for task mapping
snapshot     - HJS's maturity amounts, page by page, into hjs_amount_snapshot (per run and product)
sides        - both sides of the comparison as pandas frames in integer fen (COPY ... TO STDOUT)
outcome      - compare (domain.reconciliation) and record the result per product, exceptions per asset
sell         - sell records with zw's amounts, each product all or nothing
settlement   - what HJS must fund per product (balance accounts vs bank cards) and the notice
late         - the products a run reconciles after their T-3 day, and operations' e-mail about them
report       - the run's report as CSV and HTML, from its rows in zw
report_store - where the report is stored (once per run) and read back as attachments
alerts       - the held products' alert: questions claimed once, operations' e-mail
questions    - the question asked about a held product and its two answers
decisions    - a person's decision on a held product, applied once
"""
