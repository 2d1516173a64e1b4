"""Domain rules in plain Python: money, interest, reconciliation, payback. No Airflow imports."""
