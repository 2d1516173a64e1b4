"""Registers the HJS settlement console (hjs_operators.console) from Airflow's plugins folder. The
installed package's `airflow.plugins` entry point then stands aside (see hjs_operators.console.plugin),
so Airflow loads the console once."""

from hjs_operators.console.plugin import HjsSettlementConsolePlugin  # noqa: F401 - Airflow finds it here
