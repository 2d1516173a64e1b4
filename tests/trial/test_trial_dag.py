"""The T-3 trial DAG run by Airflow (dag.test) against real PostgreSQL, the sandbox and an SMTP sink."""

from __future__ import annotations

import csv
import io
from decimal import Decimal

import pendulum
import pytest

from hjs_operators.domain.order_numbers import invest_order_no
from tests.trial.conftest import T3, TODAY
from tests.trial.hitl import run_answering

pytestmark = [pytest.mark.postgres, pytest.mark.sandbox, pytest.mark.airflow]

DAG_ID = "hjs_trial_reconciliation"
LOGICAL = pendulum.datetime(TODAY.year, TODAY.month, TODAY.day, 6, 30, tz="Asia/Shanghai")


def query(zw_db, sql, params=()):
    conn = zw_db.connect()
    try:
        with conn.cursor() as cur:
            cur.execute(sql, params)
            return cur.fetchall()
    finally:
        conn.close()


def t3_ids(zw_db):
    return [r[0] for r in query(zw_db, "SELECT id FROM hjs_product WHERE maturity_date = %s ORDER BY id", (T3,))]


def current_holders(zw_db, product_ids):
    return query(zw_db, "SELECT id FROM asset WHERE product_id = ANY(%s) AND status <> 'LIQUIDATED' ORDER BY id",
                 (product_ids,))


def settlement_mails(mailbox):
    return [m for m in mailbox.messages() if m["Subject"].startswith("zw settlement for maturity date")]


def csv_totals(message):
    for part in message.iter_attachments():
        if part.get_filename().startswith("zw-settlement-"):
            rows = list(csv.reader(io.StringIO(part.get_content() if isinstance(part.get_content(), str)
                                               else part.get_content().decode())))
            total = next(r for r in rows if r[0] == "TOTAL")
            return Decimal(total[2]), Decimal(total[3]), rows
    raise AssertionError("no settlement CSV attached")


def test_all_match_sells_everything_and_notifies_once(trial_env, run_dag):
    zw_db, sandbox, mailbox, reports = trial_env
    ids = t3_ids(zw_db)
    holders = current_holders(zw_db, ids)
    run = run_dag(DAG_ID, logical_date=LOGICAL, retries=0)
    assert run.state == "success"

    sold = query(zw_db, "SELECT asset_id FROM sell_record WHERE product_id = ANY(%s) ORDER BY asset_id", (ids,))
    assert sold == holders
    # transfers were closed at HJS and on zw before the amounts were fetched
    assert query(zw_db, "SELECT bool_or(transfer_open) FROM hjs_product WHERE id = ANY(%s)", (ids,)) == [(False,)]
    closed = {p["productCode"]: p for p in sandbox.admin.products()}
    codes = [r[0] for r in query(zw_db, "SELECT product_code FROM hjs_product WHERE id = ANY(%s)", (ids,))]
    assert all(closed[c]["transferOpen"] is False for c in codes)
    # some assets differ by one fen (HJS truncates) and still matched
    assert query(zw_db, "SELECT count(*) > 0 FROM sell_record WHERE product_id = ANY(%s) AND amount <> hjs_amount",
                 (ids,)) == [(True,)]

    mails = settlement_mails(mailbox)
    assert len(mails) == 1
    balance, card, _rows = csv_totals(mails[0])
    [(sql_balance, sql_card)] = query(zw_db, """
        SELECT sum(s.principal + s.interest) FILTER (WHERE a.pay_method = 'BALANCE' OR EXISTS (
                   SELECT 1 FROM asset_extra_interest e WHERE e.asset_id = a.id)),
               sum(s.principal + s.interest) FILTER (WHERE a.pay_method = 'CARD' AND NOT EXISTS (
                   SELECT 1 FROM asset_extra_interest e WHERE e.asset_id = a.id))
        FROM sell_record s JOIN asset a ON a.id = s.asset_id JOIN hjs_product p ON p.id = s.product_id
        WHERE p.maturity_date = %s""", (T3,))
    assert (balance, card) == (sql_balance, sql_card)
    assert balance > 0 and card > 0
    # the report is kept where operators can open it
    html = list(reports.rglob("report.html"))
    assert len(html) == 1 and "MATCH" in html[0].read_text()

    # a rerun and a backfill of the same date change nothing and send no second notice
    before = query(zw_db, "SELECT id, asset_id, amount, run_id FROM sell_record ORDER BY id")
    assert run_dag(DAG_ID, logical_date=LOGICAL.add(minutes=1), retries=0).state == "success"
    assert query(zw_db, "SELECT id, asset_id, amount, run_id FROM sell_record ORDER BY id") == before
    assert len(settlement_mails(mailbox)) == 1
    # unless asked to
    assert run_dag(DAG_ID, logical_date=LOGICAL.add(minutes=2),
                   conf={"resend_settlement_notice": True}, retries=0).state == "success"
    assert len(settlement_mails(mailbox)) == 2
    assert query(zw_db, "SELECT id, asset_id, amount, run_id FROM sell_record ORDER BY id") == before


