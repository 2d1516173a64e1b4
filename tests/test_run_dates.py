"""A run's business day comes from the run, in Asia/Shanghai, never from the clock."""

from __future__ import annotations

from datetime import date
from types import SimpleNamespace

import pendulum

from hjs_operators.run_dates import run_cutoff, run_day


def test_the_logical_date_is_read_in_shanghai():
    # 16:30 UTC on the 23rd is 00:30 on the 24th in Shanghai: a daily run at 00:30 is about the 24th
    assert run_day({"logical_date": pendulum.datetime(2026, 11, 23, 16, 30, tz="UTC")}) == date(2026, 11, 24)
    assert run_day({"logical_date": pendulum.datetime(2026, 11, 23, 15, 59, tz="UTC")}) == date(2026, 11, 23)


def test_a_run_without_logical_date_uses_when_it_was_asked_to_run():
    context = {"logical_date": None, "dag_run": SimpleNamespace(run_after=pendulum.datetime(2026, 11, 24, 1, tz="UTC"))}
    assert run_day(context) == date(2026, 11, 24)


def test_a_syncs_cutoff_is_the_end_of_the_runs_interval_in_shanghai():
    end = pendulum.datetime(2026, 11, 23, 16, 0, tz="UTC")
    cutoff = run_cutoff({"data_interval_end": end, "logical_date": end.subtract(days=1)})
    assert cutoff == end and cutoff.utcoffset().total_seconds() == 8 * 3600
    asked = pendulum.datetime(2026, 11, 24, 1, tz="UTC")
    assert run_cutoff({"data_interval_end": None, "logical_date": None,
                       "dag_run": SimpleNamespace(run_after=asked)}) == asked
