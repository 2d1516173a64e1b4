"""Payback orders written by the repository, against a real zw database (no Airflow)."""

from __future__ import annotations

from decimal import Decimal

import pytest

from hjs_operators.domain.money import to_fen
from hjs_operators.domain.payback import destination, payback_amounts
from hjs_operators.payback import pay_maturity_day, summary_rows
from hjs_operators.repository.db import transaction
from hjs_operators.repository.sql_files import load_sql
from tests.concurrency import at_once, blocked_then_released
from tests.payback.helpers import ACTUAL_SQL, EXPECTED_SQL, MATURITY, confirmed, fetch, orders_by_asset, statuses
from tests.write_interference import interfere_with_inserts
from tests.zw_rows import add_product

pytestmark = pytest.mark.postgres


def test_card_balance_boosted_and_transferred_holders_get_the_right_orders(zw_conn, day):
    result = pay_maturity_day(zw_conn, MATURITY, run_id="r1")

    assert [p.product_code for p in result.paid] and [p.product_id for p in result.paid] == [day.paid_product]
    assert orders_by_asset(zw_conn) == {
        day.card: ("10000.00", "450.00", "0.00", "10450.00", "CARD", "CARD0001", "SELL_SUCCESS"),
        day.balance: ("10000.00", "450.00", "0.00", "10450.00", "BALANCE", None, "SELL_SUCCESS"),
        # two boosts merged into ONE balance payback, although bought by card
        day.boosted_card: ("10000.00", "450.00", "116.44", "10566.44", "BALANCE", None, "SELL_SUCCESS"),
        # the current holder of a transferred asset, paid the way it bought; the sellers never
        day.holder: ("10000.00", "450.00", "0.00", "10450.00", "CARD", "CARD0006", "SELL_SUCCESS"),
    }
    after = statuses(zw_conn)
    assert {after[a] for a in (day.card, day.balance, day.boosted_card, day.holder)} == {"SELL_SUCCESS"}
    assert after[day.seller] == after[day.middle] == "LIQUIDATED"
    assert after[day.later] == "SELL_CONFIRMED"  # matures tomorrow: untouched
    assert fetch(zw_conn, EXPECTED_SQL, {"day": MATURITY}) == fetch(zw_conn, ACTUAL_SQL, {"day": MATURITY})


def test_every_order_follows_the_domain_rules(zw_conn, day):
    pay_maturity_day(zw_conn, MATURITY, run_id="r1")
    rows = fetch(zw_conn, """
        SELECT a.pay_method, a.card_id, s.principal, s.interest,
               ARRAY(SELECT e.extra_interest FROM asset_extra_interest e WHERE e.asset_id = a.id),
               p.principal, p.interest, p.boost_interest, p.amount, p.destination, p.card_id
        FROM payback_order p JOIN asset a ON a.id = p.asset_id JOIN sell_record s ON s.id = p.sell_record_id""")
    assert len(rows) == 4
    for pay_method, card_id, principal, interest, boosts, *written in rows:
        amounts = payback_amounts(to_fen(principal), to_fen(interest), [to_fen(b) for b in boosts])
        where = destination(pay_method, card_id, amounts.boost_fen)
        assert [to_fen(v) for v in written[:4]] == [amounts.principal_fen, amounts.interest_fen, amounts.boost_fen,
                                                  amounts.amount_fen]
        assert (written[4], written[5]) == (where.kind, where.card_id)


def test_a_missing_sell_record_blocks_its_product_only_and_names_it(zw_conn, day):
    result = pay_maturity_day(zw_conn, MATURITY, run_id="r1")

    [blocked] = result.unpaid
    assert blocked.product_id == day.blocked_product
    [problem] = blocked.problems
    assert problem.assets == 1 and problem.sample_asset_ids == [day.blocked_missing]
    assert "no sell record" in problem.reason and "T-3" in problem.reason
    assert str(day.blocked_missing) in blocked.describe_problems()
    assert fetch(zw_conn, "SELECT count(*) FROM payback_order WHERE product_id = %s", (day.blocked_product,)) == [(0,)]
    assert statuses(zw_conn)[day.blocked_ready] == "SELL_CONFIRMED"  # not a partial payout
    assert result.to_xcom()["unpaid"][0]["product_code"] == blocked.product_code


