"""The demo data obeys the domain rules and gives every pipeline work on the days around today."""

from __future__ import annotations

import subprocess
import sys
from datetime import date, timedelta
from decimal import Decimal

import pytest

from demo.generate import DemoSpec
from demo.load import DemoLoadError, check_foreign_keys, load
from hjs_operators.repository.sql_files import load_sql
from hjs_operators.trial import outcome, snapshot
from hjs_operators.trial.decisions import accept_zw_amounts, claim_questions

pytestmark = pytest.mark.postgres

TODAY = date(2026, 11, 24)
SPEC = DemoSpec(assets=3_000, seed=7, today=TODAY)


def rows(conn, sql, params=()):
    with conn.cursor() as cur:
        cur.execute(sql, params)
        return cur.fetchall()


@pytest.fixture
def demo(zw_conn):
    load(zw_conn, SPEC)
    return zw_conn


def test_packages_hold_at_most_200_shares_and_200_holders(demo):
    over = rows(demo, """
        SELECT p.product_code, sum(a.shares), count(DISTINCT a.user_id)
        FROM hjs_product p JOIN asset a ON a.product_id = p.id AND a.status <> 'LIQUIDATED'
        GROUP BY p.product_code
        HAVING sum(a.shares) > 200 OR count(DISTINCT a.user_id) > 200""")
    assert over == []
    not_full = rows(demo, """
        SELECT p.product_code FROM hjs_product p JOIN asset a ON a.product_id = p.id AND a.status <> 'LIQUIDATED'
        WHERE p.status = 'SOLD_OUT' GROUP BY p.product_code HAVING sum(a.shares) <> 200""")
    assert not_full == []


def test_one_package_on_sale_per_channel_and_pending_ones_behind_it(demo):
    assert rows(demo, "SELECT channel_code, count(*) FILTER (WHERE status = 'ON_SALE'), "
                      "count(*) FILTER (WHERE status = 'PENDING') FROM hjs_product GROUP BY 1 ORDER BY 1") == [
        (channel, 1, 2) for channel in ("HJS_A", "HJS_B", "HJS_C", "HJS_D")]
    assert rows(demo, "SELECT count(*) FROM asset a JOIN hjs_product p ON p.id = a.product_id "
                      "WHERE p.status = 'PENDING'") == [(0,)]


def test_every_pipeline_has_work_around_today(demo):
    def count(sql):
        return rows(demo, sql, {"today": TODAY})[0][0]

    assert count("SELECT count(*) FROM asset WHERE status = 'INVEST_START'") > 0
    assert count("SELECT count(DISTINCT channel_code) FROM hjs_product WHERE maturity_date = %(today)s + 3") == 4
    assert count("SELECT count(DISTINCT channel_code) FROM hjs_product WHERE maturity_date = %(today)s") == 4
    # maturing today: confirmed at T-3, so every current holder has a sell record
    assert count("""SELECT count(*) FROM asset a JOIN hjs_product p ON p.id = a.product_id
                    LEFT JOIN sell_record s ON s.asset_id = a.id
                    WHERE p.maturity_date = %(today)s AND s.id IS NULL""") == 0
    # transfers waiting to be registered, and the interface closed for packages inside T-3
    assert count("""SELECT count(*) FROM liquidate_asset l LEFT JOIN transfer_registration t
                    ON t.liquidate_id = l.id WHERE t.liquidate_id IS NULL""") > 0
    assert count("SELECT count(*) FROM hjs_product WHERE maturity_date < %(today)s + 3 AND transfer_open") == 0


def test_about_a_fifth_of_assets_carry_boosts_that_follow_the_rules(demo):
    boosted, total = rows(demo, "SELECT count(DISTINCT e.asset_id), (SELECT count(*) FROM asset) "
                                "FROM asset_extra_interest e")[0]
    assert 0.12 < boosted / total < 0.28
    assert rows(demo, "SELECT count(*) FROM asset_extra_interest e JOIN asset a ON a.id = e.asset_id "
                      "JOIN hjs_product p ON p.id = a.product_id "
                      "WHERE e.boost_days > p.maturity_date - p.value_date") == [(0,)]


