"""The console over real HTTP, served by the session stack's api-server from the stack's zw, after the
T-3 DAG ran there for real (the demo's held products): refused without a login; with one, the figures
are zw's, the ages are counted from the first holding run, and the run's report and CSVs are the files
the run stored, served through the api-server."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path
from urllib.parse import quote

import psycopg
import pytest
import requests

from hjs_operators.console.queries import age_bucket
from hjs_operators.dag_defaults import TIMEZONE
from hjs_operators.trial.report_store import report_folder

pytestmark = [pytest.mark.stack, pytest.mark.postgres, pytest.mark.sandbox, pytest.mark.airflow]

DAG = "hjs_trial_reconciliation"


@pytest.fixture(scope="module")
def zw(stack):
    conn = psycopg.connect(host=str(stack.data_dir / "pg"), dbname="zw", user="postgres", autocommit=True)
    yield conn
    conn.close()


def _held(zw, run_id: str) -> list[tuple[int, str, object]]:
    return zw.execute("SELECT p.id, p.product_code, p.maturity_date FROM trial_product_result r "
                      "JOIN hjs_product p ON p.id = r.product_id WHERE r.run_id = %s AND r.outcome = 'HOLD' "
                      "ORDER BY p.product_code", (run_id,)).fetchall()


def test_anonymous_requests_are_refused(stack, held_trial_run):
    api = f"{stack.api}/hjs/api/exceptions"
    assert requests.get(api, timeout=30).status_code == 401
    assert requests.get(api, headers={"Authorization": "Bearer not-a-token"}, timeout=30).status_code == 403
    for page in ("/hjs/", "/hjs/exceptions", f"/hjs/reports/2026-01-01/{held_trial_run}/report.html"):
        answer = requests.get(f"{stack.api}{page}", allow_redirects=False, timeout=30)
        assert answer.status_code == 303 and "/auth/login" in answer.headers["location"], page
    # the UI's session cookie is a login, as it is for the page embedded in the Airflow UI
    cookie = stack.session.headers["Authorization"].removeprefix("Bearer ")
    assert requests.get(api, cookies={"_token": cookie}, timeout=30).status_code == 200


def test_the_view_is_registered_with_a_navigation_entry(stack):
    plugins = {p["name"]: p for p in stack.get("/api/v2/plugins")["plugins"]}
    console = plugins["hjs_settlement_console"]
    assert console["fastapi_apps"][0]["url_prefix"] == "/hjs"
    assert console["external_views"][0]["href"] == "/hjs/" and console["external_views"][0]["url_route"]
    assert stack.get("/api/v2/plugins/importErrors")["import_errors"] == []


def test_products_show_the_held_ones_with_their_question(stack, zw, held_trial_run):
    held = _held(zw, held_trial_run)
    assert held, "the demo holds a product on the T-3 run"
    for product_id, code, maturity in held:
        rows = {p["product_code"]: p for p in stack.get(f"/hjs/api/maturity/{maturity}/products")}
        row = rows[code]
        holders = zw.execute("SELECT count(*) FROM asset WHERE product_id = %s AND status <> 'LIQUIDATED'",
                             (product_id,)).fetchone()[0]
        assert row["holders"] == holders and row["last_outcome"] == "HOLD"
        assert row["links"]["run"] == f"/dags/{DAG}/runs/{quote(row['last_run_id'], safe='')}"
        decided = zw.execute("SELECT count(*) FROM hold_decision WHERE product_id = %s", (product_id,)).fetchone()[0]
        if not decided:  # another test of the session may have answered it since
            question_run = zw.execute("SELECT run_id FROM hold_question WHERE product_id = %s ORDER BY round DESC "
                                      "LIMIT 1", (product_id,)).fetchone()[0]
            assert row["outcome"] == "held"
            assert row["links"]["required_action"] == (
                f"/dags/{DAG}/runs/{quote(question_run, safe='')}/required_actions")


def test_a_run_airflow_does_not_know_gets_no_link(stack, zw):
    """The demo's history was written by the pipelines' code outside Airflow: its rows name runs that
    Airflow never had, and the view links none of them."""
    day, run_id = zw.execute("SELECT maturity_date, run_id FROM trial_product_result "
                             "WHERE run_id LIKE 'demo-history%' ORDER BY maturity_date LIMIT 1").fetchone()
    rows = [p for p in stack.get(f"/hjs/api/maturity/{day}/products") if p["last_run_id"] == run_id]
    assert rows, f"the demo's history has products compared by {run_id}"
    assert all(p["links"]["run"] is None and p["links"]["report"] is None for p in rows)


def test_exceptions_carry_zw_amounts_and_ages_from_the_first_hold(stack, zw, held_trial_run):
    today = datetime.now(TIMEZONE).date()
    items = stack.get("/hjs/api/exceptions")
    for product_id, code, maturity in _held(zw, held_trial_run):
        first, holds, newest = zw.execute(
            "SELECT min(compared_at), count(*), (array_agg(run_id ORDER BY compared_at DESC))[1] "
            "FROM trial_product_result WHERE product_id = %s AND maturity_date = %s AND outcome = 'HOLD'",
            (product_id, maturity)).fetchone()
        expected = {(cls, subject, str(diff) if diff is not None else None) for cls, subject, diff in zw.execute(
            "SELECT class, subject_key, diff FROM reconciliation_exception WHERE run_id = %s AND product_id = %s",
            (newest, product_id)).fetchall()}
        mine = [i for i in items if i["product_code"] == code]
        assert {(i["cls"], i["subject_key"], i["diff"]) for i in mine} == expected
        age = (today - first.astimezone(TIMEZONE).date()).days
        for item in mine:
            assert (item["age_days"], item["age_bucket"], item["holds"]) == (age, age_bucket(age), holds)
            assert item["lifecycle"] in (("new",) if holds == 1 else ("persisting",)) or item["resolved_at"]
            assert item["maturity_date"] == maturity.isoformat()


def _report_base(stack) -> Path:
    """Where the stack's runs store their reports: the Variable hjs_report_base (a file:// URL here)."""
    answer = stack.session.get(f"{stack.api}/api/v2/variables/hjs_report_base", timeout=30)
    if answer.status_code == 404:
        return Path(stack.data_dir) / "airflow" / "reports"
    url = answer.json()["value"]
    assert url.startswith("file://"), url
    return Path(url.removeprefix("file://"))


