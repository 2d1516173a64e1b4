"""What a person decided about a held product (from Airflow's human-in-the-loop answer), recorded once."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from ..repository.db import transaction
from ..repository.sql_files import load_sql

ACCEPT_ZW = "ACCEPT_ZW"
KEEP_HOLDING = "KEEP_HOLDING"
TIMEOUT_USER = "timeout-default"


@dataclass(frozen=True)
class Decision:
    decision: str
    decided_by: str
    comment: str | None
    decided_at: datetime


def decision_from_hitl(answer: Any, *, accept_option: str) -> tuple[str, str, str | None]:
    """(decision, decided_by, comment) from the HITL operator's result: {chosen_options, params_input,
    responded_by_user: {id, name} or None for a timeout default, ...}."""
    if not isinstance(answer, dict) or not answer.get("chosen_options"):
        raise ValueError("the human-in-the-loop answer has no chosen option")
    chosen = answer["chosen_options"][0]
    user = answer.get("responded_by_user") or {}
    who = user.get("name") or user.get("id") or TIMEOUT_USER
    comment = (answer.get("params_input") or {}).get("comment") or None
    return (ACCEPT_ZW if chosen == accept_option else KEEP_HOLDING), str(who), comment


def record_decision(zw_conn, *, product_id: int, run_id: str, decision: str, decided_by: str,
                    comment: str | None) -> Decision:
    """Insert the decision unless one exists for (product, run); return the one that stands."""
    params = {"product_id": product_id, "run_id": run_id, "decision": decision, "decided_by": decided_by,
              "comment": comment}
    with transaction(zw_conn) as cur:
        cur.execute(load_sql("trial/record_decision.sql"), params)
        cur.execute(load_sql("trial/get_decision.sql"), params)
        return Decision(*cur.fetchone())
