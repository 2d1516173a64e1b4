"""The local stack behind `make run` and the tests: embedded PostgreSQL, SMTP sink, Airflow settings."""
