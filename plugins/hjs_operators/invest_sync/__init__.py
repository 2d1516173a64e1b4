"""Daily invest sync, in plain Python (no Airflow imports).

- repository: the zw side (selecting work at a cutoff, booking a group of subscriptions in one
  statement, recording attempts, reading a run's failures), every statement a file in
  include/sql/invest_sync/;
- service: subscribing a batch of products at HJS with N calls in flight, counting and logging;
- booking: the writer thread that books what HJS answered, so the calling threads never wait on zw;
- report: the operations e-mail of a run's failures.
The operators in hjs_operators.operators.invest_sync wire these to Airflow (the package rollover has
its own package, hjs_operators.rollover).
"""
