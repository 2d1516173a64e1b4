"""The console's queries against the real PostgreSQL, on hand-made rows whose stages, first holds and
decisions are known, so every figure the view shows is checked against a number worked out here."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest

from hjs_operators.console import queries
from hjs_operators.payback.service import pay_product
from hjs_operators.repository.db import transaction
from tests.console.rows import TODAY, ConsoleWorld, build_world
from tests.zw_rows import add_asset, add_boost, add_product, add_sell_record

pytestmark = pytest.mark.postgres


@pytest.fixture
def world(zw_conn) -> ConsoleWorld:
    return build_world(zw_conn)


def test_each_product_shows_its_stage_and_late_or_missed_days(zw_conn, world):
    rows = {p.product_code: p for p in queries.maturity_products(zw_conn, world.maturity, today=TODAY)}
    held, kept, settled, waiting = (rows[world.codes[k]] for k in ("held", "kept", "settled", "waiting"))
    assert (held.outcome, held.last_outcome, held.holders, held.principal) == ("held", "HOLD", 2, Decimal("20000.00"))
    assert (held.open_question_run, held.decision) == ("run-today", None)
    assert (kept.outcome, kept.decision, kept.decided_by, kept.comment) == (
        "kept", "KEEP_HOLDING", "anna", "HJS is checking asset 2")
    assert settled.outcome == "settled" and settled.notice_key == "notice-1" and settled.paid_at is None
    assert waiting.outcome is None and waiting.last_run_id is None
    # the T-3 day of TODAY + 3 is today: nobody is late yet, and a product not compared is not yet missed
    assert not any(p.late or p.missed for p in rows.values())
    later = {p.product_code: p for p in queries.maturity_products(zw_conn, world.maturity, today=date(2026, 11, 28))}
    assert later[world.codes["waiting"]].missed and later[world.codes["settled"]].missed  # matured, unpaid


def test_maturity_dates_count_products_per_stage(zw_conn, world):
    days = queries.maturity_dates(zw_conn, date(2026, 10, 1), date(2026, 12, 31), today=TODAY)
    by_date = {d.maturity_date: d for d in days}
    day = by_date[world.maturity]
    assert (day.products, day.compared, day.settled, day.held, day.kept, day.accepted, day.notice_sent) == (
        4, 3, 1, 1, 1, 0, 1)
    assert day.zw_total == Decimal("62700.00")  # held 20,900 + kept 10,450 + settled 31,350
    old = by_date[world.old_maturity]
    # one compared a day late, the other paid a month late; both paid in the end
    assert (old.products, old.accepted, old.settled, old.paid, old.late, old.missed) == (2, 1, 1, 2, 2, 0)


def test_the_exceptions_queue_ages_each_held_product_from_its_first_hold(zw_conn, world):
    items = queries.open_exceptions(zw_conn, TODAY)
    seen = {(i.product_code, i.cls, i.subject_key): i for i in items}
    held = seen[(world.codes["held"], "MISMATCH", "asset:1")]
    assert (held.age_days, held.age_bucket, held.lifecycle, held.diff) == (0, "0-1", "new", Decimal("0.07"))
    kept = seen[(world.codes["kept"], "MISSING_AT_HJS", "asset:2")]
    # first held 2026-11-14 06:30 Shanghai (2026-11-13 22:30 UTC): ten Shanghai days ago, held twice
    assert (kept.age_days, kept.age_bucket, kept.lifecycle, kept.holds) == (10, "8-30", "persisting", 2)
    assert (kept.decision, kept.decided_by, kept.open_question_run) == ("KEEP_HOLDING", "anna", None)  # answered
    accepted = seen[(world.codes["accepted"], "MISMATCH", "asset:3")]
    assert (accepted.lifecycle, accepted.age_days, accepted.age_bucket) == ("resolved", 33, ">30")
    assert accepted.decided_by == "ben"
    assert [i.lifecycle for i in items] == sorted((i.lifecycle for i in items), key=lambda x: x == "resolved")
    # a week later the accepted product has left the queue; the open ones have aged
    later = queries.open_exceptions(zw_conn, date(2026, 12, 1))
    assert world.codes["accepted"] not in {i.product_code for i in later}
    assert {i.age_days for i in later if i.product_code == world.codes["held"]} == {7}
    assert len(queries.open_exceptions(zw_conn, TODAY, limit=1)) == 1


@pytest.mark.parametrize(("days", "bucket"), [(0, "0-1"), (1, "0-1"), (2, "2-7"), (7, "2-7"), (8, "8-30"),
                                              (30, "8-30"), (31, ">30")])
def test_age_buckets(days, bucket):
    assert queries.age_bucket(days) == bucket


def test_difference_distribution_counts_assets_per_fen(zw_conn, world):
    counts = {(c.diff_fen, c.side): c.assets for c in queries.difference_distribution(zw_conn, world.maturity)}
    # settled product: two sell records 1 fen above HJS, one equal; held product: one asset 7 fen off
    assert counts == {(0, "settled"): 1, (1, "settled"): 2, (7, "held"): 1}


def test_daily_totals_split_funding_and_payback_per_destination(zw_conn, world):
    totals = {t.day: t for t in queries.daily_totals(zw_conn, date(2026, 10, 1), date(2026, 11, 30))}
    assert len(totals) == 61  # every day, zero where nothing matures
    assert totals[world.maturity].funded_balance == Decimal("20900.00")  # balance purchase + boosted card one
    assert totals[world.maturity].funded_card == Decimal("10450.00")
    old = totals[world.old_maturity]
    assert (old.paid_balance, old.paid_card) == (Decimal("10450.00"), Decimal("10450.00"))
    assert totals[date(2026, 10, 2)].funded_balance == 0


def test_a_paid_product_is_funded_by_the_same_figures_its_sell_records_gave(zw_conn):
    """daily_totals reads a paid product's funding from its payback orders (amount minus the boost, per
    destination) and an unpaid one's from its sell records: paying it with the real payback statement
    must not move the funded figures, and the boost shows only in what was paid."""
    maturity = date(2026, 11, 20)
    product = add_product(zw_conn, maturity_date=maturity, value_date=date(2025, 10, 1))
    balance = add_asset(zw_conn, product, status="SELL_CONFIRMED")
    boosted_card = add_asset(zw_conn, product, status="SELL_CONFIRMED", pay_method="CARD", card_id="C-7")
    add_boost(zw_conn, boosted_card, coupon="B7", extra_interest="37.50")  # paid with the balance payback
    card = add_asset(zw_conn, product, status="SELL_CONFIRMED", pay_method="CARD", card_id="C-8")
    for asset, interest in ((balance, "450.00"), (boosted_card, "450.01"), (card, "449.99")):
        add_sell_record(zw_conn, asset, interest=interest)
    zw_conn.commit()

    def totals():
        (day,) = queries.daily_totals(zw_conn, maturity, maturity)
        return day.funded_balance, day.funded_card, day.paid_balance, day.paid_card

    assert totals() == (Decimal("20900.01"), Decimal("10449.99"), 0, 0)
    with transaction(zw_conn) as cur:
        cur.execute("SELECT product_code FROM hjs_product WHERE id = %s", (product,))
        code = cur.fetchone()[0]
    assert pay_product(zw_conn, product, code, maturity, run_id="run-pay").paid
    assert totals() == (Decimal("20900.01"), Decimal("10449.99"), Decimal("20937.51"), Decimal("10449.99"))


def test_the_queue_keeps_a_product_settled_by_a_later_run_for_the_resolved_days(zw_conn, world):
    """Resolved by a later SETTLE result (not by an acceptance): shown as resolved from that day for
    `resolved_days`, then gone; the open ones stay either way."""
    with transaction(zw_conn) as cur:
        cur.execute("SELECT id FROM hjs_product WHERE product_code = %s", (world.codes["waiting"],))
        waiting = cur.fetchone()[0]
        cur.execute(
            "INSERT INTO trial_product_result (run_id, product_id, maturity_date, outcome, assets, matched, "
            "zw_total, hjs_total, drift, class_counts, compared_at) VALUES "
            "('run-hold', %(p)s, %(m)s, 'HOLD', 1, 0, 1, 0, 1, '{}', '2026-11-20 06:30+08'), "
            "('run-settle', %(p)s, %(m)s, 'SETTLE', 1, 1, 1, 1, 0, '{}', '2026-11-22 06:30+08')",
            {"p": waiting, "m": world.maturity})
        cur.execute("INSERT INTO reconciliation_exception (run_id, product_id, subject_key, class, diff) "
                    "VALUES ('run-hold', %s, 'asset:5', 'MISMATCH', 0.02)", (waiting,))
    code = world.codes["waiting"]
    (item,) = [i for i in queries.open_exceptions(zw_conn, TODAY) if i.product_code == code]
    assert (item.lifecycle, item.hold_run, item.age_days, item.diff) == ("resolved", "run-hold", 2, Decimal("0.02"))
    assert item.resolved_at.date() == date(2026, 11, 21)  # 06:30 Shanghai is the evening before in UTC
    assert code in {i.product_code for i in queries.open_exceptions(zw_conn, date(2026, 11, 29))}
    later = queries.open_exceptions(zw_conn, date(2026, 11, 30))
    assert code not in {i.product_code for i in later}
    assert world.codes["held"] in {i.product_code for i in later}


def test_the_queries_read_big_tables_by_index_only(zw_conn, world):
    """No sequential scan of asset, sell_record or reconciliation_exception, even where the planner
    would find one cheap on these few rows (as at 5,000,000 assets it would not)."""
    from psycopg import sql

    statements = {
        "stages": (sql.SQL(queries.load_sql("console/maturity_dates.sql")).format(stages=queries._stages_sql()),
                   queries._stage_params(date(2026, 10, 1), date(2026, 12, 31), TODAY, 3)),
        "holders": (queries.load_sql("console/maturity_holders.sql"), {"maturity_date": world.maturity}),
        "exceptions": (queries.load_sql("console/open_exceptions.sql"),
                       {"today": TODAY, "tz": queries.TZ, "limit": 10, "resolved_since": TODAY}),
        "distribution": (queries.load_sql("console/difference_distribution.sql"), {"maturity_date": world.maturity}),
        "totals": (queries.load_sql("console/daily_totals.sql"),
                   {"since": date(2026, 10, 1), "until": date(2026, 11, 30)}),
    }
    with transaction(zw_conn) as cur:
        cur.execute("SET LOCAL enable_seqscan = off")
        for name, (statement, params) in statements.items():
            cur.execute(sql.SQL("EXPLAIN ") + (statement if isinstance(statement, sql.Composable)
                                                else sql.SQL(statement)), params)
            plan = "\n".join(row[0] for row in cur.fetchall())
            for table in ("asset", "sell_record", "reconciliation_exception"):
                assert f"Seq Scan on {table} " not in plan, f"{name}:\n{plan}"
