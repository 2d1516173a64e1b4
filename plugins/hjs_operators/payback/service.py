"""Payback orders for a run's day, each product all or nothing.

The products are chosen by state, not by exact date (include/sql/payback/due_products.sql): every
product maturing on the run's day, and every product that matured before it and still has an unpaid
current holder, so the first run after an outage of any length pays the days it missed; never a
product maturing after the run's day. One statement (include/sql/payback/pay_products.sql) does a
product's whole work: it locks the product row; applies the guard (every current holder, not
LIQUIDATED, has a sell record and is SELL_CONFIRMED without an order, or SELL_SUCCESS with its order
from an earlier run, was not bought from an asset that is still a holder, and no origin chain of the
product loops); and for a product that passes writes every SELL_CONFIRMED holder's payback order
(INSERT ... SELECT ... ON CONFLICT DO NOTHING) and moves those holders to SELL_SUCCESS. A product the
guard stops is left out by the statement itself: nothing of it is written.

The statement takes PRODUCTS_PER_STATEMENT products at a time, in one transaction (the set-wise speed
of one statement, bench/README.md). Its per-product counts are then checked: the orders written and
the holders moved must equal the guard's count of SELL_CONFIRMED holders. If any product falls short
(another writer changed it in between, or a racing run got there first: a statement that waited for
a lock still reads its older snapshot) or the statement fails, the whole batch is rolled back. Every
product the batch did not pay is then taken on its own (pay_product): lock first, so the statement
after it sees a racing run's work; the same statement for that one product; the guard's problems
named with their asset ids (the caller fails the run at the end); a shortfall rolled back and
reported like a guard failure. A product is therefore paid completely or not at all, one product
never stops another, and a rerun writes and moves nothing.
"""

from __future__ import annotations

import functools
import logging
from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from datetime import date

import psycopg

from ..domain.payback import cycle_problem, holder_problem
from ..repository.db import transaction
from ..repository.sql_files import load_sql

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Problem:
    reason: str
    assets: int  # 0: the problem is the product's, not of named assets (its write failed)
    sample_asset_ids: list[int]

    def describe(self) -> str:
        if not self.assets:
            return self.reason
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


PRODUCTS_PER_STATEMENT = 100  # one statement pays this many products (20,000 orders at 200 holders)


class _ChangedWhileWriting(Exception):
    """Rolls a transaction back: its writes did not match what the guard counted."""


@dataclass(frozen=True)
class _Verdict:
    """One product's row of pay_products.sql: the guard's verdict and counts, and what the writes did."""
    product_id: int
    clean: bool
    to_pay: int
    paid_before: int
    new_orders: int
    moved: int
    sample_asset_ids: list[int]

    @property
    def written_as_counted(self) -> bool:
        return self.new_orders == self.to_pay and self.moved == self.to_pay


def _pay_products(cur, product_ids: list[int], run_id: str) -> dict[int, _Verdict]:
    # never a server-side prepared statement: a generic plan, blind to the products' array, was measured
    # 4x slower on a rerun at a million assets (bench/README.md); planning anew costs about a millisecond
    cur.execute(load_sql("payback/pay_products.sql"), {"product_ids": product_ids, "run_id": run_id}, prepare=False)
    return {int(row[0]): _Verdict(int(row[0]), row[1], *map(int, row[2:6]), list(row[6] or []))
            for row in cur.fetchall()}


