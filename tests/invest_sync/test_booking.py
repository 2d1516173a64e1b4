"""The Booker against a real zw database: groups booked whole, a bad asset set aside alone, counts
taken only once written, and a zw failure stopping it loudly."""

from __future__ import annotations

import threading
from datetime import datetime

import pytest

from hjs_operators.domain.order_numbers import invest_order_no
from hjs_operators.invest_sync.booking import ZW_CONFLICT, Attempt, Booker
from hjs_operators.invest_sync.repository import Booking
from tests.invest_sync.helpers import SHANGHAI, attempts, zw_state
from tests.zw_rows import add_asset, add_product

pytestmark = [pytest.mark.postgres]

ACCEPTED = datetime(2026, 11, 24, 12, 0, tzinfo=SHANGHAI)


def booking(asset_id: int, *, already: bool = False) -> Booking:
    return Booking(asset_id=asset_id, order_no=invest_order_no(asset_id), hjs_order_id=f"H{asset_id}",
                   accepted_at=ACCEPTED, already_at_hjs=already)


def make_assets(conn, count: int) -> list[int]:
    product_id = add_product(conn)
    ids = [add_asset(conn, product_id, status="INVEST_START", user_id=100 + n) for n in range(count)]
    conn.commit()
    return ids


def counting():
    counted: list[tuple[str, str | None]] = []
    lock = threading.Lock()

    def count(outcome: str, key: str | None) -> None:
        with lock:
            counted.append((outcome, key))

    return counted, count


def test_a_group_is_booked_in_one_go_and_counted_once_written(zw_conn, zw_db):
    ids = make_assets(zw_conn, 5)
    counted, count = counting()
    # a long linger: every hand-over lands in one group, which close() books
    with Booker(connect=zw_db.connect, run_id="run-b", counted=count, linger=30.0) as booker:
        for asset_id in ids[:4]:
            booker.book(booking(asset_id, already=asset_id == ids[0]))
        booker.fail(Attempt(ids[4], invest_order_no(ids[4]), "BUSINESS_FAILURE", "1009", "quota", "1009 QUOTA"))
        assert counted == []  # nothing counted before it is written
    assert sorted(counted) == sorted([("already_at_hjs", None), ("subscribed", None), ("subscribed", None),
                                      ("subscribed", None), ("failed", "1009 QUOTA")])
    state = zw_state(zw_conn)
    assert state["half_written"] == 0
    assert [state["statuses"][a] for a in ids] == ["INVEST_SUCCESS"] * 4 + ["INVEST_START"]
    assert state["records"] == [(a, invest_order_no(a)) for a in ids[:4]]
    rows = {(subject, outcome, code) for subject, outcome, code, _reason, run_id in attempts(zw_conn)}
    assert rows == {(ids[0], "ALREADY_AT_HJS", None), *((a, "SUCCESS", None) for a in ids[1:4]),
                    (ids[4], "BUSINESS_FAILURE", "1009")}


def test_a_bad_asset_is_set_aside_and_the_rest_of_its_group_is_booked(zw_conn, zw_db):
    ids = make_assets(zw_conn, 4)
    bad, done = ids[1], ids[2]
    with zw_conn.cursor() as cur:  # bad data: an invest record for an asset still INVEST_START
        cur.execute("INSERT INTO invest_record (asset_id, order_no, hjs_order_id, amount, accepted_at) "
                    "VALUES (%s, %s, 'OLD', 10000.00, now())", (bad, invest_order_no(bad)))
        cur.execute("UPDATE asset SET status = 'INVEST_SUCCESS', updated_at = now() WHERE id = %s", (done,))
        cur.execute("INSERT INTO invest_record (asset_id, order_no, hjs_order_id, amount, accepted_at) "
                    "VALUES (%s, %s, 'EARLIER', 10000.00, now())", (done, invest_order_no(done)))
    zw_conn.commit()
    counted, count = counting()
    with Booker(connect=zw_db.connect, run_id="run-b", counted=count, linger=30.0) as booker:
        for asset_id in ids:
            booker.book(booking(asset_id))
    assert sorted(counted, key=str) == sorted([("subscribed", None), ("subscribed", None),
                                               ("failed", ZW_CONFLICT), ("already_booked", None)], key=str)
    statuses = zw_state(zw_conn)["statuses"]
    assert [statuses[a] for a in ids] == ["INVEST_SUCCESS", "INVEST_START", "INVEST_SUCCESS", "INVEST_SUCCESS"]
    rows = [(subject, outcome, code) for subject, outcome, code, *_ in attempts(zw_conn)]
    assert sorted(rows, key=str) == sorted([(ids[0], "SUCCESS", None), (bad, "BUSINESS_FAILURE", ZW_CONFLICT),
                                            (ids[3], "SUCCESS", None)], key=str)


def test_a_zw_failure_stops_the_booker_and_is_raised(zw_conn, zw_db):
    ids = make_assets(zw_conn, 2)
    counted, count = counting()
    booker = Booker(connect=zw_db.connect, run_id="run-b", counted=count, linger=0.0)
    booker.book(Booking(asset_id=ids[0], order_no=invest_order_no(ids[0]), hjs_order_id="H",
                        accepted_at=None, already_at_hjs=False))  # NOT NULL violated: not a conflict
    with pytest.raises(Exception) as raised:
        booker.close()
    assert "accepted_at" in str(raised.value)
    assert booker.broken and counted == []
    assert zw_state(zw_conn)["half_written"] == 0
    assert set(zw_state(zw_conn)["statuses"].values()) == {"INVEST_START"}
