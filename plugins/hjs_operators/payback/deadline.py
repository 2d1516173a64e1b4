"""The payback deadline alert's text: what is true when a run misses its deadline (started late,
finished or not, which products zw still has unpaid), rendered as a subject and an HTML body.
Plain Python: the deadline callback in hjs_operators.operators.payback gathers the facts and sends it."""

from __future__ import annotations

import html
from datetime import datetime
from typing import Any

# What the deadline alert says the run is doing, from its Airflow state.
_RUN_STATE_WORDS = {"success": "FINISHED", "failed": "FAILED"}


def moment(value: Any) -> datetime | None:
    if value is None or isinstance(value, datetime):
        return value
    return datetime.fromisoformat(str(value).replace("Z", "+00:00"))


def render_deadline_alert(run: dict, state: str, state_is_live: bool, due: list | str, deadline: str,
                          deadline_at: datetime | None) -> tuple[str, str]:
    """Subject and HTML body of the deadline alert, from the facts only: when the run was created, its
    state, and what zw still has unpaid."""
    from ..dag_defaults import TIMEZONE

    run_id = run.get("dag_run_id") or run.get("run_id") or "?"
    logical = moment(run.get("logical_date")) or moment(run.get("run_after"))
    day = logical.astimezone(TIMEZONE).date() if logical else None
    # the latest of when it was asked for, queued and started: after the deadline, it began too late to make it
    began = max((m for m in map(moment, (run.get("run_after"), run.get("queued_at"), run.get("start_date"))) if m),
                default=None)
    started_late = bool(began and deadline_at and began > deadline_at)
    finished = state in _RUN_STATE_WORDS
    facts = []
    if started_late:
        facts.append(f"STARTED LATE ({began.astimezone(TIMEZONE):%Y-%m-%d %H:%M}, after its "
                     f"{deadline or 'deadline'})")
    if finished:
        facts.append(f"{_RUN_STATE_WORDS[state]}" + ("" if started_late else f" after {deadline or 'its deadline'}"))
    elif state_is_live:
        facts.append(f"NOT FINISHED by {deadline or 'its deadline'} (state {state})")
    else:
        facts.append(f"not finished when its {deadline or 'deadline'} passed (state then: {state})")
    if isinstance(due, str):
        facts.append(due)
    elif due:
        facts.append(f"{len(due)} product(s) due by {day} NOT PAID")
    else:
        facts.append(f"every product due by {day} is paid")
    subject = f"HJS maturity payback {day}: run {run_id} " + ", ".join(facts)
    unpaid = "" if isinstance(due, str) or not due else "<ul>" + "".join(
        f"<li>{html.escape(code)} (id {pid}), maturity {maturity}</li>" for pid, code, maturity in due) + "</ul>"
    if finished and not due:
        todo = "Nothing to do for the payback itself; users were paid later than promised."
    elif finished:
        todo = ("Open the run: fail_if_products_unpaid names each product and what is missing; fix it and rerun "
                "the day (reruns write nothing twice) or let the next run pay it.")
    else:
        todo = ("Open the run in Airflow, see which task is waiting or failed, fix and rerun it (reruns write "
                "nothing twice).")
    body = (f"<p>The <b>hjs_maturity_payback</b> run <code>{html.escape(str(run_id))}</code> (day {day}, logical "
            f"date {html.escape(str(run.get('logical_date')))}) missed its deadline ({html.escape(deadline)}). "
            f"{html.escape('; '.join(facts))}.</p>{unpaid}"
            f"<p>Run state {'now, from Airflow' if state_is_live else 'when the deadline passed'}: "
            f"{html.escape(state)}. {todo}</p>")
    return subject, body
