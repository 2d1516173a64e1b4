"""The T-3 trial on a bad day, run by Airflow against real PostgreSQL, the sandbox and an SMTP sink:
missed days, products HJS answers badly, a decision a person takes on a product zw cannot price."""

from __future__ import annotations

from datetime import timedelta

import pendulum
import pytest

from hjs_operators.domain.order_numbers import invest_order_no
from hjs_operators.repository.db import transaction
from tests.fixtures.outage import scheduled_after_outage
from tests.trial.conftest import T3, TODAY, load_world
from tests.trial.hitl import run_answering
from tests.trial.test_trial_dag import DAG_ID, LOGICAL, current_holders, query, t3_ids

pytestmark = [pytest.mark.postgres, pytest.mark.sandbox, pytest.mark.airflow]

SHANGHAI = "Asia/Shanghai"


def at(day: int, hour: int = 7) -> pendulum.DateTime:
    return pendulum.datetime(TODAY.year, TODAY.month, day, hour, 0, tz=SHANGHAI)


def subjects(mailbox, start: str) -> list:
    return [m for m in mailbox.messages() if m["Subject"].startswith(start)]


@pytest.mark.parametrize(("back_on", "days_missed"), [(25, 1), (27, 3)], ids=["outage-1-day", "outage-3-days"])
def test_missed_t3_days_are_reconciled_by_the_runs_the_scheduler_makes_next(trial_env, run_dag, project_dags,
                                                                              back_on, days_missed):
    zw_db, _sandbox, mailbox, _reports = trial_env
    # the last run was the T-3 run of 11-23; the scheduler was down from 11-24 (T-3 day of the 11-27 products)
    runs = scheduled_after_outage(project_dags[DAG_ID], at(23, 6).add(minutes=30), at(back_on))
    assert [r.in_timezone(SHANGHAI).day for r in runs] == [back_on]  # catchup is off: the missed days get no run
    late_ids = t3_ids(zw_db)
    later = query(zw_db, "SELECT id FROM hjs_product WHERE maturity_date > %s", (at(back_on).date().add(days=3),))

    for logical in runs:
        assert run_dag(DAG_ID, logical_date=logical, retries=0).state == "success"

    # the missed day's products are reconciled and sold, every holder
    assert query(zw_db, "SELECT asset_id FROM sell_record WHERE product_id = ANY(%s) ORDER BY asset_id",
                 (late_ids,)) == current_holders(zw_db, late_ids)
    # nothing beyond the returning run's own T-3 target was touched
    assert query(zw_db, "SELECT count(*) FROM trial_product_result WHERE product_id = ANY(%s)",
                 ([r[0] for r in later],)) == [(0,)]
    # one e-mail names the late maturity date and each of its products, how close its maturity is
    [late] = [m for m in subjects(mailbox, f"T-3 trial {at(back_on).date()}: ") if "late product(s)" in m["Subject"]]
    assert T3.isoformat() in late["Subject"]
    body = late.get_body(("html",)).get_content()
    codes = [r[0] for r in query(zw_db, "SELECT product_code FROM hjs_product WHERE id = ANY(%s)", (late_ids,))]
    assert all(code in body for code in codes)
    assert ("matures TODAY" if days_missed == 3 else "matures in 2 day(s)") in body
    # HJS is told what to fund for the missed date, once
    assert len(subjects(mailbox, f"zw settlement for maturity date {T3}")) == 1

    # running the same day again changes nothing and sends nothing
    before = query(zw_db, "SELECT id, asset_id, amount FROM sell_record ORDER BY id")
    count = len(mailbox.messages())
    assert run_dag(DAG_ID, logical_date=runs[-1].add(minutes=1), retries=0).state == "success"
    assert query(zw_db, "SELECT id, asset_id, amount FROM sell_record ORDER BY id") == before
    assert len(mailbox.messages()) == count, [m["Subject"] for m in mailbox.messages()]


