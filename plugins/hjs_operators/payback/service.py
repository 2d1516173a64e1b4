"""Payback orders for a run's day, one transaction per product.

The products are chosen by state, not by exact date (include/sql/payback/due_products.sql): every
product maturing on the run's day, and every product that matured before it and still has an unpaid
current holder, so the first run after an outage of any length pays the days it missed; never a
product maturing after the run's day. For each product:
1. lock the product row (a racing rerun of the same product waits, then writes nothing);
2. the guard: every current holder (not LIQUIDATED) has a sell record and is SELL_CONFIRMED without an
   order (or SELL_SUCCESS with its order from an earlier run), was not bought from an asset that is
   still a holder, and no origin chain of the product loops; if not, nothing is written for the
   product, and each problem is reported with its asset ids (the caller fails the run at the end);
3. one INSERT ... SELECT ... ON CONFLICT DO NOTHING writes every holder's payback order set-wise;
4. one UPDATE moves SELL_CONFIRMED holders that have an order to SELL_SUCCESS;
5. the two row counts must equal the guard's count of SELL_CONFIRMED holders (anything another writer
   changed in between rolls the product back and reports it like a guard failure);
6. commit.
A product is therefore paid completely or not at all, and a rerun writes and moves nothing.
"""

from __future__ import annotations

import functools
import logging
from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from datetime import date

from ..domain.payback import cycle_problem, holder_problem
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


def _problems(groups: list[tuple], cycles: list[tuple]) -> list[Problem]:
    problems = [Problem(cycle_problem(list(ids)), len(ids), list(ids)[:10]) for (ids,) in cycles]
    for status, has_sell, has_order, origin_status, count, ids in groups:
        reason = holder_problem(status, has_sell, has_order, origin_status)
        if reason:
            problems.append(Problem(reason, int(count), list(ids)))
    return problems


@dataclass(frozen=True)
class ProductOutcome:
    product_id: int
    product_code: str
    maturity_date: date
    paid: bool
    new_orders: int = 0
    existing_orders: int = 0
    assets_moved: int = 0
    problems: list[Problem] = field(default_factory=list)

    def describe_problems(self) -> str:
        return "; ".join(problem.describe() for problem in self.problems)


@dataclass(frozen=True)
class MaturityPayback:
    run_day: date
    products: list[ProductOutcome]

    @property
    def late(self) -> list[ProductOutcome]:
        """Products that matured before the run's day: their own day's run was missed or stopped."""
        return [p for p in self.products if p.maturity_date < self.run_day]

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
        """Small: counts, product ids and codes, and at most ten asset ids per problem."""
        def product(p: ProductOutcome) -> dict:
            return {"product_id": p.product_id, "product_code": p.product_code,
                    "maturity_date": p.maturity_date.isoformat(),
                    "days_late": (self.run_day - p.maturity_date).days, "paid": p.paid, "new_orders": p.new_orders}

        return {"run_day": self.run_day.isoformat(),
                "products": len(self.products), "paid": len(self.paid), "new_orders": self.new_orders,
                "existing_orders": sum(p.existing_orders for p in self.products),
                "paid_product_ids": [p.product_id for p in self.paid],
                "late": [product(p) for p in self.late],
                "unpaid": [product(p) | {"problems": [asdict(problem) for problem in p.problems],
                                         "missing": p.describe_problems()} for p in self.unpaid]}


def due_products(conn, run_day: date) -> list[tuple[int, str, date]]:
    """(id, code, maturity date) of every product a run of `run_day` works on (see the module docstring)."""
    with transaction(conn) as cur:
        cur.execute(load_sql("payback/due_products.sql"), {"run_day": run_day})
        rows = cur.fetchall()
    return [(int(pid), code, maturity) for pid, code, maturity in rows]


def due_unpaid_products(conn, run_day: date) -> list[tuple[int, str, date]]:
    """(id, code, maturity date) of the products due by `run_day` that still have an unpaid holder."""
    with transaction(conn) as cur:
        cur.execute(load_sql("payback/due_unpaid_products.sql"), {"run_day": run_day})
        rows = cur.fetchall()
    return [(int(pid), code, maturity) for pid, code, maturity in rows]


class _ChangedWhileWriting(Exception):
    """Rolls a product's transaction back: its writes did not match what the guard counted."""


def pay_product(conn, product_id: int, product_code: str, maturity_date: date, *, run_id: str) -> ProductOutcome:
    """Guard, write and move one product in one transaction (see the module docstring)."""
    params = {"product_id": product_id, "run_id": run_id}
    unpaid = functools.partial(ProductOutcome, product_id, product_code, maturity_date, False)
    try:
        with transaction(conn) as cur:
            cur.execute(load_sql("payback/lock_product.sql"), params)
            cur.execute(load_sql("payback/holders.sql"), params)
            groups = cur.fetchall()
            cur.execute(load_sql("payback/origin_cycles.sql"), params)
            problems = _problems(groups, cur.fetchall())
            if problems:  # nothing was written; the commit only ends the read and the lock
                return unpaid(problems=problems)
            ready = [(int(count), list(ids)) for status, _, _, _, count, ids in groups if status == "SELL_CONFIRMED"]
            to_pay = sum(count for count, _ in ready)
            paid_before = sum(int(row[4]) for row in groups if row[0] == "SELL_SUCCESS")
            cur.execute(load_sql("payback/insert_orders.sql"), params)
            new_orders = cur.rowcount
            cur.execute(load_sql("payback/mark_paid.sql"), params)
            moved = cur.rowcount
            if new_orders != to_pay or moved != to_pay:
                raise _ChangedWhileWriting(f"{new_orders} order(s) written and {moved} asset(s) moved for the "
                                           "SELL_CONFIRMED holders to pay (changed by another writer); rolled back")
    except _ChangedWhileWriting as changed:
        ids = sorted(i for _, sample in ready for i in sample)[:10]
        return unpaid(problems=[Problem(str(changed), to_pay, ids)])
    return ProductOutcome(product_id, product_code, maturity_date, paid=True, new_orders=new_orders,
                          existing_orders=paid_before, assets_moved=moved)


def pay_maturity_day(conn, run_day: date, *, run_id: str,
                     progress: Callable[[str], None] | None = None) -> MaturityPayback:
    """Every product due by the run's day (due_products), each in its own transaction; a product the
    guard stops does not stop the others."""
    say = progress or log.info
    products = due_products(conn, run_day)
    late = sorted({maturity for _, _, maturity in products if maturity < run_day})
    say(f"{len(products)} product(s) due on {run_day}" + (
        f", of them {sum(m < run_day for _, _, m in products)} LATE (matured {', '.join(map(str, late))})"
        if late else ""))
    outcomes = []
    for number, (product_id, code, maturity) in enumerate(products, start=1):
        outcome = pay_product(conn, product_id, code, maturity, run_id=run_id)
        outcomes.append(outcome)
        where = f"product {number}/{len(products)} {code} (maturity {maturity})"
        if outcome.paid:
            say(f"{where}: {outcome.new_orders} new payback order(s), {outcome.existing_orders} already written by "
                f"an earlier run, {outcome.assets_moved} asset(s) moved to SELL_SUCCESS")
        else:
            say(f"{where}: NOT PAID, nothing written: {outcome.describe_problems()}")
    return MaturityPayback(run_day, outcomes)
