"""The bench's own PostgreSQL backend (a local embedded server): a VACUUM between a set-wise baseline
and the measured run, so both start from the same state, and the backend's CPU seconds, which a
machine shared with other jobs disturbs far less than wall time."""

from __future__ import annotations

import os
import time


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


def setwise_baseline(conn, tables: str, statements, params: dict, before=None) -> tuple[int, float, float]:
    """The set-wise baseline: `statements` in one transaction, rolled back, between VACUUMs of `tables`
    so that it and the measured run each start from a vacuumed state. `before(conn)`, if given, runs
    first inside the timing (work the measured run also does). Returns the last statement's row count,
    wall seconds and the backend's CPU seconds."""
    vacuum(conn, f"VACUUM {tables}")
    started, cpu = time.perf_counter(), cpu_seconds(conn)
    if before is not None:
        before(conn)
    with conn.cursor() as cur:
        for statement in statements:
            cur.execute(statement, params)
        rows = cur.rowcount
    wall, used = time.perf_counter() - started, cpu_seconds(conn) - cpu
    conn.rollback()
    vacuum(conn, f"VACUUM {tables}")
    return rows, wall, used


def print_backend_cpu(label: str, ours: str, setwise_cpu: float, ours_cpu: float,
                      rounds: list[tuple[float, float, float, float]]) -> None:
    """The backend-CPU ratio of the best round, and with several rounds each round's wall and CPU ratios
    (rounds: set-wise wall, our wall, set-wise CPU, our CPU)."""
    print(f"{label}PostgreSQL backend CPU: set-wise {setwise_cpu:.2f} s, {ours} {ours_cpu:.2f} s -> "
          f"{setwise_cpu / ours_cpu:.2f} (steadier than wall time on a shared machine)")
    if len(rounds) > 1:
        print(f"each round, set-wise / {ours}: wall " + ", ".join(f"{s / o:.2f}" for s, o, _, _ in rounds)
              + "; backend CPU " + ", ".join(f"{s / o:.2f}" for _, _, s, o in rounds))
