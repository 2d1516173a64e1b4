"""The payback deadline alert, called the way the triggerer calls it: the scheduler's Deadline.handle_miss
builds the callback's context (the run as DAGRunResponse, taken when the deadline passed) and queues a
CallbackTrigger in Airflow's metadata; the trigger is read back from there and run."""

from __future__ import annotations

import asyncio
from datetime import timedelta

import pytest

from tests.payback.helpers import build_day

pytestmark = [pytest.mark.airflow, pytest.mark.postgres]

DAG_ID = "hjs_maturity_payback"


@pytest.fixture
def env(pipeline_env, zw_db):
    conn = zw_db.connect()
    yield conn, pipeline_env[2]
    conn.close()


def queue_deadline_callback(dag, run, *, snapshot: dict | None = None):
    """What the scheduler does when the run's deadline has passed: a Deadline row for the run, then
    handle_miss, which snapshots the run into the callback's context and queues a CallbackTrigger.
    `snapshot` overrides fields of that snapshot: the scheduler takes it when the deadline passes, so
    for a run created after its deadline it shows the run just queued. Returns the trigger as stored."""
    from airflow.models.deadline import Deadline
    from airflow.models.trigger import Trigger
    from airflow.utils.session import create_session

    [alert] = dag.deadline
    with create_session() as session:
        deadline = Deadline(deadline_time=run.logical_date + alert.interval, callback=alert.callback,
                            dagrun_id=run.id, deadline_alert_id=None, dag_id=dag.dag_id)
        session.add(deadline)
        session.flush()
        deadline.handle_miss(session)
        if snapshot:
            kwargs = dict(deadline.callback.trigger.kwargs)
            kwargs["callback_kwargs"] = dict(kwargs["callback_kwargs"])
            context = dict(kwargs["callback_kwargs"]["context"])
            context["dag_run"] = {**context["dag_run"], **snapshot}
            kwargs["callback_kwargs"]["context"] = context
            deadline.callback.trigger.kwargs = kwargs
        session.flush()
        trigger_id = deadline.callback.trigger.id
    with create_session() as session:
        trigger = session.get(Trigger, trigger_id)
        return trigger.classpath, trigger.kwargs


def run_trigger(classpath: str, kwargs: dict) -> list[dict]:
    """The triggerer's part: build the trigger from its stored class path and kwargs, run it to the end."""
    from airflow._shared.module_loading import import_string

    trigger = import_string(classpath)(**kwargs)

    async def events():
        return [event.payload async for event in trigger.run()]

    return asyncio.run(events())


class AirflowRunStates:
    """The triggerer's supervisor channel, answering the Task SDK's GetDagRunState from Airflow's
    metadata database (outside the triggerer no supervisor is there to answer)."""

    def send(self, msg):
        from airflow.models.dagrun import DagRun
        from airflow.sdk.execution_time.comms import DagRunStateResult

        assert type(msg).__name__ == "GetDagRunState", msg
        [run] = DagRun.find(dag_id=msg.dag_id, run_id=msg.run_id)
        return DagRunStateResult(state=run.state)


@pytest.fixture
def airflow_run_states(monkeypatch):
    from airflow.sdk.execution_time import task_runner

    monkeypatch.setattr(task_runner, "SUPERVISOR_COMMS", AirflowRunStates(), raising=False)


def clean_day(conn):
    day = build_day(conn)
    with conn.cursor() as cur:  # the blocked product made ready: every product of the day can be paid
        cur.execute("UPDATE asset SET status = 'SELL_CONFIRMED' WHERE id = %s", (day.blocked_missing,))
        cur.execute("INSERT INTO sell_record (asset_id, product_id, principal, interest, amount) "
                    "SELECT id, product_id, 10000, 450, 10450 FROM asset WHERE id = %s", (day.blocked_missing,))
    conn.commit()
    return day


# 06:00 on 2026-11-27 in Asia/Shanghai; its deadline is 10:00 that day, long before the tests create the run
LOGICAL = "2026-11-26T22:00:00+00:00"


def logical():
    import pendulum

    return pendulum.parse(LOGICAL)


def test_a_finished_run_created_after_its_deadline_is_reported_as_started_late_and_finished(
        env, run_dag, project_dags, airflow_run_states):
    conn, mailbox = env
    clean_day(conn)
    run = run_dag(DAG_ID, logical_date=logical(), retries=0)
    assert run.state == "success"
    mailbox.clear()  # the run's own summary
    # the scheduler saw the run just queued when it found the deadline passed (the run was created after it)
    classpath, kwargs = queue_deadline_callback(project_dags[DAG_ID], run, snapshot={"state": "queued",
                                                                                      "end_date": None})

    events = run_trigger(classpath, kwargs)
    assert [e["state"] for e in events] == ["running", "success"], events
    [mail] = mailbox.messages()
    subject = mail["Subject"]
    assert subject == events[-1]["body"]
    assert "STARTED LATE" in subject and "FINISHED" in subject and "NOT FINISHED" not in subject
    assert "every product due by 2026-11-27 is paid" in subject and run.run_id in subject
    assert "Run state now, from Airflow: success" in mail.get_body(("html",)).get_content()


def test_without_the_runs_live_state_the_alert_says_what_zw_shows_not_unfinished(env, run_dag, project_dags):
    conn, mailbox = env
    clean_day(conn)
    run = run_dag(DAG_ID, logical_date=logical(), retries=0)
    mailbox.clear()
    classpath, kwargs = queue_deadline_callback(project_dags[DAG_ID], run, snapshot={"state": "queued",
                                                                                      "end_date": None})

    run_trigger(classpath, kwargs)
    [mail] = mailbox.messages()
    assert "STARTED LATE" in mail["Subject"] and "NOT FINISHED" not in mail["Subject"]
    assert "not finished when its 10:00 Asia/Shanghai passed (state then: queued)" in mail["Subject"]
    assert "every product due by 2026-11-27 is paid" in mail["Subject"]


def test_a_run_still_running_on_time_is_not_finished_and_names_what_is_unpaid(
        env, run_dag, project_dags, airflow_run_states):
    from airflow.models.dagrun import DagRun
    from airflow.utils.session import create_session

    conn, mailbox = env
    day = build_day(conn)  # the blocked product cannot be paid
    run = run_dag(DAG_ID, logical_date=logical(), retries=0)
    mailbox.clear()
    with create_session() as session:  # the run as it stands at 10:00: created at 06:00, still running
        stored = session.get(DagRun, run.id)
        stored.state = "running"
        stored.queued_at = stored.run_after = stored.start_date = run.logical_date + timedelta(minutes=1)
    classpath, kwargs = queue_deadline_callback(project_dags[DAG_ID], run)

    run_trigger(classpath, kwargs)
    [mail] = mailbox.messages()
    assert "NOT FINISHED by 10:00 Asia/Shanghai" in mail["Subject"] and "STARTED LATE" not in mail["Subject"]
    assert "1 product(s) due by 2026-11-27 NOT PAID" in mail["Subject"]
    body = mail.get_body(("html",)).get_content()
    assert f"(id {day.blocked_product}), maturity 2026-11-27" in body
