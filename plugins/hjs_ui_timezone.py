"""Airflow finds plugins in this folder (the hjs_operators package itself is in .airflowignore): this one
gives the UI its default time zone, `[hjs] ui_default_timezone` (see hjs_operators/ui_timezone.py)."""

from hjs_operators.ui_timezone import UiTimezonePlugin  # noqa: F401 - found by Airflow's plugins folder scan
