"""The T-3 runs as Airflow knows them (the api-server's metadata database): which target date each run
reconciled up to, which is where its report is stored, and the Airflow UI pages of a run."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date
from urllib.parse import quote

TRIAL_DAG_ID = "hjs_trial_reconciliation"


def run_page(run_id: str) -> str:
    return f"/dags/{TRIAL_DAG_ID}/runs/{quote(run_id, safe='')}"


def required_actions_page(run_id: str) -> str:
    """The run's Required actions in the Airflow UI: where a held product's question is answered."""
    return f"{run_page(run_id)}/required_actions"


def run_targets(session, run_ids: Iterable[str]) -> dict[str, date]:
    """run id -> the run's target maturity date (its report's folder), for the runs Airflow knows; the
    same derivation as the run's own tasks (operators.trial.maturity_date)."""
    from airflow.models.dagrun import DagRun
    from sqlalchemy import select

    from ..operators.trial import maturity_date

    wanted = sorted({r for r in run_ids if r})
    if not wanted:
        return {}
    runs = session.scalars(select(DagRun).where(DagRun.dag_id == TRIAL_DAG_ID, DagRun.run_id.in_(wanted)))
    return {run.run_id: maturity_date({"logical_date": run.logical_date, "dag_run": run, "params": run.conf or {}})
            for run in runs}