def test_a_rerun_writes_and_moves_nothing_and_says_so(zw_conn, day):
    first = pay_maturity_day(zw_conn, MATURITY, run_id="r1")
    before = orders_by_asset(zw_conn)
    again = pay_maturity_day(zw_conn, MATURITY, run_id="r2")

    assert first.new_orders == 4 and again.new_orders == 0
    [paid] = again.paid
    assert (paid.new_orders, paid.existing_orders, paid.assets_moved) == (0, 4, 0)
    assert orders_by_asset(zw_conn) == before
    assert fetch(zw_conn, "SELECT DISTINCT run_id FROM payback_order") == [("r1",)]


def test_an_order_written_by_someone_else_rolls_its_product_back(zw_conn, day):
    """The writes must match what the guard counted: a stray order for a holder that is still
    SELL_CONFIRMED makes the insert come out one short, and nothing of that product stays written."""
    with transaction(zw_conn) as cur:
        cur.execute("INSERT INTO payback_order (asset_id, sell_record_id, product_id, user_id, principal, interest, "
                    "amount, destination) SELECT a.id, s.id, a.product_id, a.user_id, s.principal, s.interest, "
                    "s.amount, 'BALANCE' FROM asset a JOIN sell_record s ON s.asset_id = a.id WHERE a.id = %s",
                    (day.balance,))
    result = pay_maturity_day(zw_conn, MATURITY, run_id="r1")

    [stopped] = [p for p in result.unpaid if p.product_id == day.paid_product]
    [problem] = stopped.problems
    assert "another writer" in problem.reason and problem.sample_asset_ids == [day.balance]
    assert fetch(zw_conn, "SELECT asset_id FROM payback_order WHERE product_id = %s", (day.paid_product,)) == [
        (day.balance,)]  # only the stray order: the run's own writes were rolled back
    assert statuses(zw_conn)[day.card] == "SELL_CONFIRMED"


def test_once_the_sell_record_exists_the_blocked_product_is_paid_by_a_rerun(zw_conn, day):
    pay_maturity_day(zw_conn, MATURITY, run_id="r1")
    with transaction(zw_conn) as cur:  # the T-3 trial catches up on the missing asset
        cur.execute("UPDATE asset SET status = 'SELL_CONFIRMED' WHERE id = %s", (day.blocked_missing,))
        cur.execute("INSERT INTO sell_record (asset_id, product_id, principal, interest, amount) "
                    "SELECT id, product_id, 10000, 450, 10450 FROM asset WHERE id = %s", (day.blocked_missing,))
    again = pay_maturity_day(zw_conn, MATURITY, run_id="r2")
    assert again.unpaid == [] and again.new_orders == 2
    assert fetch(zw_conn, EXPECTED_SQL, {"day": MATURITY}) == fetch(zw_conn, ACTUAL_SQL, {"day": MATURITY})


def test_two_runs_at_once_write_each_order_once(zw_db, day):
    def run(name):
        conn = zw_db.connect()
        try:
            return pay_maturity_day(conn, MATURITY, run_id=name)
        finally:
            conn.close()

    results, errors = at_once(run, ["r0", "r1"])
    assert errors == []
    assert sorted(r.new_orders for r in results) == [0, 4]
    conn = zw_db.connect()
    try:
        assert fetch(conn, "SELECT count(*) FROM payback_order") == [(4,)]
    finally:
        conn.close()


def test_summary_rows_per_product_and_destination(zw_conn, day):
    pay_maturity_day(zw_conn, MATURITY, run_id="r1")
    rows = summary_rows(zw_conn, [day.paid_product])
    assert [(r.destination, r.orders, r.amount_fen, r.boost_fen) for r in rows] == [
        ("BALANCE", 2, to_fen(Decimal("10450.00")) + to_fen(Decimal("10566.44")), 11644),
        ("CARD", 2, 2 * 1045000, 0)]


