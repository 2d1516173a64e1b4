"""Payback orders for one maturity day, one transaction per product.

For each product maturing on the day:
1. lock the product row (a racing rerun of the same product waits, then writes nothing);
2. the guard: every current holder (not LIQUIDATED) has a sell record and is SELL_CONFIRMED (or
   SELL_SUCCESS from an earlier run); if not, the transaction is rolled back, nothing is written for
   the product, and what is missing is reported (the caller fails the run at the end);
3. one INSERT ... SELECT ... ON CONFLICT DO NOTHING writes every holder's payback order set-wise;
4. one UPDATE moves SELL_CONFIRMED holders that have an order to SELL_SUCCESS;
5. the two row counts must equal the guard's count of SELL_CONFIRMED holders (anything another writer
   changed in between rolls the product back and reports it like a guard failure);
6. commit.
A product is therefore paid completely or not at all, and a rerun writes and moves nothing.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from datetime import date
from decimal import Decimal

from ..domain.money import to_fen
from ..domain.payback import holder_problem
from ..repository.db import transaction
from ..repository.sql_files import load_sql

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Problem:
    reason: str
    assets: int
    sample_asset_ids: list[int]

    def describe(self) -> str:
        more = "" if self.assets <= len(self.sample_asset_ids) else ", ..."
        ids = ", ".join(map(str, self.sample_asset_ids))
        return f"{self.assets} asset(s): {self.reason} (asset ids {ids}{more})"


@dataclass(frozen=True)
class ProductOutcome:
    product_id: int
    product_code: str
    paid: bool
    new_orders: int = 0
    existing_orders: int = 0
    assets_moved: int = 0
    problems: list[Problem] = field(default_factory=list)

    def describe_problems(self) -> str:
        return "; ".join(problem.describe() for problem in self.problems)


@dataclass(frozen=True)
class MaturityPayback:
    maturity_date: date
    products: list[ProductOutcome]

    @property
    def paid(self) -> list[ProductOutcome]:
        return [p for p in self.products if p.paid]

    @property
    def unpaid(self) -> list[ProductOutcome]:
        return [p for p in self.products if not p.paid]

    @property
    def new_orders(self) -> int:
        return sum(p.new_orders for p in self.products)

    def to_xcom(self) -> dict:
        """Small: counts, product codes and at most ten asset ids per problem."""
        return {"maturity_date": self.maturity_date.isoformat(),
                "products": len(self.products), "paid": len(self.paid), "new_orders": self.new_orders,
                "existing_orders": sum(p.existing_orders for p in self.products),
                "unpaid": [{"product_id": p.product_id, "product_code": p.product_code,
                            "problems": [asdict(problem) for problem in p.problems],
                            "missing": p.describe_problems()} for p in self.unpaid]}


def maturing_products(conn, maturity_date: date) -> list[tuple[int, str]]:
    with conn.cursor() as cur:
        cur.execute(load_sql("payback/maturing_products.sql"), {"maturity_date": maturity_date})
        rows = cur.fetchall()
    conn.rollback()
    return [(int(pid), code) for pid, code in rows]


class _ChangedWhileWriting(Exception):
    """Rolls a product's transaction back: its writes did not match what the guard counted."""


def pay_product(conn, product_id: int, product_code: str, *, run_id: str) -> ProductOutcome:
    """Guard, write and move one product in one transaction (see the module docstring)."""
    params = {"product_id": product_id, "run_id": run_id}
    try:
        with transaction(conn) as cur:
            cur.execute(load_sql("payback/lock_product.sql"), params)
            cur.execute(load_sql("payback/holders.sql"), params)
            groups = cur.fetchall()
            problems = [Problem(holder_problem(status, has_sell), int(count), list(ids))
                        for status, has_sell, count, ids in groups if holder_problem(status, has_sell)]
            if problems:  # nothing was written; the commit only ends the read and the lock
                return ProductOutcome(product_id, product_code, paid=False, problems=problems)
            to_pay = sum(int(count) for status, _, count, _ in groups if status == "SELL_CONFIRMED")
            paid_before = sum(int(count) for status, _, count, _ in groups if status == "SELL_SUCCESS")
            cur.execute(load_sql("payback/insert_orders.sql"), params)
            new_orders = cur.rowcount
            cur.execute(load_sql("payback/mark_paid.sql"), params)
            moved = cur.rowcount
            if new_orders != to_pay or moved != to_pay:
                raise _ChangedWhileWriting(f"{new_orders} order(s) written and {moved} asset(s) moved for {to_pay} "
                                           "holder(s) to pay (changed by another writer); rolled back")
    except _ChangedWhileWriting as changed:
        return ProductOutcome(product_id, product_code, paid=False, problems=[Problem(str(changed), to_pay, [])])
    return ProductOutcome(product_id, product_code, paid=True, new_orders=new_orders,
                          existing_orders=paid_before, assets_moved=moved)


def pay_maturity_day(conn, maturity_date: date, *, run_id: str,
                     progress: Callable[[str], None] | None = None) -> MaturityPayback:
    """Every product maturing on the day, each in its own transaction; a product the guard stops does
    not stop the others."""
    say = progress or log.info
    products = maturing_products(conn, maturity_date)
    say(f"{len(products)} product(s) mature on {maturity_date}")
    outcomes = []
    for number, (product_id, code) in enumerate(products, start=1):
        outcome = pay_product(conn, product_id, code, run_id=run_id)
        outcomes.append(outcome)
        if outcome.paid:
            say(f"product {number}/{len(products)} {code}: {outcome.new_orders} new payback order(s), "
                f"{outcome.existing_orders} already written by an earlier run, {outcome.assets_moved} asset(s) "
                f"moved to SELL_SUCCESS")
        else:
            say(f"product {number}/{len(products)} {code}: NOT PAID, nothing written: {outcome.describe_problems()}")
    return MaturityPayback(maturity_date, outcomes)


@dataclass(frozen=True)
class SummaryRow:
    product_code: str
    destination: str
    orders: int
    principal_fen: int
    interest_fen: int
    boost_fen: int
    amount_fen: int


def summary_rows(conn, maturity_date: date) -> list[SummaryRow]:
    with conn.cursor() as cur:
        cur.execute(load_sql("payback/summary.sql"), {"maturity_date": maturity_date})
        rows = cur.fetchall()
    conn.rollback()
    return [SummaryRow(code, dest, int(n), *(to_fen(Decimal(v)) for v in money))
            for code, dest, n, *money in rows]
