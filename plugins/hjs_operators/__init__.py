"""zw <-> HJS settlement: the Airflow-facing package (hook, operators) and the plain-Python layers
beneath it (protocol, client, repository, domain).

Kept free of imports on purpose: Airflow imports this package while discovering providers and
plugins in every process, so nothing heavy (Airflow, requests, crypto) and nothing that reads
configuration may run here.
"""
