"""Transactions that behave the same on psycopg2 and psycopg 3 connections.

Airflow's PostgresHook hands out psycopg 3 connections (with SQLAlchemy 2 installed), the tests and the
local stack use psycopg2. The two differ where it hurts: psycopg2's `with conn:` ends a transaction and
keeps the connection; psycopg 3's closes the connection. Code here never uses `with conn:`.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

IDLE = 0  # transaction_status of both drivers: no transaction open


@contextmanager
def transaction(conn) -> Iterator:
    """A cursor in one transaction: committed when the block ends, rolled back if it raises; the
    connection stays open either way."""
    try:
        with conn.cursor() as cur:
            yield cur
        conn.commit()
    except BaseException:
        conn.rollback()
        raise


def is_idle(conn) -> bool:
    """True when no transaction is open (both drivers expose conn.info.transaction_status)."""
    return conn.info.transaction_status == IDLE
