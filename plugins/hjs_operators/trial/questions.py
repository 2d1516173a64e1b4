"""The question asked about a held product (Airflow's Required actions) and its two answers.
No imports beyond the standard library: the DAG file reads ACCEPT and KEEP when it is parsed."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from .settlement import HeldProduct

ACCEPT = "Accept zw amounts"
KEEP = "Keep holding"


def question(h: HeldProduct, result: str, folder: str) -> dict[str, Any]:
    """One question for the decision task of a held product: its result and where the report is."""
    return {
        "product_id": h.id,
        "subject": f"T-3 trial: product {h.product_code} ({h.channel_code}), maturing {h.maturity_date}, is held",
        "body": (f"Product **{h.product_code}** (channel {h.channel_code}) did not reconcile with HJS for maturity "
                 f"date {h.maturity_date}: " + result
                 + f". The per-asset exceptions are in the report ({folder}) and in the table "
                 "reconciliation_exception of this run.\n\n"
                 f"**{ACCEPT}**: write sell records with zw's amounts for every current holder and tell HJS in "
                 "an addendum (refused, with the assets named, where zw itself has no amount). "
                 f"**{KEEP}**: nothing is written; investigate with HJS; the next run compares afresh and asks "
                 "again."),
    }