def test_products_hjs_answers_badly_are_held_and_the_others_settle(trial_env, run_dag):
    from hjs_operators.trial.questions import KEEP
    zw_db, sandbox, mailbox, _reports = trial_env
    failing, garbled, other_date, clean = t3_ids(zw_db)
    code = dict(query(zw_db, "SELECT id, product_code FROM hjs_product WHERE id = ANY(%s)",
                      ([failing, garbled, other_date, clean],)))
    nul_asset, huge_asset = [r[0] for r in query(
        zw_db, "SELECT id FROM asset WHERE product_id = %s AND origin_asset_id IS NULL AND status = 'INVEST_SUCCESS' "
               "ORDER BY id LIMIT 2",
        (garbled,))]
    sandbox.admin.set_faults(
        fail_products=[code[failing]],  # HJS answers 9999 busy for this product, every time
        amount_text={invest_order_no(nul_asset): "5000\x00.00", invest_order_no(huge_asset): "99999999999999999.00"},
        maturity_date_for={code[other_date]: "2026-12-27"})

    run, seen = run_answering(run_dag, LOGICAL, KEEP, "")
    assert run.state == "success" and seen["waiting"] == 3

    # the clean product is sold and announced; nothing is written for the others
    assert query(zw_db, "SELECT DISTINCT product_id FROM sell_record WHERE product_id = ANY(%s)",
                 ([failing, garbled, other_date, clean],)) == [(clean,)]
    [notice] = subjects(mailbox, f"zw settlement for maturity date {T3}")
    notice_html = notice.get_body(("html",)).get_content()
    assert code[clean] in notice_html and "Still under review" in notice_html
    # each held product says why, naming the product and record
    rows = query(zw_db, "SELECT product_id, class, asset_id, detail FROM reconciliation_exception "
                        "WHERE run_id = %s ORDER BY product_id, class, asset_id", (run.run_id,))
    by_product = {}
    for product_id, cls, asset_id, detail in rows:
        by_product.setdefault(product_id, []).append((cls, asset_id, detail))
    assert set(by_product) == {failing, garbled, other_date}
    [(cls, _, detail)] = [row for row in by_product[failing] if row[1] is None]  # the product's own row
    assert cls == "BAD_HJS_RECORD" and "HJS kept failing" in detail
    bad = {asset_id: detail for cls, asset_id, detail in by_product[garbled] if cls == "BAD_HJS_RECORD"}
    assert "NUL byte" in bad[nul_asset] and "NUMERIC(18,2)" in bad[huge_asset]
    [(cls, _, detail)] = by_product[other_date]
    assert cls == "MATURITY_DATE_MISMATCH" and "2026-12-27" in detail and T3.isoformat() in detail
    # the raw text is kept for an operator, readable
    raw = dict(query(zw_db, "SELECT order_no, amount_raw FROM hjs_amount_snapshot WHERE run_id = %s AND "
                            "product_id = %s", (run.run_id, garbled)))
    assert raw[invest_order_no(nul_asset)] == "5000\\x00.00"
    # operations hear of all three in one alert
    [alert] = subjects(mailbox, f"T-3 trial {TODAY}: 3 product(s) held")
    assert all(code[p] in alert["Subject"] for p in (failing, garbled, other_date))


def test_accepting_a_product_zw_cannot_price_is_refused_and_operations_are_told(trial_env, run_dag):
    from hjs_operators.trial.questions import ACCEPT

    zw_db, sandbox, mailbox, _reports = trial_env
    product = t3_ids(zw_db)[0]
    missing, no_interest = [r[0] for r in query(
        zw_db, "SELECT id FROM asset WHERE product_id = %s AND origin_asset_id IS NULL AND status = 'INVEST_SUCCESS' "
               "ORDER BY id LIMIT 2",
        (product,))]
    sandbox.admin.set_faults(bad_amount_for=[invest_order_no(missing)])
    conn = zw_db.connect()
    with transaction(conn) as cur:
        cur.execute("UPDATE asset SET create_expected_interest = NULL WHERE id = %s", (no_interest,))
    conn.close()

    run, _seen = run_answering(run_dag, LOGICAL, ACCEPT, "")
    assert run.state == "failed"
    # nothing was written for the product, and no decision stands: it stays held
    assert query(zw_db, "SELECT count(*) FROM sell_record WHERE product_id = %s", (product,)) == [(0,)]
    assert query(zw_db, "SELECT count(*) FROM hold_decision WHERE product_id = %s", (product,)) == [(0,)]
    [failure] = subjects(mailbox, "[HJS pipelines] FAILED: hjs_trial_reconciliation / decide_held.apply_decision")
    body = failure.get_body(("html",)).get_content()
    assert f"asset {no_interest}" in body and "create_expected_interest is NULL" in body


