"""Decisions on held products against real PostgreSQL: atomic, unique per product and maturity date, one
question per round, and refused (nothing written) where zw itself cannot give an amount."""

from __future__ import annotations

import psycopg
import pytest

from hjs_operators.trial.decisions import (
    ACCEPT_ZW,
    KEEP_HOLDING,
    DecisionRefused,
    accept_zw_amounts,
    claim_questions,
    keep_holding,
)
from tests.concurrency import at_once
from tests.trial.conftest import T3, t3_products

pytestmark = [pytest.mark.postgres, pytest.mark.sandbox]


@pytest.fixture
def held(world):
    """A T-3 product of the demo (held or not does not matter to the decision itself) and a connection."""
    conn = world.zw_db.connect()
    product_id, _code = t3_products(conn)[0]
    yield conn, product_id
    conn.close()


def rows(conn, sql, params=()):
    with conn.cursor() as cur:
        cur.execute(sql, params)
        result = cur.fetchall() if cur.description else None
    conn.commit()
    return result


def holders(conn, product_id):
    return rows(conn, "SELECT id FROM asset WHERE product_id = %s AND status <> 'LIQUIDATED' ORDER BY id",
                (product_id,))


def roots(conn, product_id, n=2):
    return [r[0] for r in rows(conn, "SELECT id FROM asset WHERE product_id = %s AND origin_asset_id IS NULL "
                                     "AND status = 'INVEST_SUCCESS' ORDER BY id LIMIT %s", (product_id, n))]


def test_accept_sells_every_current_holder_and_records_the_decision_once(held):
    conn, product = held
    applied = accept_zw_amounts(conn, product_id=product, run_id="run-a", decided_by="anna", comment=None)
    assert applied.recorded_now and applied.decision.decision == ACCEPT_ZW
    assert rows(conn, "SELECT asset_id FROM sell_record WHERE product_id = %s ORDER BY asset_id",
                (product,)) == holders(conn, product)
    assert rows(conn, "SELECT DISTINCT status FROM asset WHERE product_id = %s AND status <> 'LIQUIDATED'",
                (product,)) == [("SELL_CONFIRMED",)]
    before = rows(conn, "SELECT id FROM sell_record ORDER BY id")

    # a second acceptance (another run's question, a retry) and a late "keep" change nothing
    again = accept_zw_amounts(conn, product_id=product, run_id="run-b", decided_by="bob", comment=None)
    late_keep = keep_holding(conn, product_id=product, run_id="run-c", decided_by="carl", comment=None)
    for answer in (again, late_keep):
        assert not answer.recorded_now and (answer.decision.decided_by, answer.decision.run_id) == ("anna", "run-a")
    assert rows(conn, "SELECT id FROM sell_record ORDER BY id") == before
    assert rows(conn, "SELECT decision, run_id FROM hold_decision WHERE product_id = %s",
                (product,)) == [(ACCEPT_ZW, "run-a")]


def test_the_database_allows_one_acceptance_per_product_and_maturity_date(held):
    conn, product = held
    insert = ("INSERT INTO hold_decision (product_id, maturity_date, run_id, decision, decided_by) "
              "VALUES (%s, %s, %s, 'ACCEPT_ZW', 'x')")
    rows(conn, "SELECT 1")
    with conn.cursor() as cur:
        cur.execute(insert, (product, T3, "run-a"))
        with pytest.raises(psycopg.errors.UniqueViolation):
            cur.execute(insert, (product, T3, "run-b"))
    conn.rollback()


def test_two_runs_accepting_at_once_sell_once(world, held):
    conn, product = held

    def accept(run_id):
        own = world.zw_db.connect()
        try:
            return accept_zw_amounts(own, product_id=product, run_id=run_id, decided_by=run_id, comment=None)
        finally:
            own.close()

    results, errors = at_once(accept, ["run-a", "run-b"])
    assert errors == []
    assert sorted(r.recorded_now for r in results) == [False, True]
    assert rows(conn, "SELECT count(*) FROM hold_decision WHERE product_id = %s", (product,)) == [(1,)]
    assert rows(conn, "SELECT count(*) = count(DISTINCT asset_id) FROM sell_record WHERE product_id = %s",
                (product,)) == [(True,)]


@pytest.mark.parametrize("defect", ["null-interest", "origin-cycle"])
def test_accept_is_refused_with_the_asset_and_nothing_is_written(held, defect):
    conn, product = held
    first, second = roots(conn, product)
    if defect == "null-interest":
        rows(conn, "UPDATE asset SET create_expected_interest = NULL WHERE id = %s", (second,))
        named = [f"asset {second}", "create_expected_interest is NULL"]
    else:  # two subscriptions pointing at each other: neither reaches a subscribing asset
        rows(conn, "UPDATE asset SET origin_asset_id = %s WHERE id = %s", (second, first))
        rows(conn, "UPDATE asset SET origin_asset_id = %s WHERE id = %s", (first, second))
        named = [f"{first} -> {second} -> {first}", "is a cycle"]
    before = rows(conn, "SELECT id, status FROM asset WHERE product_id = %s ORDER BY id", (product,))

    with pytest.raises(DecisionRefused) as refused:
        accept_zw_amounts(conn, product_id=product, run_id="run-a", decided_by="anna", comment=None)
    assert all(text in str(refused.value) for text in named), str(refused.value)
    assert rows(conn, "SELECT count(*) FROM sell_record WHERE product_id = %s", (product,)) == [(0,)]
    assert rows(conn, "SELECT count(*) FROM hold_decision WHERE product_id = %s", (product,)) == [(0,)]
    assert rows(conn, "SELECT id, status FROM asset WHERE product_id = %s ORDER BY id", (product,)) == before


def test_one_question_per_round_whichever_runs_hold_the_product(held):
    conn, product = held
    assert claim_questions(conn, "run-a", [product]).asked == [product]
    assert claim_questions(conn, "run-a", [product]).asked == [product]  # the same run again (a cleared task)
    other = claim_questions(conn, "run-b", [product])
    assert other.asked == [] and other.open_elsewhere[product][0] == "run-a"

    kept = keep_holding(conn, product_id=product, run_id="run-a", decided_by="anna", comment="ask HJS")
    assert kept.recorded_now and kept.decision.decision == KEEP_HOLDING
    assert claim_questions(conn, "run-b", [product]).asked == [product]  # the next round
    assert claim_questions(conn, "run-c", [product]).asked == []

    accept_zw_amounts(conn, product_id=product, run_id="run-b", decided_by="bob", comment=None)
    assert product in claim_questions(conn, "run-d", [product]).accepted
    assert rows(conn, "SELECT decision FROM hold_decision WHERE product_id = %s ORDER BY id",
                (product,)) == [(KEEP_HOLDING,), (ACCEPT_ZW,)]


def test_an_unanswered_question_is_taken_over_after_its_timeout(held):
    conn, product = held
    claim_questions(conn, "run-a", [product])
    rows(conn, "UPDATE hold_question SET asked_at = now() - interval '3 days'")
    assert claim_questions(conn, "run-b", [product]).asked == [product]
