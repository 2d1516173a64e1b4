"""E-mails that must go out once, against the real zw database and an SMTP sink."""

from __future__ import annotations

import json

import pytest

from hjs_operators.notices import Attachment, Notice, recipients, send_once
from tests.concurrency import at_once

pytestmark = pytest.mark.postgres

NOTICE = Notice(key="settlement:2026-11-27", kind="SETTLEMENT", to=["hjs@test"], subject="Settlement 2026-11-27",
                html="<p>fund 100.00</p>", attachments=[Attachment("settlement.csv", b"product,amount\nP1,100.00\n")])


@pytest.fixture
def smtp(monkeypatch, mailbox):
    monkeypatch.setenv("AIRFLOW_CONN_SMTP_TEST", json.dumps({
        "conn_type": "smtp", "host": "127.0.0.1", "port": mailbox.port,
        "extra": {"from_email": "pipelines@zw.test", "disable_ssl": True, "disable_tls": True}}))
    return mailbox


def sent_rows(conn):
    with conn.cursor() as cur:
        cur.execute("SELECT notice_key, send_count FROM notice_sent")
        rows = cur.fetchall()
    conn.rollback()
    return rows


def test_sent_once_with_its_attachment_then_never_again(zw_conn, smtp):
    assert send_once(zw_conn, NOTICE, smtp_conn_id="smtp_test", run_id="r1") is True
    assert send_once(zw_conn, NOTICE, smtp_conn_id="smtp_test", run_id="r2") is False
    [message] = smtp.messages()
    assert message["Subject"] == "Settlement 2026-11-27" and message["To"] == "hjs@test"
    [part] = [p for p in message.iter_attachments()]
    assert part.get_filename() == "settlement.csv" and part.get_content() == "product,amount\nP1,100.00\n"
    assert (part.get_content_type(), part.get_content_charset()) == ("text/csv", "utf-8")
    assert sent_rows(zw_conn) == [("settlement:2026-11-27", 1)]


def test_a_resend_must_be_asked_for_and_is_counted(zw_conn, smtp):
    send_once(zw_conn, NOTICE, smtp_conn_id="smtp_test", run_id="r1")
    assert send_once(zw_conn, NOTICE, smtp_conn_id="smtp_test", run_id="r2", resend=True) is True
    assert len(smtp.messages()) == 2
    assert sent_rows(zw_conn) == [("settlement:2026-11-27", 2)]


def test_a_failed_send_leaves_no_claim_so_the_retry_sends(zw_conn, smtp, monkeypatch):
    monkeypatch.setenv("AIRFLOW_CONN_SMTP_TEST", json.dumps({"conn_type": "smtp", "host": "127.0.0.1", "port": 1,
                                                             "extra": {"disable_ssl": True, "timeout": 2,
                                                                       "retry_limit": 0}}))
    with pytest.raises(Exception):  # noqa: B017 (whatever the relay raises, the claim must roll back)
        send_once(zw_conn, NOTICE, smtp_conn_id="smtp_test", run_id="r1")
    assert sent_rows(zw_conn) == []


def test_two_runs_at_once_send_one_mail(zw_db, smtp):
    def attempt(run_id):
        conn = zw_db.connect()
        try:
            return send_once(conn, NOTICE, smtp_conn_id="smtp_test", run_id=run_id)
        finally:
            conn.close()

    results, errors = at_once(attempt, [f"r{i}" for i in range(4)])
    assert errors == []
    assert sorted(results) == [False, False, False, True]
    assert len(smtp.messages()) == 1


def test_recipients_are_parsed_and_never_silently_empty():
    assert recipients(" a@x , b@y,") == ["a@x", "b@y"]
    with pytest.raises(ValueError, match="no e-mail recipients"):
        recipients(" , ")


def test_attachments_carry_their_content_types(zw_conn, smtp):
    """Given, or guessed from the name (text as UTF-8); the provider's hook alone sends octet-stream."""
    notice = Notice(key="types", kind="TEST", to=["ops@test"], subject="types", html="<p>x</p>", attachments=[
        Attachment("report.html", "<p>价</p>".encode(), "text/html; charset=utf-8"),
        Attachment("rows.csv", "a,b\n价,1\n".encode()), Attachment("blob.bin", b"\x00\x01")])
    send_once(zw_conn, notice, smtp_conn_id="smtp_test", run_id="r1")
    [message] = smtp.messages()
    parts = {p.get_filename(): p for p in message.iter_attachments()}
    assert {name: (p.get_content_type(), p.get_content_charset()) for name, p in parts.items()} == {
        "report.html": ("text/html", "utf-8"), "rows.csv": ("text/csv", "utf-8"),
        "blob.bin": ("application/octet-stream", None)}
    assert parts["rows.csv"].get_content() == "a,b\n价,1\n" and parts["blob.bin"].get_content() == b"\x00\x01"
    assert message.get_body(("html",)).get_content().strip() == "<p>x</p>"