def pay_product(conn, product_id: int, product_code: str, maturity_date: date, *, run_id: str) -> ProductOutcome:
    """Guard, write and move one product in one transaction (see the module docstring): the lock
    first, so that a racing run's work is seen by the statement after it."""
    params = {"product_id": product_id, "run_id": run_id}
    unpaid = functools.partial(ProductOutcome, product_id, product_code, maturity_date, False)
    try:
        with transaction(conn) as cur:
            cur.execute(load_sql("payback/lock_product.sql"), params)
            verdict = _pay_products(cur, [product_id], run_id)[product_id]
            if not verdict.clean:  # nothing was written; the commit only ends the read and the lock
                cur.execute(load_sql("payback/holders.sql"), params)
                groups = cur.fetchall()
                cur.execute(load_sql("payback/origin_cycles.sql"), params)
                return unpaid(problems=_problems(groups, cur.fetchall()))
            if not verdict.written_as_counted:
                raise _ChangedWhileWriting(
                    f"{verdict.new_orders} order(s) written and {verdict.moved} asset(s) moved for the "
                    "SELL_CONFIRMED holders to pay (changed by another writer); rolled back")
    except _ChangedWhileWriting as changed:
        return unpaid(problems=[Problem(str(changed), verdict.to_pay, verdict.sample_asset_ids)])
    except psycopg.DatabaseError as error:
        if conn.broken:  # not this product's fault: no other product could be written either
            raise
        return unpaid(problems=[Problem(f"the write failed and was rolled back: {error}", 0, [])])
    return _paid(verdict, product_code, maturity_date)


def _paid(verdict: _Verdict, product_code: str, maturity_date: date) -> ProductOutcome:
    return ProductOutcome(verdict.product_id, product_code, maturity_date, paid=True, new_orders=verdict.new_orders,
                          existing_orders=verdict.paid_before, assets_moved=verdict.moved)


def _pay_together(conn, products: list[tuple[int, str, date]], run_id: str) -> dict[int, ProductOutcome]:
    """Pay several products in one statement and one transaction; returns the products it paid. A
    product the guard stops is left out by the statement (nothing of it written) and is not returned;
    if any product's writes fall short of its count, or the statement fails, nothing is kept and none
    is returned: the caller then takes each product on its own (pay_product), which also waits for a
    racing run and names every problem."""
    try:
        with transaction(conn) as cur:
            verdicts = _pay_products(cur, [product_id for product_id, _, _ in products], run_id)
            if not all(v.written_as_counted for v in verdicts.values() if v.clean):
                raise _ChangedWhileWriting("writes short of the guard's counts")
    except (_ChangedWhileWriting, psycopg.DatabaseError) as reason:
        log.warning("%d product(s) paid together rolled back (%s); paying each on its own", len(products), reason)
        return {}
    return {product_id: _paid(verdicts[product_id], code, maturity) for product_id, code, maturity in products
            if product_id in verdicts and verdicts[product_id].clean}


def pay_maturity_day(conn, run_day: date, *, run_id: str,
                     progress: Callable[[str], None] | None = None) -> MaturityPayback:
    """Every product due by the run's day (due_products), each all or nothing, PRODUCTS_PER_STATEMENT
    at a time (see the module docstring); a product the guard stops does not stop the others."""
    say = progress or log.info
    products = due_products(conn, run_day)
    late = sorted({maturity for _, _, maturity in products if maturity < run_day})
    say(f"{len(products)} product(s) due on {run_day}" + (
        f", of them {sum(m < run_day for _, _, m in products)} LATE (matured {', '.join(map(str, late))})"
        if late else ""))
    outcomes: list[ProductOutcome] = []
    for start in range(0, len(products), PRODUCTS_PER_STATEMENT):
        together = products[start:start + PRODUCTS_PER_STATEMENT]
        paid = _pay_together(conn, together, run_id)
        for product_id, code, maturity in together:
            outcome = paid.get(product_id) or pay_product(conn, product_id, code, maturity, run_id=run_id)
            outcomes.append(outcome)
            where = f"product {len(outcomes)}/{len(products)} {code} (maturity {maturity})"
            if outcome.paid:
                say(f"{where}: {outcome.new_orders} new payback order(s), {outcome.existing_orders} already written "
                    f"by an earlier run, {outcome.assets_moved} asset(s) moved to SELL_SUCCESS")
            else:
                say(f"{where}: NOT PAID, nothing written: {outcome.describe_problems()}")
    return MaturityPayback(run_day, outcomes)
