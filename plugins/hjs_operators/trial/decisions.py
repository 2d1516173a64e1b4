"""A person's decision on a held product: one question per product and round, an answer applied once.

- Questions: a held product is asked about once per round (round = decisions already taken for that
  product and maturity date), whichever and however many runs hold it. The run that claims the round
  asks; the others say where the open question is. A claim whose question was never answered in
  QUESTION_TIMEOUT (its run was killed or marked failed) may be taken over by the next run.
- Accept: in ONE transaction, under the product's lock, sell records with zw's amounts for every
  current holder, the holders moved to SELL_CONFIRMED, and the decision row. Where zw itself cannot
  give an amount (a NULL interest, an origin chain that never reaches a subscription, an asset never
  subscribed at HJS) nothing is written and DecisionRefused names the assets. Final: the database
  allows one ACCEPT_ZW per product and maturity date.
- Keep holding: a row in the product's history; the next run for the date compares afresh and asks
  again. An answer that arrives after the product was accepted changes nothing and says who accepted.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from decimal import Decimal
from typing import Any

from ..domain.order_numbers import invest_order_no
from ..repository.db import transaction
from ..repository.sql_files import load_sql

log = logging.getLogger(__name__)

ACCEPT_ZW = "ACCEPT_ZW"
KEEP_HOLDING = "KEEP_HOLDING"
TIMEOUT_USER = "timeout-default"
# How long a question waits for its answer (the HITL task's response_timeout, then "keep holding").
QUESTION_TIMEOUT = timedelta(days=2)
SELLABLE = ("INVEST_SUCCESS", "SELL_CONFIRMED")
MAX_NAMED = 20  # assets named in one refusal; the rest are counted


@dataclass(frozen=True)
class Decision:
    decision: str
    decided_by: str
    comment: str | None
    decided_at: datetime
    run_id: str


@dataclass(frozen=True)
class Applied:
    product_code: str
    maturity_date: date
    decision: Decision  # the decision that stands (an earlier acceptance wins over a later answer)
    recorded_now: bool
    sell_records_written: int = 0


@dataclass(frozen=True)
class Claims:
    asked: list[int]  # products this run asks about
    open_elsewhere: dict[int, tuple[str, datetime]]  # product -> (run holding its open question, asked at)
    accepted: dict[int, Decision]  # products accepted meanwhile: nothing to ask


class DecisionRefused(Exception):
    """Accepting would leave a holder unpaid or guessed: nothing was written, the product stays held."""


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


def _lock(cur, product_id: int) -> tuple[str, date]:
    cur.execute(load_sql("trial/lock_product.sql"), {"product_id": product_id})
    cur.execute(load_sql("trial/products_by_id.sql"), {"product_ids": [product_id]})
    row = cur.fetchone()
    if row is None:
        raise ValueError(f"product {product_id} does not exist in zw")
    return row[1], row[3]


def _accepted(cur, product_id: int, maturity: date) -> Decision | None:
    cur.execute(load_sql("trial/accepted_decision.sql"), {"product_id": product_id, "maturity_date": maturity})
    row = cur.fetchone()
    return Decision(*row) if row else None


def claim_questions(zw_conn, run_id: str, product_ids: list[int]) -> Claims:
    """Which held products this run asks about (see the module docstring)."""
    asked, elsewhere, accepted = [], {}, {}
    for product_id in sorted(product_ids):
        with transaction(zw_conn) as cur:
            _code, maturity = _lock(cur, product_id)
            done = _accepted(cur, product_id, maturity)
            if done:
                accepted[product_id] = done
                continue
            cur.execute(load_sql("trial/claim_question.sql"), {
                "product_id": product_id, "maturity_date": maturity, "run_id": run_id,
                "timeout": QUESTION_TIMEOUT})
            holder, asked_at = cur.fetchone()
            if holder == run_id:
                asked.append(product_id)
            else:
                elsewhere[product_id] = (holder, asked_at)
    return Claims(asked, elsewhere, accepted)


def _record(cur, *, product_id: int, maturity: date, run_id: str, decision: str, decided_by: str,
            comment: str | None) -> tuple[bool, Decision]:
    """Record the answer unless this run recorded one already; (recorded now, the answer that stands)."""
    cur.execute(load_sql("trial/record_decision.sql"), {
        "product_id": product_id, "maturity_date": maturity, "run_id": run_id, "decision": decision,
        "decided_by": decided_by, "comment": comment})
    recorded = cur.rowcount == 1
    cur.execute(load_sql("trial/get_decision.sql"), {"product_id": product_id, "run_id": run_id})
    return recorded, Decision(*cur.fetchone())


def keep_holding(zw_conn, *, product_id: int, run_id: str, decided_by: str, comment: str | None) -> Applied:
    with transaction(zw_conn) as cur:
        code, maturity = _lock(cur, product_id)
        done = _accepted(cur, product_id, maturity)
        if done:
            return Applied(code, maturity, done, recorded_now=False)
        recorded, stands = _record(cur, product_id=product_id, maturity=maturity, run_id=run_id,
                                   decision=KEEP_HOLDING, decided_by=decided_by, comment=comment)
        return Applied(code, maturity, stands, recorded_now=recorded)


def _refusals(holders: list[tuple]) -> list[str]:
    why = []
    for _product, _root, asset_id, _principal, interest, status, problem in holders:
        if problem:
            why.append(problem)
        elif interest is None:
            why.append(f"asset {asset_id}: create_expected_interest is NULL, so zw's amount is unknown")
        elif status not in SELLABLE:
            why.append(f"asset {asset_id} is {status}: only a subscribed holding (INVEST_SUCCESS) can be sold")
    return why


def accept_zw_amounts(zw_conn, *, product_id: int, run_id: str, decided_by: str, comment: str | None) -> Applied:
    """Sell every current holder with zw's amounts and record the acceptance, in one transaction."""
    from .sides import zw_side_sql  # pandas: not at DAG parse time, which imports QUESTION_TIMEOUT

    with transaction(zw_conn) as cur:
        code, maturity = _lock(cur, product_id)
        done = _accepted(cur, product_id, maturity)
        if done:
            return Applied(code, maturity, done, recorded_now=False)
        cur.execute(zw_side_sql(), {"product_ids": [product_id]})
        holders = cur.fetchall()
        why = _refusals(holders) if holders else ["zw has no current holder of this product"]
        if why:
            more = f" (and {len(why) - MAX_NAMED} more)" if len(why) > MAX_NAMED else ""
            raise DecisionRefused(f"product {code} cannot be accepted with zw's amounts, nothing was written and "
                                  f"it stays held: {'; '.join(why[:MAX_NAMED])}{more}")
        cur.execute(load_sql("trial/snapshot_amounts.sql"), {"run_id": run_id, "product_id": product_id})
        hjs = {}
        for order_no, amount in cur.fetchall():
            hjs[order_no] = None if order_no in hjs else amount  # a duplicated record is no amount
        asset_ids = [int(h[2]) for h in holders]
        hjs_amounts: list[Decimal | None] = [hjs.get(invest_order_no(int(h[1]))) for h in holders]
        params = {"product_id": product_id, "run_id": run_id, "asset_ids": asset_ids, "hjs_amounts": hjs_amounts}
        cur.execute(load_sql("trial/accept_sell_records.sql"), params)
        written = cur.rowcount
        cur.execute(load_sql("trial/accept_confirm_assets.sql"), params)
        cur.execute(load_sql("trial/accept_check.sql"), params)
        unsold = cur.fetchall()
        if unsold:
            raise DecisionRefused(
                f"product {code}: {len(unsold)} holder(s) could not be sold for zw's amount (changed meanwhile, or "
                "sold before for another amount), nothing was written: "
                + "; ".join(f"asset {a} ({s}, sell record {r if r is not None else 'none'})"
                            for a, s, r in unsold[:MAX_NAMED]))
        recorded, decision = _record(cur, product_id=product_id, maturity=maturity, run_id=run_id,
                                     decision=ACCEPT_ZW, decided_by=decided_by, comment=comment)
        if not recorded:
            raise DecisionRefused(f"product {code}: this run already recorded another answer for it; nothing written")
    log.info("product %s accepted with zw's amounts by %s: %d holder(s), %d new sell record(s)", code, decided_by,
             len(asset_ids), written)
    return Applied(code, maturity, decision, recorded_now=True, sell_records_written=written)
