"""Hand-made zw rows for the console's query tests: products at every stage, with known first holds,
decisions and payback days (times Asia/Shanghai, +08)."""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import date

from hjs_operators.repository.db import transaction
from tests.zw_rows import add_asset, add_boost, add_product

TODAY = date(2026, 11, 24)
MATURITY = date(2026, 11, 27)  # today's T-3
OLD_MATURITY = date(2026, 10, 23)


@dataclass(frozen=True)
class ConsoleWorld:
    maturity: date
    old_maturity: date
    codes: dict[str, str]  # role -> product code


def _code(cur, product_id: int) -> str:
    cur.execute("SELECT product_code FROM hjs_product WHERE id = %s", (product_id,))
    return cur.fetchone()[0]


def _result(cur, run_id: str, product_id: int, maturity: date, outcome: str, at: str, zw_total: str,
            hjs_total: str) -> None:
    cur.execute(
        "INSERT INTO trial_product_result (run_id, product_id, maturity_date, outcome, assets, matched, zw_total, "
        "hjs_total, drift, max_abs_diff, class_counts, compared_at) "
        "VALUES (%s, %s, %s, %s, 1, 0, %s, %s, 0, 0, %s, %s)",
        (run_id, product_id, maturity, outcome, zw_total, hjs_total, json.dumps({}), at))


def _exception(cur, run_id: str, product_id: int, cls: str, subject: str, zw: str | None, hjs: str | None,
               diff: str | None) -> None:
    cur.execute(
        "INSERT INTO reconciliation_exception (run_id, product_id, subject_key, class, zw_amount, hjs_amount, diff) "
        "VALUES (%s, %s, %s, %s, %s, %s, %s)", (run_id, product_id, subject, cls, zw, hjs, diff))


def _sell(cur, asset_id: int, hjs_amount: str, run_id: str = "run-today") -> int:
    cur.execute(
        "INSERT INTO sell_record (asset_id, product_id, principal, interest, amount, hjs_amount, run_id) "
        "SELECT id, product_id, create_amount, 450.00, create_amount + 450.00, %s, %s FROM asset WHERE id = %s "
        "RETURNING id", (hjs_amount, run_id, asset_id))
    return cur.fetchone()[0]


def _payback(cur, asset_id: int, sell_id: int, destination: str, card: str | None, at: str) -> None:
    cur.execute(
        "INSERT INTO payback_order (asset_id, sell_record_id, product_id, user_id, principal, interest, amount, "
        "destination, card_id, created_at) SELECT a.id, %s, a.product_id, a.user_id, a.create_amount, 450.00, "
        "a.create_amount + 450.00, %s, %s, %s FROM asset a WHERE a.id = %s", (sell_id, destination, card, at, asset_id))


def _decision(cur, product_id: int, maturity: date, run_id: str, decision: str, who: str, comment: str | None,
              at: str) -> None:
    cur.execute(
        "INSERT INTO hold_decision (product_id, maturity_date, run_id, decision, decided_by, comment, decided_at) "
        "VALUES (%s, %s, %s, %s, %s, %s, %s)", (product_id, maturity, run_id, decision, who, comment, at))


def _question(cur, product_id: int, maturity: date, round_: int, run_id: str) -> None:
    cur.execute("INSERT INTO hold_question (product_id, maturity_date, round, run_id) VALUES (%s, %s, %s, %s)",
                (product_id, maturity, round_, run_id))


