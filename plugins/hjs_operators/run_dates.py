"""Which business day and moment a run is about: always from the run, never from the clock. The one
place every DAG derives them.

A backfill or catch-up of day D must process exactly what D would have processed, so "today" is the
run's logical date (or, for a run without one, the moment it was asked to run) in Asia/Shanghai, and
the cutoff of a sync is the end of the run's data interval.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from .dag_defaults import TIMEZONE


def run_day(context: Any) -> date:
    """The Asia/Shanghai calendar day of the run's logical date (run_after for a run without one)."""
    moment = context.get("logical_date") or context["dag_run"].run_after
    return moment.astimezone(TIMEZONE).date()


def run_cutoff(context: Any) -> datetime:
    """The moment a sync selects what was recorded up to: the run's data-interval end (its logical date,
    or the moment it was asked to run, for a run without an interval). The same for every task and try."""
    moment = context.get("data_interval_end") or context.get("logical_date") or context["dag_run"].run_after
    return moment.astimezone(TIMEZONE)
