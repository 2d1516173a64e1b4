"""The one transaction helper, on the one driver (psycopg 3, as ZwHook hands out)."""

from __future__ import annotations

import psycopg
import pytest

from hjs_operators.repository.db import is_idle, transaction

pytestmark = pytest.mark.postgres


@pytest.fixture
def conn(zw_db):
    connection = psycopg.connect(zw_db.dsn)
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


def test_product_code_reaches_zw_one_way():
    """One driver, one hook, one transaction helper: nothing under plugins/ imports psycopg2, builds
    PostgresHook itself, or commits and rolls back by hand outside repository/db.py."""
    import re
    from pathlib import Path

    root = Path(__file__).resolve().parents[1] / "plugins" / "hjs_operators"
    rules = {
        "psycopg2 imported": re.compile(r"^\s*(import|from) psycopg2\b", re.MULTILINE),
        "PostgresHook built outside hooks/zw.py": re.compile(r"PostgresHook\("),
        "psycopg2-only cursor API": re.compile(r"\b(copy_expert|mogrify|pgcode)\b"),
        "hand-written commit/rollback": re.compile(r"\.(commit|rollback)\(\)"),
    }
    allowed = {"hand-written commit/rollback": {"repository/db.py"}}
    found = [f"{path.relative_to(root)}: {name}"
             for path in sorted(root.rglob("*.py"))
             for name, pattern in rules.items()
             if str(path.relative_to(root)) not in allowed.get(name, set()) and pattern.search(path.read_text())]
    assert found == []