def build_world(conn) -> ConsoleWorld:
    ids = {}
    for role, maturity in (("held", MATURITY), ("kept", MATURITY), ("settled", MATURITY), ("waiting", MATURITY),
                           ("accepted", OLD_MATURITY), ("paid", OLD_MATURITY)):
        ids[role] = add_product(conn, maturity_date=maturity, value_date=date(2025, 10, 1))
    held_assets = [add_asset(conn, ids["held"]) for _ in range(2)]
    kept_asset = add_asset(conn, ids["kept"])
    balance = add_asset(conn, ids["settled"])
    boosted_card = add_asset(conn, ids["settled"], pay_method="CARD", card_id="C-1")
    add_boost(conn, boosted_card, coupon="B1")
    card = add_asset(conn, ids["settled"], pay_method="CARD", card_id="C-2")
    add_asset(conn, ids["waiting"])
    add_asset(conn, ids["waiting"], status="LIQUIDATED")  # sold on: not a holder any more
    accepted_asset = add_asset(conn, ids["accepted"], pay_method="CARD", card_id="C-3", status="SELL_SUCCESS")
    paid_asset = add_asset(conn, ids["paid"], status="SELL_SUCCESS")
    with transaction(conn) as cur:
        today = "2026-11-24 06:30+08"
        _result(cur, "run-today", ids["held"], MATURITY, "HOLD", today, "20900.00", "20899.93")
        _exception(cur, "run-today", ids["held"], "MISMATCH", "asset:1", "10450.00", "10449.93", "0.07")
        _question(cur, ids["held"], MATURITY, 0, "run-today")
        # kept: first held ten days ago (an early run), held again today and answered "keep holding"
        _result(cur, "run-early", ids["kept"], MATURITY, "HOLD", "2026-11-14 06:30+08", "10450.00", "0.00")
        _exception(cur, "run-early", ids["kept"], "MISMATCH", "asset:9", "10450.00", "10000.00", "450.00")
        _result(cur, "run-today", ids["kept"], MATURITY, "HOLD", today, "10450.00", "0.00")
        _exception(cur, "run-today", ids["kept"], "MISSING_AT_HJS", "asset:2", "10450.00", None, None)
        _question(cur, ids["kept"], MATURITY, 0, "run-early")
        _decision(cur, ids["kept"], MATURITY, "run-early", "KEEP_HOLDING", "anna", "first look", "2026-11-15 09:00+08")
        _question(cur, ids["kept"], MATURITY, 1, "run-today")
        _decision(cur, ids["kept"], MATURITY, "run-today", "KEEP_HOLDING", "anna", "HJS is checking asset 2",
                  "2026-11-24 09:00+08")
        _result(cur, "run-today", ids["settled"], MATURITY, "SETTLE", today, "31350.00", "31349.98")
        _sell(cur, balance, "10449.99")
        _sell(cur, boosted_card, "10449.99")
        _sell(cur, card, "10450.00")
        cur.execute("INSERT INTO notice_sent (notice_key, kind, recipients, subject) "
                    "VALUES ('notice-1', 'settlement', 'hjs@example', 'notice')")
        cur.execute("INSERT INTO settlement_notice_product (product_id, maturity_date, notice_key) "
                    "VALUES (%s, %s, 'notice-1')", (ids["settled"], MATURITY))
        # accepted: held on its T-3 day 35 days ago, accepted two days ago, paid (late) yesterday
        _result(cur, "run-oct", ids["accepted"], OLD_MATURITY, "HOLD", "2026-10-20 06:30+08", "10450.00", "10000.00")
        _exception(cur, "run-oct", ids["accepted"], "MISMATCH", "asset:3", "10450.00", "10000.00", "450.00")
        _question(cur, ids["accepted"], OLD_MATURITY, 0, "run-oct")
        _decision(cur, ids["accepted"], OLD_MATURITY, "run-oct", "ACCEPT_ZW", "ben", None, "2026-11-22 10:00+08")
        _payback(cur, accepted_asset, _sell(cur, accepted_asset, "10000.00", "run-oct"), "CARD", "C-3",
                 "2026-11-23 06:00+08")
        # paid: compared a day after its T-3 day (late), paid on its maturity day
        _result(cur, "run-oct-late", ids["paid"], OLD_MATURITY, "SETTLE", "2026-10-21 06:30+08", "10450.00",
                "10450.00")
        _payback(cur, paid_asset, _sell(cur, paid_asset, "10450.00", "run-oct-late"), "BALANCE", None,
                 "2026-10-23 06:00+08")
        codes = {role: _code(cur, product_id) for role, product_id in ids.items()}
    assert held_assets and kept_asset
    return ConsoleWorld(MATURITY, OLD_MATURITY, codes)
