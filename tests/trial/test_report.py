"""The held product's question and the run's report carry the facts: from a real T-3 run with a held
product (dag.test against real PostgreSQL, the sandbox and the SMTP sink), its question answered the way
the UI answers it."""

from __future__ import annotations

import csv
import io
from datetime import date
from decimal import Decimal
from urllib.parse import quote

import pytest

from hjs_operators.domain.order_numbers import invest_order_no
from tests.trial.conftest import T3
from tests.trial.hitl import run_answering
from tests.trial.test_trial_dag import LOGICAL, query, t3_ids

SKEW_FEN = (700, 12_345_678)  # HJS misreports two assets of the held product: 7.00 and 123,456.78 yuan


def readable(amount: Decimal) -> str:
    return f"{amount:,.2f}"


def ui_requires(param: dict) -> bool:
    """Airflow 3.3's form (ui/dist, FlexibleForm's isRequired): a param is required when its schema has a
    type that does not include "null"; an empty required field blocks the answer."""
    kind = param["schema"].get("type")
    return bool(kind) and not (isinstance(kind, list) and "null" in kind)


def hitl_questions(run_id: str) -> list[dict]:
    from airflow.models.hitl import HITLDetail
    from airflow.models.taskinstance import TaskInstance
    from airflow.utils.session import create_session

    with create_session() as session:
        rows = session.query(HITLDetail).join(TaskInstance, TaskInstance.id == HITLDetail.ti_id) \
            .filter(TaskInstance.run_id == run_id).all()
        return [{"subject": r.subject, "body": r.body, "params": r.params} for r in rows]


def stored(reports) -> dict[str, bytes]:
    """The files of the one run's stored report."""
    [folder] = (reports / "trial" / T3.isoformat()).iterdir()
    return {p.name: p.read_bytes() for p in folder.iterdir()}


def csv_rows(content: bytes) -> list[dict]:
    return list(csv.DictReader(io.StringIO(content.decode("utf-8"))))


def section(html: str, anchor: str) -> str:
    start = html.index(f"<section id='{anchor}'>")
    return html[start:html.index("</section>", start)]