def test_transfer_chains_resolve_to_one_current_holder(demo):
    # every LIQUIDATED asset was sold exactly once, and every buyer points back at its seller
    assert rows(demo, """SELECT count(*) FROM asset a LEFT JOIN liquidate_asset l ON l.seller_asset_id = a.id
                         WHERE a.status = 'LIQUIDATED' AND l.id IS NULL""") == [(0,)]
    assert rows(demo, """SELECT count(*) FROM liquidate_asset l JOIN asset b ON b.id = l.buyer_asset_id
                         WHERE b.origin_asset_id <> l.seller_asset_id""") == [(0,)]
    chains = rows(demo, """
        WITH RECURSIVE chain AS (
            SELECT a.id AS root, a.id AS holder, 0 AS hops FROM asset a WHERE a.origin_asset_id IS NULL
            UNION ALL
            SELECT c.root, b.id, c.hops + 1 FROM chain c JOIN asset b ON b.origin_asset_id = c.holder)
        SELECT root, max(hops), count(*) FILTER (WHERE a.status <> 'LIQUIDATED')
        FROM chain c JOIN asset a ON a.id = c.holder GROUP BY root""")
    assert all(current == 1 for _, _, current in chains)
    assert max(hops for _, hops, _ in chains) >= 2  # at least one A -> B -> C
    # a chain inside a package that today's T-3 trial reconciles
    assert rows(demo, """SELECT count(*) FROM asset c JOIN asset b ON b.id = c.origin_asset_id
                         JOIN asset a ON a.id = b.origin_asset_id JOIN hjs_product p ON p.id = c.product_id
                         WHERE p.maturity_date = %s""", (date(2026, 11, 27),))[0][0] >= 1


def test_fees_and_prices_are_exact_and_bounded(demo):
    assert rows(demo, """SELECT count(*) FROM liquidate_asset l JOIN asset s ON s.id = l.seller_asset_id
                         WHERE l.price < s.create_amount OR l.fee <> round(l.price * l.fee_rate, 2)""") == [(0,)]


def test_same_seed_same_data_and_foreign_keys_proven(demo, pg, test_stack):
    again = pg.ensure_database(test_stack.new_database_name("zw"), template="zw_template")
    conn = again.connect()
    try:
        load(conn, SPEC)
        digest = ("SELECT md5(string_agg(a::text, ',' ORDER BY a.id)) FROM asset a")
        assert rows(conn, digest) == rows(demo, digest)
        with conn.cursor() as cur:
            check_foreign_keys(cur)
    finally:
        conn.close()
        pg.drop_database(again.dbname)


def test_a_non_empty_zw_is_left_alone(demo):
    before = rows(demo, "SELECT count(*) FROM asset")
    with pytest.raises(DemoLoadError, match="empty zw"):
        load(demo, SPEC)
    assert rows(demo, "SELECT count(*) FROM asset") == before


def test_an_orphan_row_fails_the_foreign_key_proof(demo):
    with demo.cursor() as cur:
        cur.execute("SET session_replication_role = replica")
        cur.execute("INSERT INTO invest_record (asset_id, order_no, hjs_order_id, amount, accepted_at) "
                    "VALUES (987654321, 'ZWIORPHAN', 'H', 5000.00, now())")
        cur.execute("SET session_replication_role = origin")
        with pytest.raises(DemoLoadError, match="invest_record_asset_id_fkey"):
            check_foreign_keys(cur)
    demo.rollback()


