"""A zw history for the console's bench: many maturity dates of packages as the DAGs leave them.

`build_history(conn, spec)` runs bench/console_history.sql step by step (set-wise INSERT ... SELECT over
generate_series; what each package went through is in that file's header) and returns the seconds of
each step; `history_counts(conn)` counts what it wrote. The bench only: nothing here is product code.
"""

from __future__ import annotations

import re
import time
from dataclasses import dataclass
from datetime import date
from pathlib import Path

import psycopg
from psycopg import sql

SEED = Path(__file__).with_name("console_history.sql")
HOLDERS = 200  # one package = 1,000,000.00 in 200 shares of 5,000.00, one share per holder
COUNTED = ("hjs_product", "asset", "invest_record", "hjs_amount_snapshot", "trial_product_result",
           "reconciliation_exception", "hold_question", "hold_decision", "sell_record", "notice_sent",
           "settlement_notice_product", "payback_order")


@dataclass(frozen=True)
class HistorySpec:
    today: date
    dates: int = 90
    per_date: int = 280  # 90 x 280 x 200 = 5,040,000 assets
    skewed: int = 3  # packages per date held for a skew of all 200 amounts: most of the exceptions
    offset: int = 3  # T-3

    @property
    def assets(self) -> int:
        return self.dates * self.per_date * HOLDERS


def steps(path: Path = SEED, marker: str = "step") -> list[tuple[str, str]]:
    """(name, SQL) of each part of a file cut at its "-- <marker>: <name>" lines, in order."""
    parts = re.compile(rf"^-- {marker}: (.+)$", re.MULTILINE).split(path.read_text(encoding="utf-8"))
    return [(name.strip(), body) for name, body in zip(parts[1::2], parts[2::2], strict=True)]


def build_history(conn: psycopg.Connection, spec: HistorySpec, *, check_keys: bool = False,
                  log=print) -> dict[str, float]:
    """Write the history in one transaction, then ANALYZE; returns seconds per step. check_keys keeps
    the foreign keys checked while loading (slower: proves the seed consistent at a small size)."""
    params = {"today": spec.today, "dates": spec.dates, "per_date": spec.per_date, "skewed": spec.skewed,
              "offset": spec.offset}
    seconds: dict[str, float] = {}
    # several statements per step: bound client-side, sent as one simple query
    with psycopg.ClientCursor(conn) as cur:
        if not check_keys:  # the seed's header says why that is safe here
            cur.execute("SET session_replication_role = replica")
        for name, statements in steps():
            started = time.perf_counter()
            cur.execute(statements, params)
            seconds[name] = time.perf_counter() - started
            log(f"  {name}: {seconds[name]:.1f} s")
        cur.execute("SET session_replication_role = DEFAULT")
    conn.commit()
    started = time.perf_counter()
    autocommit, conn.autocommit = conn.autocommit, True
    try:
        conn.execute("VACUUM ANALYZE")
    finally:
        conn.autocommit = autocommit
    seconds["vacuum analyze"] = time.perf_counter() - started
    log(f"  vacuum analyze: {seconds['vacuum analyze']:.1f} s")
    return seconds


def history_counts(conn: psycopg.Connection) -> dict[str, int]:
    counts = {}
    with conn.cursor() as cur:
        for table in COUNTED:
            cur.execute(sql.SQL("SELECT count(*) FROM {}").format(sql.Identifier(table)))
            counts[table] = cur.fetchone()[0]
        cur.execute("SELECT count(DISTINCT maturity_date) FROM hjs_product")
        counts["maturity dates"] = cur.fetchone()[0]
    conn.commit()
    return counts
