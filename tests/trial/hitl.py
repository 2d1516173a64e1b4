"""Answering the T-3 DAG's held-product question the way the UI does, while dag.test() runs the DAG.

dag.test() must run in the main thread (the task runner installs signal handlers), so the person sits in
a helper thread: it waits for the question, records what it sees, answers through the handler of
Airflow's REST endpoint PATCH .../taskInstances/{task_id}/{map_index}/hitlDetails, and the run goes on.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable

DAG_ID = "hjs_trial_reconciliation"


class _Operator:
    """The user the HITL endpoint records as having answered."""

    def get_id(self) -> str:
        return "ops-anna"

    def get_name(self) -> str:
        return "anna"


def task_states(dag_id: str = DAG_ID) -> dict[tuple[str, int], tuple[str, str]]:
    """(task id, map index) -> (state, run id) of the DAG's newest run (earlier tests' runs stay in the
    session's metadata database)."""
    from airflow.models.dagrun import DagRun
    from airflow.models.taskinstance import TaskInstance
    from airflow.utils.session import create_session

    with create_session() as session:
        newest = session.query(DagRun.run_id).filter(DagRun.dag_id == dag_id).order_by(DagRun.id.desc()).first()
        if newest is None:
            return {}
        rows = session.query(TaskInstance.task_id, TaskInstance.map_index, TaskInstance.state, TaskInstance.run_id) \
            .filter(TaskInstance.dag_id == dag_id, TaskInstance.run_id == newest[0]).all()
        return {(t, m): (s, r) for t, m, s, r in rows}


def _fail_running_runs(dag_id: str) -> None:
    from airflow.models.dagrun import DagRun
    from airflow.utils.session import create_session
    from airflow.utils.state import DagRunState

    with create_session() as session:
        for run in session.query(DagRun).filter(DagRun.dag_id == dag_id, DagRun.state == DagRunState.RUNNING):
            run.state = DagRunState.FAILED


def answer_hitl(dag_id: str, run_id: str, task_id: str, map_index: int, option: str, comment: str) -> None:
    from airflow.api_fastapi.core_api.datamodels.hitl import UpdateHITLDetailPayload
    from airflow.api_fastapi.core_api.routes.public.hitl import update_hitl_detail
    from airflow.utils.session import create_session

    with create_session() as session:
        update_hitl_detail(dag_id=dag_id, dag_run_id=run_id, task_id=task_id,
                           update_hitl_detail_payload=UpdateHITLDetailPayload(
                               chosen_options=[option], params_input={"comment": comment}),
                           user=_Operator(), session=session, map_index=map_index)


def wait_for(predicate, what: str, timeout: float = 180.0):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = predicate()
        if value:
            return value
        time.sleep(0.5)
    raise AssertionError(f"timed out waiting for {what}")


def run_answering(run_dag: Callable, logical_date, option: str, comment: str,
                  look: Callable[[str], dict] | None = None) -> tuple[object, dict]:
    """Run the DAG; when its questions wait and the settlement notice task is done, call look(run_id)
    (what the person sees then) and answer `option` to each. Returns (the DagRun, what was seen)."""
    seen: dict = {}

    def parked():
        # every question of the run is waiting (mapped instances reach awaiting_input one by one)
        states = task_states()
        questions = [(k, v) for k, v in states.items() if k[0] == "decide_held.decide"]
        others_done = states.get(("send_settlement_notice", -1), (None,))[0] in ("success", "failed")
        ready = questions and others_done and all(v[0] == "awaiting_input" for _k, v in questions)
        return questions if ready else None

    def person():
        try:
            waiting = wait_for(parked, "the held product's decision task and the others' settlement")
            run_id = waiting[0][1][1]
            seen["waiting"] = len(waiting)
            seen["run_id"] = run_id
            if look is not None:
                seen.update(look(run_id))
            for (task_id, map_index), _state in waiting:
                answer_hitl(DAG_ID, run_id, task_id, map_index, option, comment)
        except BaseException as exc:  # reported by the main thread; end the run so dag.test() returns
            seen["error"] = exc
            seen["states"] = task_states()
            _fail_running_runs(DAG_ID)

    # import and configure the ORM in this thread first: the helper's first query would otherwise import
    # Airflow's models while dag.test() imports them too, and the two wait on each other's import lock
    import airflow.api_fastapi.core_api.routes.public.hitl  # noqa: F401
    from airflow.models import import_all_models
    from sqlalchemy.orm import configure_mappers

    import_all_models()
    configure_mappers()
    task_states()
    helper = threading.Thread(target=person, daemon=True)
    helper.start()
    run = run_dag(DAG_ID, logical_date=logical_date, retries=0)
    helper.join(timeout=30)
    assert "error" not in seen, (seen.get("error"), seen.get("states"))
    return run, seen