def test_the_command_line_loads_an_empty_zw(zw_db):
    result = subprocess.run(
        [sys.executable, "-m", "demo", "--dsn", zw_db.dsn, "--assets", "500", "--today", "2026-11-24"],
        capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stderr
    assert "demo data loaded" in result.stderr
    conn = zw_db.connect()
    try:
        assert rows(conn, "SELECT count(*) > 400 FROM asset") == [(True,)]
    finally:
        conn.close()


def test_nothing_lies_in_the_demo_days_future(demo):
    # the pipelines never touch rows from after their run: the demo must not need them to
    start_of_today = "2026-11-24 00:00:00+08"
    assert rows(demo, """SELECT (SELECT count(*) FROM asset WHERE created_at >= %(t)s),
                                (SELECT count(*) FROM liquidate_asset WHERE transferred_at >= %(t)s),
                                (SELECT count(*) FROM invest_record WHERE accepted_at >= %(t)s)""",
                {"t": start_of_today}) == [(0, 0, 0)]


# --- what operators will meet: day counts, one-fen matches, history, the demo's two held products --------

def test_both_day_counts_and_interest_between_whole_fen_at_t3(demo):
    from hjs_operators.domain.interest import day_basis, term_days
    from hjs_operators.domain.money import to_fen
    from sandbox.money import truncated_interest_fen

    held = rows(demo, """SELECT p.day_count, a.create_amount, a.create_expected_interest, p.annual_rate,
                                p.value_date, p.maturity_date
                         FROM asset a JOIN hjs_product p ON p.id = a.product_id
                         WHERE p.maturity_date = %s AND a.status <> 'LIQUIDATED'""", (TODAY + timedelta(days=3),))
    assert {row[0] for row in held} == {"ACT/360", "ACT/365"}
    one_fen = [to_fen(interest) - truncated_interest_fen(to_fen(amount), rate, term_days(v, m), day_basis(dc))
               for dc, amount, interest, rate, v, m in held]
    assert set(one_fen) == {0, 1} and one_fen.count(1) >= 3  # HJS truncates, zw rounds half-up


def test_past_maturity_dates_were_reconciled_settled_and_paid(demo):
    from demo.generate import HISTORY_OFFSETS

    for offset in HISTORY_OFFSETS:
        day = TODAY + timedelta(days=offset)
        products, assets, paid, orders, announced, settled_at_t3 = rows(demo, """
            SELECT count(DISTINCT p.id), count(a.id), count(a.id) FILTER (WHERE a.status = 'SELL_SUCCESS'),
                   count(o.id), count(DISTINCT n.product_id), count(DISTINCT r.product_id)
            FROM hjs_product p JOIN asset a ON a.product_id = p.id
            LEFT JOIN payback_order o ON o.asset_id = a.id
            LEFT JOIN settlement_notice_product n ON n.product_id = p.id
            LEFT JOIN trial_product_result r ON r.product_id = p.id AND r.outcome = 'SETTLE'
            WHERE p.maturity_date = %s""", (day,))[0]
        # every holder paid; every product announced to HJS; one product held on -9 and on -6 days
        assert (products, paid, orders, announced) == (4, assets, assets, 4), day
        assert settled_at_t3 == (4 if offset == -12 else 3), day
        # each run is stamped with its own day: 06:30 for the trial three days before, 06:00 for the payback
        assert rows(demo, """SELECT DISTINCT (r.compared_at AT TIME ZONE 'Asia/Shanghai')::date
                             FROM trial_product_result r WHERE r.maturity_date = %s ORDER BY 1""", (day,))[0] == (
            day - timedelta(days=3),)
        assert rows(demo, """SELECT DISTINCT to_char(o.created_at AT TIME ZONE 'Asia/Shanghai', 'YYYY-MM-DD HH24')
                             FROM payback_order o JOIN hjs_product p ON p.id = o.product_id
                             WHERE p.maturity_date = %s""", (day,)) == [(f"{day} 06",)]


def test_history_holds_a_kept_then_accepted_mismatch_and_an_accepted_missing_asset(demo):
    history = rows(demo, """
        SELECT p.channel_code, p.maturity_date - %(today)s, e.class, e.diff, q.round, d.decision, d.decided_by
        FROM reconciliation_exception e JOIN hjs_product p ON p.id = e.product_id
        JOIN hold_question q ON q.product_id = p.id AND q.run_id = e.run_id
        JOIN hold_decision d ON d.product_id = p.id AND d.run_id = e.run_id
        ORDER BY p.maturity_date, q.round""", {"today": TODAY})
    assert history == [("HJS_C", -9, "MISMATCH", Decimal("-0.09"), 0, "KEEP_HOLDING", "ops.li"),
                       ("HJS_C", -9, "MISMATCH", Decimal("-0.09"), 1, "ACCEPT_ZW", "ops.wang"),
                       ("HJS_A", -6, "MISSING_AT_HJS", None, 0, "ACCEPT_ZW", "ops.li")]
    # the accepted products were announced by an addendum, and nobody is asked anything any more
    assert rows(demo, """SELECT count(*) FROM settlement_notice_product WHERE notice_key LIKE '%%:addendum:%%'""") == [
        (2,)]
    assert rows(demo, load_sql("stack/open_hold_questions.sql")) == []


def test_the_sql_oracle_agrees_with_the_paybacks_of_the_history(demo):
    from demo.generate import HISTORY_OFFSETS
    from tests.payback.helpers import ACTUAL_SQL, EXPECTED_SQL

    for offset in HISTORY_OFFSETS:
        day = {"day": TODAY + timedelta(days=offset)}
        expected = rows(demo, EXPECTED_SQL, day)
        assert expected and expected == rows(demo, ACTUAL_SQL, day)


@pytest.mark.sandbox
def test_the_stack_holds_two_t3_products_each_for_its_own_fault(zw_db, sandbox):
    from hjs_operators.trial.products import maturity_date_for, select_products
    from stack.sandbox_seed import demo_faults, inject_demo_faults, seed_sandbox, undecided
    from tests.client.helpers import make_client

    conn = zw_db.connect()
    try:
        load(conn, SPEC)
        faults = demo_faults(zw_db, TODAY)
        assert faults.skewed_product != faults.missing_product
        seed_sandbox(zw_db, sandbox.base_url, leave_out=frozenset([faults.missing_order]))
        inject_demo_faults(sandbox.base_url, faults)
        run = "manual__demo-faults"
        products = {p.id: p.product_code for p in select_products(conn, maturity_date_for(TODAY))}
        for product_id in products:
            conn.execute(load_sql("secondary_market/record_close_success.sql"), {
                "product_id": product_id, "product_code": products[product_id], "reason": "test", "run_id": run})
        conn.commit()
        with make_client(sandbox) as client:
            snapshot.fetch_products(conn, client, run_id=run, products=products)
        held = outcome.compare_and_record(conn, run, list(products), tolerance_fen=5, drift_per_asset_fen=1).hold
        exceptions = rows(conn, """SELECT p.product_code, e.class, e.order_no FROM reconciliation_exception e
                                   JOIN hjs_product p ON p.id = e.product_id WHERE e.run_id = %s ORDER BY 1""", (run,))
        assert len(held) == 2
        assert exceptions == [(faults.skewed_product, "MISMATCH", faults.skewed_order),
                              (faults.missing_product, "MISSING_AT_HJS", faults.missing_order)]
        # what `make run` says is undecided: the open questions, and nothing once each is answered
        claim_questions(conn, run, held)
        assert sorted(line.split()[0] for line in undecided(zw_db)) == sorted(
            [faults.skewed_product, faults.missing_product])
        for product_id in held:
            accept_zw_amounts(conn, product_id=product_id, run_id=run, decided_by="test", comment=None)
        assert undecided(zw_db) == [] and demo_faults(zw_db, TODAY) is None
    finally:
        conn.close()