@pytest.mark.postgres
@pytest.mark.sandbox
@pytest.mark.airflow
def test_the_question_and_the_report_carry_the_held_products_facts_and_its_decision(trial_env, run_dag):
    from airflow.configuration import conf

    from hjs_operators.trial.questions import ACCEPT

    zw_db, sandbox, mailbox, reports = trial_env
    product = t3_ids(zw_db)[1]
    [(code,)] = query(zw_db, "SELECT product_code FROM hjs_product WHERE id = %s", (product,))
    skewed = [r[0] for r in query(zw_db, "SELECT id FROM asset WHERE product_id = %s AND origin_asset_id IS NULL "
                                         "AND status = 'INVEST_SUCCESS' ORDER BY id LIMIT 2", (product,))]
    sandbox.admin.set_faults(skew={invest_order_no(a): fen for a, fen in zip(skewed, SKEW_FEN, strict=True)})

    def look(run_id):
        return {"questions": hitl_questions(run_id), "files": stored(reports), "mails": mailbox.messages()}

    # an empty comment: the UI sends null for it
    run, seen = run_answering(run_dag, LOGICAL, ACCEPT, None, look)
    assert run.state == "success"
    run_id = seen["run_id"]

    # the question: the product, its date, its own totals, its exceptions, the link to its part of the report
    [asked] = seen["questions"]
    [(assets, matched, zw_total, hjs_total)] = query(
        zw_db, "SELECT assets, matched, zw_total, hjs_total FROM trial_product_result WHERE run_id = %s AND "
               "product_id = %s", (run_id, product))
    body = asked["body"]
    assert f"Product **{code}**" in body and f"maturity date **{T3}**" in body
    assert (f"| {assets} | {matched} | {readable(zw_total)} | {readable(hjs_total)} | "
            f"{readable(zw_total - hjs_total)} |") in body
    exceptions = query(zw_db, "SELECT asset_id, order_no, class, zw_amount, hjs_amount, diff, detail FROM "
                              "reconciliation_exception WHERE run_id = %s ORDER BY abs(diff) DESC", (run_id,))
    assert [(e[0], e[5]) for e in exceptions] == [(skewed[1], Decimal("-123456.78")), (skewed[0], Decimal("-7.00"))]
    table = [f"| {a} / {o} | {c} | {readable(zw)} | {readable(hjs)} | {readable(d)} | {why} |"
             for a, o, c, zw, hjs, d, why in exceptions]
    assert "| asset / order no | class | zw | HJS | difference | reason |" in body
    assert "\n".join(table) in body and "-123,456.78" in body
    link = (f"{conf.get('api', 'base_url').rstrip('/')}/hjs/reports/{T3}/{quote(run_id, safe='')}/report.html"
            f"#product-{code}")
    assert f"]({link})" in body
    # the comment is optional for real: the form does not require it, and null was accepted and recorded
    comment = asked["params"]["comment"]
    assert comment["value"] is None and comment["schema"] == {"type": ["null", "string"]}
    assert not ui_requires(comment)
    assert query(zw_db, "SELECT decision, decided_by, comment FROM hold_decision WHERE product_id = %s",
                 (product,)) == [("ACCEPT_ZW", "anna", None)]

    # the report while the question waited: three files, the product open; money grouped in HTML only
    before = seen["files"]
    assert sorted(before) == ["exceptions.csv", "products.csv", "report.html"]
    html = before["report.html"].decode()
    assert "Decision: <b>open</b>." in section(html, f"product-{code}")
    assert f"zw total {readable(zw_total)}, HJS total {readable(hjs_total)}" in section(html, f"product-{code}")
    assert "-123,456.78" in html
    rows = csv_rows(before["exceptions.csv"])
    assert {(r["asset_id"], r["diff"], r["zw_amount"]) for r in rows} == {
        (str(e[0]), str(e[5]), str(e[3])) for e in exceptions}
    assert not any("," in r["zw_amount"] + r["hjs_amount"] + r["diff"] for r in rows)
    [held_row] = [r for r in csv_rows(before["products.csv"]) if r["product_code"] == code]
    assert (held_row["outcome"], held_row["decision"], held_row["zw_total"]) == ("HOLD", "OPEN", str(zw_total))

    # after the answer the stored report shows the decision, and a rebuild writes the same files
    after = stored(reports)
    html = after["report.html"].decode()
    assert "Decision: <b>accepted zw amounts</b> by anna at " in section(html, f"product-{code}")
    [held_row] = [r for r in csv_rows(after["products.csv"]) if r["product_code"] == code]
    assert (held_row["decision"], held_row["decided_by"], held_row["comment"]) == ("ACCEPT_ZW", "anna", "")
    assert after["exceptions.csv"] == before["exceptions.csv"]
    assert rebuilt(zw_db, reports, run_id) == after

    # the alert carries the stored report with real content types; the settlement CSV is text/csv
    [alert] = [m for m in seen["mails"] if "held" in m["Subject"]]
    parts = {p.get_filename(): p for p in alert.iter_attachments()}
    assert {name: p.get_content_type() for name, p in parts.items()} == {
        f"trial-{T3}-report.html": "text/html", f"trial-{T3}-products.csv": "text/csv",
        f"trial-{T3}-exceptions.csv": "text/csv"}
    assert parts[f"trial-{T3}-exceptions.csv"].get_content().encode() == before["exceptions.csv"]
    [notice] = [m for m in seen["mails"] if m["Subject"].startswith("zw settlement for maturity date")]
    assert {p.get_content_type() for p in notice.iter_attachments()} == {"text/csv", "text/html"}


def rebuilt(zw_db, reports, run_id: str) -> dict[str, bytes]:
    from airflow.sdk import ObjectStoragePath

    from hjs_operators.trial.report_store import store_report

    conn = zw_db.connect()
    try:
        store_report(conn, ObjectStoragePath(reports.as_uri()), run_id, T3)
    finally:
        conn.close()
    return stored(reports)


def test_the_question_lists_the_largest_exceptions_and_counts_the_rest():
    from hjs_operators.trial.questions import QUESTION_ROWS, question_body
    from hjs_operators.trial.report import ExceptionRow, ProductResult
    from hjs_operators.trial.settlement import HeldProduct

    held = HeldProduct(7, "HJSA000007", "HJS_A", date(2026, 11, 27))
    result = ProductResult(7, "HJSA000007", "HJS_A", date(2026, 11, 27), "HOLD", 200, 140,
                           Decimal("1001234.50"), Decimal("1000000.00"), Decimal("0"), Decimal("12.34"), {})
    rows = [ExceptionRow(7, "HJSA000007", f"ZW{n}", n, f"ZW{n}", "MISMATCH", Decimal("5123.45"),
                         Decimal("5100.00"), Decimal("23.45"), "a | b\nc", 60) for n in range(QUESTION_ROWS)]
    body = question_body(held, result, rows, "/hjs/reports/x#product-HJSA000007")
    assert "| 200 | 140 | 1,001,234.50 | 1,000,000.00 | 1,234.50 |" in body
    assert body.count("| MISMATCH |") == QUESTION_ROWS
    assert "| 0 / ZW0 | MISMATCH | 5,123.45 | 5,100.00 | 23.45 | a \\| b c |" in body  # one cell, one line
    assert "**60 exception(s)**, the 50 largest:" in body and "and 10 more in the report." in body
    assert "[Open this product in the run's report](/hjs/reports/x#product-HJSA000007)" in body