def test_transferred_asset_reconciles_to_its_current_holder(trial_env, run_dag):
    zw_db, sandbox, mailbox, _reports = trial_env
    ids = t3_ids(zw_db)
    # the demo's A -> B -> C chain in a T-3 product, with transfers not yet registered at HJS
    chains = query(zw_db, """
        SELECT a.id, c.id FROM asset a JOIN asset b ON b.origin_asset_id = a.id JOIN asset c ON c.origin_asset_id = b.id
        WHERE a.product_id = ANY(%s)""", (ids,))
    assert chains, "the demo has an A -> B -> C chain in a T-3 product"
    pending = query(zw_db, """SELECT count(*) FROM liquidate_asset l JOIN asset a ON a.id = l.seller_asset_id
        WHERE a.product_id = ANY(%s) AND NOT EXISTS (SELECT 1 FROM transfer_registration t
        WHERE t.liquidate_id = l.id)""", (ids,))[0][0]
    assert run_dag(DAG_ID, logical_date=LOGICAL, retries=0).state == "success"
    for root, holder in chains:
        assert query(zw_db, "SELECT count(*) FROM sell_record WHERE asset_id = %s", (holder,)) == [(1,)]
        assert query(zw_db, "SELECT count(*) FROM sell_record WHERE asset_id = %s", (root,)) == [(0,)]
        subs = {s["orderNo"]: s for s in sandbox.admin.subscriptions()}
        assert subs[invest_order_no(root)]["holderAssetId"] == str(holder)
    if pending:  # registered by the close step before the amounts were fetched
        assert query(zw_db, """SELECT count(*) FROM liquidate_asset l JOIN asset a ON a.id = l.seller_asset_id
            WHERE a.product_id = ANY(%s) AND NOT EXISTS (SELECT 1 FROM transfer_registration t
            WHERE t.liquidate_id = l.id)""", (ids,)) == [(0,)]


def test_skewed_asset_holds_its_product_until_a_person_accepts(trial_env, run_dag):
    from hjs_operators.trial.questions import ACCEPT

    zw_db, sandbox, mailbox, _reports = trial_env
    ids = t3_ids(zw_db)
    held_product = ids[1]
    [(skewed,)] = query(zw_db, "SELECT min(id) FROM asset WHERE product_id = %s AND origin_asset_id IS NULL "
                               "AND status = 'INVEST_SUCCESS'", (held_product,))
    sandbox.admin.set_faults(skew={invest_order_no(skewed): 700})

    def look(run_id):
        return {
            "sold_products": {r[0] for r in query(
                zw_db, "SELECT DISTINCT product_id FROM sell_record WHERE product_id = ANY(%s)", (ids,))},
            "messages": mailbox.messages(),
            "exceptions": query(zw_db, "SELECT class, asset_id, zw_amount, hjs_amount, diff FROM "
                                       "reconciliation_exception WHERE run_id = %s", (run_id,))}

    run, seen = run_answering(run_dag, LOGICAL, ACCEPT, "HJS confirmed zw's figure by phone", look)
    assert run.state == "success"
    # while the held product waited, the others were settled and HJS was told
    assert seen["waiting"] == 1
    assert seen["sold_products"] == set(ids) - {held_product}
    assert len([m for m in seen["messages"] if m["Subject"].startswith("zw settlement for maturity date")]) == 1
    alerts = [m for m in seen["messages"] if "held" in m["Subject"]]
    assert len(alerts) == 1 and any(p.get_filename().endswith("report.html") for p in alerts[0].iter_attachments())
    [(cls, asset_id, zw_amount, hjs_amount, diff)] = seen["exceptions"]
    assert (cls, asset_id, diff) == ("MISMATCH", skewed, Decimal("-7.00")) and zw_amount - hjs_amount == diff

    assert query(zw_db, "SELECT decision, decided_by, comment FROM hold_decision WHERE product_id = %s",
                 (held_product,)) == [("ACCEPT_ZW", "anna", "HJS confirmed zw's figure by phone")]
    holders = current_holders(zw_db, [held_product])
    assert query(zw_db, "SELECT asset_id FROM sell_record WHERE product_id = %s ORDER BY asset_id",
                 (held_product,)) == holders
    [(amount, hjs_amount)] = query(zw_db, "SELECT amount, hjs_amount FROM sell_record WHERE asset_id = %s",
                                   (skewed,))
    assert amount - hjs_amount == Decimal("-7.00")  # zw's amount, HJS's kept beside it
    addenda = [m for m in mailbox.messages() if m["Subject"].startswith("zw settlement addendum")]
    assert len(addenda) == 1
