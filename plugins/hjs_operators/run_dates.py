"""Which business day a run is about: always from the run, never from the clock.

A backfill or catch-up of day D must process exactly what D would have processed, so "today" is the
run's logical date (or, for a run without one, the moment it was asked to run) in Asia/Shanghai.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from .dag_defaults import TIMEZONE


def run_day(context: Any) -> date:
    """The Asia/Shanghai calendar day of the run's logical date (run_after for a run without one)."""
    moment = context.get("logical_date") or context["dag_run"].run_after
    return moment.astimezone(TIMEZONE).date()
