"""Session set-up shared by every test: a real PostgreSQL and Airflow's environment, then fixtures.

pytest_configure runs before collection, so the embedded server and the AIRFLOW__* variables exist
before any test module (or DAG file) imports Airflow.
"""

from __future__ import annotations

import os

pytest_plugins = ["tests.fixtures.postgres", "tests.fixtures.sandbox", "tests.fixtures.airflow_run",
                  "tests.fixtures.stack"]


def pytest_configure(config) -> None:
    from tests.fixtures.postgres import start_test_stack

    stack = start_test_stack()
    os.environ.update(stack.airflow_env)


def pytest_collection_modifyitems(config, items) -> None:
    """Tests that stop the shared stack run after every test that uses it."""
    items.sort(key=lambda item: item.get_closest_marker("stops_stack") is not None)


def pytest_unconfigure(config) -> None:
    import sys

    from tests.fixtures.postgres import stop_test_stack

    if "airflow.settings" in sys.modules:  # release Airflow's pooled connections before the server goes
        sys.modules["airflow.settings"].dispose_orm()
    stop_test_stack()
