"""Package rollover and the compliance check against the real PostgreSQL, including racing runs."""

from __future__ import annotations

import threading
import time

import pytest

from hjs_operators.rollover import PackageComplianceError, check_compliance, roll_over, roll_over_channel
from tests.zw_rows import add_asset, add_product

pytestmark = [pytest.mark.postgres]


def statuses(conn, channel: str = "HJS_T") -> dict[int, str]:
    conn.rollback()
    with conn.cursor() as cur:
        cur.execute("SELECT sequence_no, status FROM hjs_product WHERE channel_code = %s ORDER BY sequence_no",
                    (channel,))
        rows = dict(cur.fetchall())
    conn.commit()
    return rows


def channel_of_three(conn, channel: str = "HJS_T") -> list[int]:
    ids = [add_product(conn, channel=channel, sequence=1, status="ON_SALE"),
           add_product(conn, channel=channel, sequence=2, status="PENDING"),
           add_product(conn, channel=channel, sequence=3, status="PENDING")]
    conn.commit()
    return ids


def sell(conn, product_id: int, shares: int, *, status: str = "INVEST_START", user_id: int = 1) -> int:
    asset_id = add_asset(conn, product_id, shares=shares, status=status, user_id=user_id)
    conn.commit()
    return asset_id


def code_of(conn, product_id: int) -> str:
    with conn.cursor() as cur:
        cur.execute("SELECT product_code FROM hjs_product WHERE id = %s", (product_id,))
        return cur.fetchone()[0]


def test_rolls_over_exactly_when_the_package_sells_out(zw_conn):
    first, second, _ = channel_of_three(zw_conn)
    sell(zw_conn, first, 150, status="INVEST_SUCCESS")
    sell(zw_conn, first, 49)
    assert roll_over(zw_conn)[0].sold_out is None  # 199 of 200
    assert statuses(zw_conn) == {1: "ON_SALE", 2: "PENDING", 3: "PENDING"}
    sell(zw_conn, first, 1)  # the 200th share, still INVEST_START: sold all the same
    result = roll_over(zw_conn)[0]
    assert (result.sold_out, result.opened) == (code_of(zw_conn, first), code_of(zw_conn, second))
    assert statuses(zw_conn) == {1: "SOLD_OUT", 2: "ON_SALE", 3: "PENDING"}
    assert roll_over(zw_conn)[0].opened is None  # a rerun changes nothing
    assert statuses(zw_conn) == {1: "SOLD_OUT", 2: "ON_SALE", 3: "PENDING"}


def test_a_transferred_asset_is_counted_once_at_its_buyer(zw_conn):
    first, _, _ = channel_of_three(zw_conn)
    sell(zw_conn, first, 100, status="INVEST_SUCCESS")
    seller = sell(zw_conn, first, 99, status="INVEST_SUCCESS")
    with zw_conn.cursor() as cur:
        cur.execute("UPDATE asset SET status = 'LIQUIDATED' WHERE id = %s", (seller,))
    add_asset(zw_conn, first, shares=99, status="INVEST_SUCCESS", origin=seller, user_id=2)
    zw_conn.commit()
    roll_over(zw_conn)
    assert statuses(zw_conn)[1] == "ON_SALE"  # 199 held, not 298
    sell(zw_conn, first, 1)
    roll_over(zw_conn)
    assert statuses(zw_conn) == {1: "SOLD_OUT", 2: "ON_SALE", 3: "PENDING"}


def test_two_racing_runs_never_open_two_packages(zw_db, zw_conn):
    first, _, _ = channel_of_three(zw_conn)
    sell(zw_conn, first, 200)
    start = threading.Barrier(6)
    errors: list[BaseException] = []

    def run() -> None:
        conn = zw_db.connect()
        try:
            start.wait()
            for _ in range(5):
                roll_over(conn)
        except BaseException as exc:  # collected for the assertion below
            errors.append(exc)
        finally:
            conn.close()

    threads = [threading.Thread(target=run) for _ in range(6)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(60)
    assert errors == []
    assert statuses(zw_conn) == {1: "SOLD_OUT", 2: "ON_SALE", 3: "PENDING"}


def test_a_writer_bypassing_the_lock_meets_the_unique_index_and_nothing_is_half_done(zw_db, zw_conn):
    add_product(zw_conn, sequence=1, status="SOLD_OUT")
    add_product(zw_conn, sequence=2, status="PENDING")
    zw_conn.commit()
    rogue = zw_db.connect()  # inserts a package straight ON_SALE, without the channel lock; not committed yet
    add_product(rogue, sequence=3, status="ON_SALE")
    results = []
    ours = zw_db.connect()
    with ours.cursor() as cur:
        cur.execute("SELECT pg_backend_pid()")
        our_pid = cur.fetchone()[0]
    ours.commit()
    thread = threading.Thread(target=lambda: results.append(roll_over_channel(ours, "HJS_T")))
    thread.start()
    watcher = zw_db.connect()
    watcher.autocommit = True
    with watcher.cursor() as cur:  # wait until our rollover waits on the rogue's index entry
        for _ in range(600):
            cur.execute("SELECT wait_event_type FROM pg_stat_activity WHERE pid = %s", (our_pid,))
            if cur.fetchone()[0] == "Lock":
                break
            time.sleep(0.05)
    rogue.commit()
    thread.join(30)
    for conn in (rogue, ours, watcher):
        conn.close()
    assert results and results[0].conflict and "nothing changed" in results[0].conflict
    assert statuses(zw_conn) == {1: "SOLD_OUT", 2: "PENDING", 3: "ON_SALE"}  # ours rolled back whole


def test_the_compliance_check_names_the_package(zw_conn):
    good = add_product(zw_conn, channel="HJS_T", sequence=1, status="SOLD_OUT")
    bad = add_product(zw_conn, channel="HJS_T", sequence=2, status="SOLD_OUT")
    crowded = add_product(zw_conn, channel="HJS_T", sequence=3, status="SOLD_OUT", share_amount="1000.00")
    sell(zw_conn, good, 200)
    sell(zw_conn, bad, 150)
    sell(zw_conn, bad, 51, user_id=2)
    for user in range(201):  # 1000 shares of 1,000.00: room for the shares, not for the people
        add_asset(zw_conn, crowded, shares=1, status="INVEST_SUCCESS", user_id=user + 1, interest="90.00")
    zw_conn.commit()
    with pytest.raises(PackageComplianceError) as failure:
        check_compliance(zw_conn)
    message = str(failure.value)
    assert "2 package(s)" in message
    codes = {row for row in message.split() if row.startswith("TEST")}
    assert len(codes) == 2
    assert "201 shares held of 200" in message and "201 holders (at most 200)" in message