def test_the_runs_report_and_csvs_are_the_stored_files(stack, zw, held_trial_run):
    (_, code, maturity), *_ = _held(zw, held_trial_run)
    # the newest run that held the product (a scheduled run may have compared it after ours)
    item = next(i for i in stack.get("/hjs/api/exceptions") if i["product_code"] == code)
    report = item["links"]["report"]
    target = report.split("/")[3]
    stored = report_folder(_report_base(stack), item["hold_run"], datetime.strptime(target, "%Y-%m-%d").date())
    for name, kind in (("report.html", "text/html"), ("products.csv", "text/csv"),
                       ("exceptions.csv", "text/csv")):
        answer = stack.session.get(f"{stack.api}{report.rsplit('/', 1)[0]}/{name}", timeout=60)
        assert answer.status_code == 200, answer.text
        assert answer.headers["content-type"].startswith(kind)
        # byte for byte, but for what the api-server adds to every HTML page's head (the UI time zone)
        head, found, body = (stored / name).read_bytes().partition(b"</head>")
        assert answer.content.startswith(head) and answer.content.endswith(found + body)
        assert code in answer.text
    missing = stack.session.get(f"{stack.api}/hjs/reports/{maturity}/no-such-run/report.html", timeout=30)
    assert missing.status_code == 404 and "no-such-run" in missing.text


def test_pages_and_charts_render(stack, zw, held_trial_run):
    (_, code, maturity), *_ = _held(zw, held_trial_run)
    for page in ("/hjs/", "/hjs/exceptions", f"/hjs/maturity/{maturity}"):
        answer = stack.session.get(f"{stack.api}{page}", timeout=60)
        assert answer.status_code == 200 and answer.headers["content-type"].startswith("text/html"), page
    assert code in stack.session.get(f"{stack.api}/hjs/exceptions", timeout=60).text
    assert code in stack.session.get(f"{stack.api}/hjs/maturity/{maturity}", timeout=60).text
    for chart in (f"/hjs/charts/differences/{maturity}.svg", "/hjs/charts/daily-totals.svg"):
        answer = stack.session.get(f"{stack.api}{chart}", timeout=60)
        assert answer.status_code == 200 and answer.headers["content-type"] == "image/svg+xml", chart
        assert answer.content.lstrip().startswith(b"<?xml") and b"<svg" in answer.content
