"""The operations console: the "HJS settlement" view inside the Airflow UI, an Airflow plugin served by
the api-server (queries: what it reads from zw; app: its routes; plugin: its registration)."""
