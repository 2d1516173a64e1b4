"""The one way zw code runs statements: a cursor in one transaction on a psycopg 3 connection.

Connections come from hjs_operators.hooks.zw.ZwHook (psycopg 3, autocommit off). psycopg 3's
`with conn:` closes the connection, so code here never uses it: `transaction(conn)` commits when the
block ends, rolls back if it raises, and leaves the connection open either way.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from psycopg.pq import TransactionStatus


@contextmanager
def transaction(conn) -> Iterator:
    """A cursor in one transaction: committed when the block ends, rolled back if it raises; the
    connection stays open either way. Reads go through here too, so no transaction is left open."""
    try:
        with conn.cursor() as cur:
            yield cur
        conn.commit()
    except BaseException:
        conn.rollback()
        raise


def is_idle(conn) -> bool:
    """True when no transaction is open."""
    return conn.info.transaction_status == TransactionStatus.IDLE
