"""The bench's own PostgreSQL backend (a local embedded server): a VACUUM between a set-wise baseline
and the measured run, so both start from the same state, and the backend's CPU seconds, which a
machine shared with other jobs disturbs far less than wall time."""

from __future__ import annotations

import os


def vacuum(conn, statement: str) -> None:
    """Run a VACUUM statement (it cannot run in a transaction) on a psycopg 3 connection, untimed."""
    conn.autocommit = True
    try:
        conn.execute(statement)
    finally:
        conn.autocommit = False


def cpu_seconds(conn) -> float:
    """User + system CPU seconds the connection's backend process has used so far (Linux /proc)."""
    with open(f"/proc/{conn.info.backend_pid}/stat") as stat:
        fields = stat.read().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")
