"""VACUUM between a bench's set-wise baseline and the measured run, so both start from the same state."""

from __future__ import annotations


def vacuum(conn, statement: str) -> None:
    """Run a VACUUM statement (it cannot run in a transaction) on a psycopg 3 connection, untimed."""
    conn.autocommit = True
    try:
        conn.execute(statement)
    finally:
        conn.autocommit = False
