"""ZwHook: psycopg 3 connections to zw that honour every libpq setting a user puts on zw_postgres.

Connections are set as AIRFLOW_CONN_* environment variables, against the session's real PostgreSQL.
What libpq was given is read back from the live connection (conn.info), what the server applied with SHOW.
"""

from __future__ import annotations

import json

import psycopg
import pytest

from hjs_operators.hooks.zw import ZwHook
from hjs_operators.repository.db import is_idle, transaction


def set_zw_connection(monkeypatch, zw_db, conn_id: str = "zw_postgres", **extra) -> None:
    fields = {"conn_type": "postgres", "host": zw_db.socket_dir, "schema": zw_db.dbname, "login": zw_db.user,
              "extra": extra}
    monkeypatch.setenv(f"AIRFLOW_CONN_{conn_id.upper()}", json.dumps(fields))


def test_default_connection_is_zw_postgres_and_psycopg3(zw_db, monkeypatch):
    set_zw_connection(monkeypatch, zw_db)
    conn = ZwHook().get_conn()
    try:
        assert isinstance(conn, psycopg.Connection) and not conn.autocommit
        with transaction(conn) as cur:
            cur.execute("SELECT current_database(), count(*) FROM hjs_product")
            assert cur.fetchone() == (zw_db.dbname, 0)
        assert is_idle(conn) and not conn.closed
    finally:
        conn.close()


def test_every_extra_reaches_libpq_and_the_server(zw_db, monkeypatch):
    set_zw_connection(
        monkeypatch, zw_db, conn_id="zw_custom", application_name="hjs-trial", connect_timeout=7,
        options="-c statement_timeout=4321 -c lock_timeout=1234", keepalives=1, keepalives_idle=30,
        keepalives_interval=5, keepalives_count=3, target_session_attrs="read-write", sslmode="allow",
        sslcert="/nonexistent/zw.crt", sslkey="/nonexistent/zw.key", sslrootcert="/nonexistent/root.crt",
        sslcrl="/nonexistent/root.crl", tcp_user_timeout=9000)
    conn = ZwHook(zw_conn_id="zw_custom").get_conn()
    try:
        given = conn.info.get_parameters()
        assert {k: given.get(k) for k in ("application_name", "connect_timeout", "keepalives", "keepalives_idle",
                                          "keepalives_interval", "keepalives_count", "target_session_attrs",
                                          "sslmode", "sslcert", "sslkey", "sslrootcert", "sslcrl",
                                          "tcp_user_timeout")} == {
            "application_name": "hjs-trial", "connect_timeout": "7", "keepalives": "1", "keepalives_idle": "30",
            "keepalives_interval": "5", "keepalives_count": "3", "target_session_attrs": "read-write",
            "sslmode": "allow", "sslcert": "/nonexistent/zw.crt", "sslkey": "/nonexistent/zw.key",
            "sslrootcert": "/nonexistent/root.crt", "sslcrl": "/nonexistent/root.crl", "tcp_user_timeout": "9000"}
        with transaction(conn) as cur:
            cur.execute("SELECT current_setting('application_name'), current_setting('statement_timeout'), "
                        "current_setting('lock_timeout')")
            assert cur.fetchone() == ("hjs-trial", "4321ms", "1234ms")
    finally:
        conn.close()


def test_statement_timeout_from_options_is_enforced(zw_db, monkeypatch):
    set_zw_connection(monkeypatch, zw_db, options="-c statement_timeout=50")
    conn = ZwHook().get_conn()
    try:
        with pytest.raises(psycopg.errors.QueryCanceled), transaction(conn) as cur:
            cur.execute("SELECT pg_sleep(2)")
        assert is_idle(conn)  # rolled back, the connection still usable
    finally:
        conn.close()


def test_ssl_settings_are_applied_not_just_passed(zw_db, monkeypatch):
    # libpq validates sslmode at connect time: a value it does not know is refused, so the extra is used
    set_zw_connection(monkeypatch, zw_db, sslmode="no-such-mode")
    with pytest.raises(psycopg.OperationalError, match="sslmode"):
        ZwHook().get_conn()
    # sslmode=require connects here only because libpq uses no SSL on a Unix socket (the test server's)
    set_zw_connection(monkeypatch, zw_db, sslmode="require")
    conn = ZwHook().get_conn()
    try:
        assert conn.info.get_parameters()["sslmode"] == "require"
    finally:
        conn.close()


def test_cursor_extra_is_refused(zw_db, monkeypatch):
    set_zw_connection(monkeypatch, zw_db, cursor="dictcursor")
    with pytest.raises(ValueError, match="cursor"):
        ZwHook().get_conn()


def test_test_connection(zw_db, monkeypatch):
    set_zw_connection(monkeypatch, zw_db, application_name="check")
    ok, message = ZwHook().test_connection()
    assert ok, message