def test_the_demo_days_products_are_paid_in_full(zw_conn):
    from demo.generate import DemoSpec
    from demo.load import load

    load(zw_conn, DemoSpec(assets=2000, seed=11, today=MATURITY))
    result = pay_maturity_day(zw_conn, MATURITY, run_id="r1")
    assert len(result.products) == 4 and result.unpaid == []  # one package per channel matures today
    holders = fetch(zw_conn, "SELECT count(*) FROM asset a JOIN hjs_product h ON h.id = a.product_id "
                             "WHERE h.maturity_date = %s AND a.status <> 'LIQUIDATED'", (MATURITY,))[0][0]
    assert result.new_orders == holders > 0
    assert fetch(zw_conn, EXPECTED_SQL, {"day": MATURITY}) == fetch(zw_conn, ACTUAL_SQL, {"day": MATURITY})
    destinations = {row[0] for row in fetch(zw_conn, "SELECT DISTINCT destination FROM payback_order")}
    assert destinations == {"CARD", "BALANCE"}
    assert fetch(zw_conn, "SELECT count(*) FROM payback_order WHERE boost_interest > 0")[0][0] > 0


def test_a_product_whose_orders_fall_short_is_rolled_back_whole_and_the_others_are_paid(zw_conn, day):
    """The day's products are paid by one statement; one product's orders come out short (another
    writer drops one), so the statement is rolled back and each product is taken on its own: the
    short one is reported and nothing of it stays, the others are paid."""
    other = add_product(zw_conn, maturity_date=MATURITY)
    ready = confirmed(zw_conn, other, user_id=21)
    zw_conn.commit()
    interfere_with_inserts(zw_conn, "payback_order", day.balance)

    result = pay_maturity_day(zw_conn, MATURITY, run_id="r1")

    assert [p.product_id for p in result.paid] == [other]
    [short] = [p for p in result.unpaid if p.product_id == day.paid_product]
    [problem] = short.problems
    assert "another writer" in problem.reason and "rolled back" in problem.reason
    assert problem.sample_asset_ids == sorted([day.card, day.balance, day.boosted_card, day.holder])
    assert fetch(zw_conn, "SELECT count(*) FROM payback_order WHERE product_id = %s", (day.paid_product,)) == [(0,)]
    after = statuses(zw_conn)
    assert after[day.card] == after[day.holder] == "SELL_CONFIRMED" and after[ready] == "SELL_SUCCESS"


def test_a_product_whose_write_fails_is_reported_and_the_others_are_paid(zw_conn, day):
    other = add_product(zw_conn, maturity_date=MATURITY)
    confirmed(zw_conn, other, user_id=21)
    zw_conn.commit()
    interfere_with_inserts(zw_conn, "payback_order", day.balance, refuse=True)

    result = pay_maturity_day(zw_conn, MATURITY, run_id="r1")

    assert [p.product_id for p in result.paid] == [other]
    [failed] = [p for p in result.unpaid if p.product_id == day.paid_product]
    assert "the write failed and was rolled back" in failed.describe_problems()
    assert f"refused by the test for asset {day.balance}" in failed.describe_problems()
    assert fetch(zw_conn, "SELECT count(*) FROM payback_order WHERE product_id = %s", (day.paid_product,)) == [(0,)]


def test_a_run_that_waited_for_another_runs_lock_counts_the_product_as_paid(zw_db, day):
    """The second run's statement waits for the first run's product lock, then reads its own older
    snapshot: its writes come out short, so it is rolled back and the product taken on its own, which
    sees the first run's orders: paid by the earlier run, nothing written twice, no problem reported."""
    first, second, watcher = zw_db.connect(), zw_db.connect(), zw_db.connect()
    try:
        with first.cursor() as cur:  # the first run, between its writes and its commit
            cur.execute(load_sql("payback/lock_product.sql"), {"product_id": day.paid_product})
            cur.execute(load_sql("payback/pay_products.sql"), {"product_ids": [day.paid_product], "run_id": "r0"})
        result = blocked_then_released(lambda: pay_maturity_day(second, MATURITY, run_id="r1"), first.commit, watcher)
        [paid] = result.paid
        assert (paid.product_id, paid.new_orders, paid.existing_orders) == (day.paid_product, 0, 4)
        assert [p.product_id for p in result.unpaid] == [day.blocked_product]
        assert fetch(watcher, "SELECT DISTINCT run_id, count(*) FROM payback_order GROUP BY run_id") == [("r0", 4)]
    finally:
        for conn in (first, second, watcher):
            conn.close()
