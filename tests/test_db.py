"""One transaction helper for both drivers: psycopg2 (tests, stack) and psycopg 3 (Airflow's hook)."""

from __future__ import annotations

import psycopg
import psycopg2
import pytest

from hjs_operators.repository.db import is_idle, transaction

pytestmark = pytest.mark.postgres


@pytest.fixture(params=["psycopg2", "psycopg3"])
def conn(request, zw_db):
    connection = psycopg2.connect(zw_db.dsn) if request.param == "psycopg2" else psycopg.connect(zw_db.dsn)
    yield connection
    connection.close()


def channels(conn) -> list[str]:
    with conn.cursor() as cur:
        cur.execute("SELECT channel_code FROM hjs_channel ORDER BY 1")
        rows = [row[0] for row in cur.fetchall()]
    conn.rollback()
    return rows


def test_commits_on_success_and_keeps_the_connection(conn):
    with transaction(conn) as cur:
        cur.execute("INSERT INTO hjs_channel VALUES ('HJS_OK', 'ok')")
    assert not conn.closed and is_idle(conn)
    assert channels(conn) == ["HJS_OK"]


def test_rolls_back_on_error_and_keeps_the_connection(conn):
    with pytest.raises(RuntimeError), transaction(conn) as cur:
        cur.execute("INSERT INTO hjs_channel VALUES ('HJS_NO', 'no')")
        raise RuntimeError("boom")
    assert not conn.closed and is_idle(conn)
    assert channels(conn) == []
