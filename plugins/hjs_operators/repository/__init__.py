"""zw repository: SQL files from include/sql, transactions, migrations. No Airflow imports."""