def test_accepting_a_product_with_an_asset_hjs_sent_no_amount_for_sells_every_holder(trial_env, run_dag):
    from hjs_operators.trial.questions import ACCEPT

    zw_db, sandbox, mailbox, _reports = trial_env
    product = t3_ids(zw_db)[0]
    [(unpriced,)] = query(zw_db, "SELECT min(id) FROM asset WHERE product_id = %s AND origin_asset_id IS NULL "
                                 "AND status = 'INVEST_SUCCESS'", (product,))
    sandbox.admin.set_faults(bad_amount_for=[invest_order_no(unpriced)])

    run, _seen = run_answering(run_dag, LOGICAL, ACCEPT, "HJS will fund zw's figure")
    assert run.state == "success"
    assert query(zw_db, "SELECT asset_id FROM sell_record WHERE product_id = %s ORDER BY asset_id",
                 (product,)) == current_holders(zw_db, [product])
    assert query(zw_db, "SELECT hjs_amount FROM sell_record WHERE asset_id = %s", (unpriced,)) == [(None,)]
    assert query(zw_db, "SELECT decision, decided_by FROM hold_decision WHERE product_id = %s",
                 (product,)) == [("ACCEPT_ZW", "anna")]
    assert len(subjects(mailbox, f"zw settlement addendum for maturity date {T3}")) == 1
    # a later run of the same date finds nothing to do and asks nothing
    count = len(mailbox.messages())
    # (resend off explicitly: dag.test() in one process can carry an earlier run's conf over)
    assert run_dag(DAG_ID, logical_date=LOGICAL.add(minutes=5), conf={"resend_settlement_notice": False},
                   retries=0).state == "success"
    assert len(mailbox.messages()) == count, [m["Subject"] for m in mailbox.messages()]


def test_the_demo_after_an_outage_is_caught_up_by_the_days_own_runs(pipeline_env, run_dag, monkeypatch, tmp_path):
    """What make run shows: yesterday's payback and T-3 runs never happened; today's runs do that work."""
    zw_db, sandbox, mailbox = pipeline_env
    monkeypatch.setenv("AIRFLOW_VAR_HJS_REPORT_BASE", (tmp_path / "reports").as_uri())
    load_world(zw_db, sandbox, missed_days=True)
    yesterday = TODAY - timedelta(days=1)
    unpaid = [r[0] for r in query(zw_db, "SELECT id FROM hjs_product WHERE maturity_date = %s", (yesterday,))]
    unreconciled = [r[0] for r in query(zw_db, "SELECT id FROM hjs_product WHERE maturity_date = %s",
                                        (T3 - timedelta(days=1),))]
    assert unpaid and unreconciled
    assert query(zw_db, "SELECT count(*) FROM sell_record WHERE product_id = ANY(%s)", (unreconciled,)) == [(0,)]

    assert run_dag(DAG_ID, logical_date=LOGICAL, retries=0).state == "success"
    payback = pendulum.datetime(TODAY.year, TODAY.month, TODAY.day, 6, 0, tz=SHANGHAI)
    assert run_dag("hjs_maturity_payback", logical_date=payback, retries=0).state == "success"

    assert query(zw_db, "SELECT asset_id FROM sell_record WHERE product_id = ANY(%s) ORDER BY asset_id",
                 (unreconciled,)) == current_holders(zw_db, unreconciled)
    assert query(zw_db, "SELECT count(*) FROM asset WHERE product_id = ANY(%s) AND status = 'SELL_CONFIRMED'",
                 (unpaid,)) == [(0,)]
    assert query(zw_db, "SELECT count(*) > 0 FROM payback_order WHERE product_id = ANY(%s)", (unpaid,)) == [(True,)]
    late = [m["Subject"] for m in mailbox.messages() if "late product(s)" in m["Subject"] or "LATE" in m["Subject"]]
    assert len(late) == 2, late  # one from the trial, one from the payback
