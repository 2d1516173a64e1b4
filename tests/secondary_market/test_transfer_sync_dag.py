"""hjs_transfer_sync run by Airflow (dag.test) against the test zw, the sandbox over HTTP and an SMTP sink."""

from __future__ import annotations

from datetime import datetime, timedelta
from decimal import Decimal

import pytest

from hjs_operators.client import TransferCommand
from hjs_operators.domain.order_numbers import invest_order_no, transfer_no
from tests.fixtures.airflow_run import hjs_connection
from tests.secondary_market.helpers import AT, SHANGHAI, hjs_transfers_by_number, holders_at_hjs, rows, zw_state
from tests.zw_rows import add_asset, add_product

pytestmark = [pytest.mark.airflow, pytest.mark.postgres, pytest.mark.sandbox]

RUN = datetime(2026, 6, 2, 0, 30, tzinfo=SHANGHAI)  # the scheduled run of June 2nd: cutoff 00:30, reports June 1st


def task_states(run):
    return {ti.task_id: ti.state for ti in run.get_task_instances()}


def test_transfers_are_registered_exactly_once_under_faults_and_refusals_are_mailed(
        pipeline_env, run_dag, market, hjs, monkeypatch, zw_conn):
    _, sandbox, mailbox = pipeline_env
    # a read timeout below the sandbox's hang, so injected hangs are real client timeouts
    monkeypatch.setenv("AIRFLOW_CONN_HJS_DEFAULT", hjs_connection(sandbox.base_url, {"timeout": 1}))
    m = market(8)
    singles = [m.sell(asset, buyer_user=100 + n) for n, asset in enumerate(m.assets[:4])]
    ab = m.sell(m.assets[4], buyer_user=200)
    bc = m.sell(ab.buyer_asset_id, buyer_user=201, at=AT + timedelta(hours=3))
    refused = m.sell(m.assets[5], buyer_user=300)
    later = m.sell(m.assets[6], buyer_user=400, at=RUN + timedelta(hours=1))  # after the run's cutoff
    # at HJS, the holding of assets[5] went elsewhere: its zw transfer will be refused (1010)
    hjs.register_transfer(TransferCommand(
        transfer_no="FOREIGN2", product_code=m.product_code, order_no=invest_order_no(m.assets[5]),
        seller_asset_id=str(m.assets[5]), buyer_asset_id="888888", price=Decimal("1.00"), fee=Decimal("0.00")))
    sandbox.admin.set_faults(seed=11, error_rate=0.2, timeout_rate=0.1, hang_seconds=1.5,
                             drop_after_commit_rate=0.4, drop_mode="reset",
                             services=["transfer.register", "transfer.query"])

    states = []
    for _ in range(8):  # a failed run is rerun (cleared), as Airflow's retries or an operator would
        run = run_dag("hjs_transfer_sync", logical_date=RUN, retries=0)
        states.append(task_states(run))
        if run.state == "success":
            break
    assert run.state == "success", states
    sandbox.admin.clear_faults()
    # the faults did bite: answers lost after HJS committed were found by transfer.query, not re-sent
    assert rows(zw_conn, "SELECT count(*) FROM hjs_sync_attempt WHERE outcome = 'ALREADY_AT_HJS'")[0][0] >= 1

    expected = {transfer_no(t.liquidate_id) for t in (*singles, ab, bc)}
    at_hjs = hjs_transfers_by_number(sandbox)
    assert set(at_hjs) == expected | {"FOREIGN2"}
    assert all(len(items) == 1 for items in at_hjs.values())
    registered = dict(rows(zw_conn, "SELECT transfer_no, hjs_transfer_id FROM transfer_registration"))
    assert registered == {number: at_hjs[number][0]["hjsTransferId"] for number in expected}
    assert holders_at_hjs(sandbox, m.product_code)[invest_order_no(m.assets[4])] == str(bc.buyer_asset_id)
    assert transfer_no(later.liquidate_id) not in at_hjs  # made after the cutoff: tomorrow's run takes it
    assert rows(zw_conn, "SELECT reason_code FROM hjs_sync_attempt WHERE subject_id = %s AND kind = 'TRANSFER' "
                "AND outcome = 'BUSINESS_FAILURE'", (refused.liquidate_id,)) == [("1010",)]  # refused once, set aside

    messages = mailbox.messages()
    assert len(messages) == 1, [m["Subject"] for m in messages]
    mail = messages[0]
    assert mail["Subject"] == "[HJS transfer sync] 2026-06-01: 1 refused transfer(s) - fee report"
    body = mail.get_body(("html",)).get_content()
    assert transfer_no(refused.liquidate_id) in body and "1010" in body
    # fees of June 1st for channel HJS_T: 7 transfers of 10,100.00 at 0.2% = 20.20 each
    assert "<td>HJS_T</td><td>7</td><td align='right'>70700.00</td><td align='right'>141.40</td>" in body
    attachment = next(mail.iter_attachments())
    assert attachment.get_filename() == "transfer-fees-2026-06-01.csv"
    assert attachment.get_content().splitlines() == ["day,channel,transfers,volume,fees",
                                                      "2026-06-01,HJS_T,7,70700.00,141.40"]

    # the same day again (a rerun or a backfill): nothing registered, refused or mailed twice
    before = zw_state(zw_conn), sandbox.admin.transfers()
    run = run_dag("hjs_transfer_sync", logical_date=RUN, retries=0)
    assert run.state == "success", task_states(run)
    assert (zw_state(zw_conn), sandbox.admin.transfers()) == before
    assert len(mailbox.messages()) == 1


def test_the_holder_check_fails_the_run_naming_the_package(pipeline_env, run_dag, zw_conn):
    _, _, mailbox = pipeline_env
    product = add_product(zw_conn, channel="HJS_C")
    for user in range(1, 202):
        add_asset(zw_conn, product, shares=1, user_id=user)
    zw_conn.commit()
    (code,) = rows(zw_conn, "SELECT product_code FROM hjs_product WHERE id = %s", (product,))[0]

    run = run_dag("hjs_transfer_sync", logical_date=RUN, retries=0)

    assert run.state == "failed"
    assert task_states(run) == {"register_transfers": "success", "check_transfer_rules": "failed",
                                "send_report": "success"}
    from hjs_operators.secondary_market.checks import HolderLimitError, check_holder_limit

    with pytest.raises(HolderLimitError, match=f"package {code} "):
        check_holder_limit(zw_conn)
    # the day's report still went out, and operations were told which task failed, and why
    failures = [m for m in mailbox.messages() if m["Subject"].startswith("[HJS pipelines] FAILED")]
    assert len(mailbox.messages()) == 2 and len(failures) == 1
    assert "hjs_transfer_sync / check_transfer_rules" in failures[0]["Subject"]
    assert f"package {code}" in failures[0].get_body(("html",)).get_content()