@pytest.mark.postgres
@pytest.mark.sandbox
def test_the_report_shows_each_held_products_decision_or_that_it_is_open(world):
    from hjs_operators.trial.decisions import accept_zw_amounts, keep_holding
    from hjs_operators.trial.report import build_report
    from tests.trial.conftest import t3_products

    conn = world.zw_db.connect()
    try:
        (kept, kept_code), (accepted, accepted_code), (waiting, waiting_code) = t3_products(conn)[:3]
        with conn.cursor() as cur:
            for product in (kept, accepted, waiting):
                cur.execute("INSERT INTO trial_product_result (run_id, product_id, maturity_date, outcome, assets, "
                            "matched, zw_total, hjs_total, drift, class_counts) VALUES ('run-a', %s, %s, 'HOLD', 1, "
                            "0, 1234567.89, 1234560.00, 0, '{}')", (product, T3))
        conn.commit()
        keep_holding(conn, product_id=kept, run_id="run-a", decided_by="anna", comment="ask HJS, 2 | 3")
        # accepted in another run of the same maturity date: final, so it is this run's decision too
        accept_zw_amounts(conn, product_id=accepted, run_id="run-b", decided_by="bob", comment=None)
        report = build_report(conn, "run-a", T3)
    finally:
        conn.close()

    decisions = {r["product_code"]: (r["decision"], r["decided_by"], r["comment"], bool(r["decided_at"]))
                 for r in csv_rows(report.products_csv)}
    assert decisions == {kept_code: ("KEEP_HOLDING", "anna", "ask HJS, 2 | 3", True),
                         accepted_code: ("ACCEPT_ZW", "bob", "", True), waiting_code: ("OPEN", "", "", False)}
    assert {r["zw_total"] for r in csv_rows(report.products_csv)} == {"1234567.89"}
    # decision times in Asia/Shanghai, as the console and the UI show them
    assert all(r["decided_at"].endswith("+08:00") for r in csv_rows(report.products_csv) if r["decided_at"])
    html = report.html
    assert "Decision: <b>kept holding</b> by anna at " in section(html, f"product-{kept_code}")
    assert ": ask HJS, 2 | 3." in section(html, f"product-{kept_code}")
    assert "Decision: <b>accepted zw amounts</b> by bob at " in section(html, f"product-{accepted_code}")
    assert "bob (run <code>run-b</code>)" in html
    assert "Decision: <b>open</b>." in section(html, f"product-{waiting_code}")
    assert "zw total 1,234,567.89, HJS total 1,234,560.00, difference 7.89." in section(html, f"product-{waiting_code}")


@pytest.mark.postgres
@pytest.mark.sandbox
@pytest.mark.airflow
def test_a_report_stored_while_a_decision_lands_shows_that_decision(world, tmp_path):
    """Two decisions applied at once each store the run's report. A writer that waited for the other
    builds after it got its turn, so the file left last holds every decision made until then."""
    from hjs_operators.repository.db import transaction
    from hjs_operators.trial import report_store
    from hjs_operators.trial.decisions import keep_holding
    from tests.concurrency import blocked_then_released
    from tests.trial.conftest import t3_products

    conn, other, watcher = (world.zw_db.connect() for _ in range(3))
    try:
        [(product, code)] = t3_products(conn)[:1]
        with transaction(conn) as cur:
            cur.execute("INSERT INTO trial_product_result (run_id, product_id, maturity_date, outcome, assets, "
                        "matched, zw_total, hjs_total, drift, class_counts) VALUES ('run-a', %s, %s, 'HOLD', 1, "
                        "0, 1.00, 2.00, 0, '{}')", (product, T3))
        other_writer = report_store.one_writer(other, report_store.writer_key("run-a", T3))
        other_writer.__enter__()  # another decision's writer has the turn

        def decide_then_let_go() -> None:
            keep_holding(other, product_id=product, run_id="run-a", decided_by="anna", comment=None)
            other_writer.__exit__(None, None, None)

        blocked_then_released(lambda: report_store.store_report(conn, tmp_path, "run-a", T3),
                              decide_then_let_go, watcher)
    finally:
        for c in (conn, other, watcher):
            c.close()

    [row] = csv_rows(stored(tmp_path)["products.csv"])
    assert (row["product_code"], row["decision"], row["decided_by"]) == (code, "KEEP_HOLDING", "anna")
