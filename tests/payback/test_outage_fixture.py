"""tests/fixtures/outage.py asks the DAG's own timetable what the scheduler creates after an outage."""

from __future__ import annotations

import copy

import pendulum
import pytest

from tests.fixtures.outage import scheduled_after_outage

pytestmark = pytest.mark.airflow

SHANGHAI = pendulum.timezone("Asia/Shanghai")


def at(day: int, hour: int, minute: int = 0) -> pendulum.DateTime:
    return pendulum.datetime(2026, 11, day, hour, minute, tz=SHANGHAI)


def utc(moment: pendulum.DateTime) -> pendulum.DateTime:
    return moment.in_timezone("UTC")


def test_without_catchup_the_scheduler_creates_only_the_latest_run(project_dags):
    dag = project_dags["hjs_maturity_payback"]
    assert dag.catchup is False
    # back the next morning after the run time: that day's run only (nothing was missed)
    assert scheduled_after_outage(dag, at(26, 6), at(27, 7)) == [utc(at(27, 6))]
    # back three days later: the 27th and 28th get no run at all
    assert scheduled_after_outage(dag, at(26, 6), at(29, 7)) == [utc(at(29, 6))]
    # back before the day's run time: nothing yet
    assert scheduled_after_outage(dag, at(26, 6), at(27, 5, 59)) == []


def test_with_catchup_the_scheduler_creates_every_missed_day(project_dags):
    dag = copy.copy(project_dags["hjs_maturity_payback"])
    dag.catchup = True
    assert scheduled_after_outage(dag, at(26, 6), at(29, 7)) == [utc(at(d, 6)) for d in (27, 28, 29)]


def test_a_date_off_the_schedule_is_refused(project_dags):
    with pytest.raises(ValueError, match="not a logical date"):
        scheduled_after_outage(project_dags["hjs_maturity_payback"], at(26, 7), at(29, 7))
