"""Airflow operators of the HJS pipelines: each stores its arguments, builds its hooks in execute()."""
