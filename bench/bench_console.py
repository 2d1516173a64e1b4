"""The console's queries on a big history: index driven, and how their server time compares.

    .venv/bin/python bench/bench_console.py [--per-date 280] [--repeat 7] [--keep DIR] [--only QUERY ...]

Builds (or, with --keep DIR holding an earlier build of the same size, reuses) a zw history of 90
maturity dates (bench/console_history.sql: 280 packages x 200 holders a date = 5,040,000 assets, over
100,000 reconciliation exceptions) in an embedded PostgreSQL, then for each query of
hjs_operators.console.queries:
1. runs the function once through a connection that records every statement it executes;
2. EXPLAINs each statement and walks the plan: a Seq Scan on asset, sell_record or
   reconciliation_exception prints a FAIL line naming the query, the statement's SQL file and the
   node, and the bench exits non-zero at the end;
3. times it as the server does (EXPLAIN ANALYZE's Execution Time, median of --repeat runs) beside its
   baseline: a plain SELECT of the same rows through the same index (bench/console_baselines.sql),
   measured the same way in the same run, and prints the ratio.
Speed is printed, never asserted; only a full scan fails.
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path[:0] = [str(ROOT), str(ROOT / "plugins"), str(ROOT / "bench")]

import psycopg  # noqa: E402
from console_history import HistorySpec, build_history, history_counts, steps  # noqa: E402
from psycopg.sql import SQL, Composable  # noqa: E402

from hjs_operators.repository.migrations import apply_migrations  # noqa: E402
from stack.postgres import EmbeddedPostgres  # noqa: E402

DATABASE = "zw_console"
WATCHED = frozenset({"asset", "sell_record", "reconciliation_exception"})  # the "no scan of a whole ..."
BASELINES = Path(__file__).with_name("console_baselines.sql")


class RecordingCursor(psycopg.Cursor):
    """Keeps every statement a query function runs, with its parameters, to EXPLAIN it afterwards."""

    recorded: list[tuple[str, object]] = []

    def execute(self, query, params=None, **kwargs):
        RecordingCursor.recorded.append((query, params))
        return super().execute(query, params, **kwargs)


@dataclass
class Case:
    """One query of the view: how to call it, and the parameters of its baseline (from its result)."""

    name: str
    call: Callable
    baseline_params: Callable[[list], dict]


def cases(today: date) -> list[Case]:
    from hjs_operators.console import queries

    since, until = today - timedelta(days=80), today + timedelta(days=9)  # every date of the history
    weeks_ago = today - timedelta(weeks=6)
    held_day = today - timedelta(days=10)  # a tenth date: one package still open, three accepted after a skew
    return [
        Case("maturity_dates", lambda c: queries.maturity_dates(c, since, until, today=today),
             lambda rows: {"since": since, "until": until}),
        Case("maturity_products", lambda c: queries.maturity_products(c, held_day, today=today),
             lambda rows: {"maturity_date": held_day}),
        Case("open_exceptions", lambda c: queries.open_exceptions(c, today),
             lambda rows: {"runs": [r.hold_run for r in rows], "products": [r.product_id for r in rows],
                           "subjects": [r.subject_key for r in rows], "classes": [r.cls for r in rows]}),
        Case("difference_distribution", lambda c: queries.difference_distribution(c, held_day),
             lambda rows: {"maturity_date": held_day}),
        Case("daily_totals", lambda c: queries.daily_totals(c, weeks_ago, today),
             lambda rows: {"since": weeks_ago, "until": today}),
    ]


def scans(plan: dict, path: str = "") -> list[str]:
    """Every Seq Scan of a watched table in the plan tree, as 'node path: relation'."""
    here = f"{path}/{plan['Node Type']}"
    found = [f"{here} on {plan['Relation Name']}"] if (
        plan["Node Type"] == "Seq Scan" and plan.get("Relation Name") in WATCHED) else []
    for child in plan.get("Plans", []):
        found += scans(child, here)
    return found


def explain(conn, sql: str, params, analyze: bool, indexed: bool = False) -> dict:
    """The plan (with analyze: as run) of one statement; `indexed` keeps the planner off whole-table scans,
    as a baseline must be a plain indexed SELECT (the view's own statements are planned as they come)."""
    options = "ANALYZE, BUFFERS, FORMAT JSON" if analyze else "FORMAT JSON"
    statement = sql if isinstance(sql, Composable) else SQL(sql)
    with conn.cursor() as cur:
        if indexed:
            cur.execute("SET LOCAL enable_seqscan = off")
        cur.execute(SQL("EXPLAIN ({}) ").format(SQL(options)) + statement, params)
        result = cur.fetchone()[0]
    conn.rollback()
    return (json.loads(result) if isinstance(result, str) else result)[0]


def server_ms(conn, statements, repeat: int, indexed: bool = False) -> float:
    """Median over `repeat` runs of the summed Execution Time of the statements (one warm-up run first)."""
    totals = []
    for _ in range(repeat + 1):
        totals.append(sum(explain(conn, sql, params, analyze=True, indexed=indexed)["Execution Time"]
                          for sql, params in statements))
    return statistics.median(totals[1:])


def sql_files_of(conn, sql) -> str:
    """Which include/sql/console files a recorded statement was made of (for the FAIL line)."""
    text = sql.as_string(conn) if isinstance(sql, Composable) else sql
    names = [f"include/sql/console/{path.name}" for path in sorted((ROOT / "include" / "sql" / "console").glob("*.sql"))
             if path.read_text(encoding="utf-8").strip() in text]
    return " + ".join(names) or "a statement not read from include/sql/console"


def baseline_sql() -> dict[str, str]:
    return dict(steps(BASELINES, marker="baseline"))


def open_history(folder: Path, spec: HistorySpec, keep: bool):
    pg = EmbeddedPostgres(folder / "pg")
    conn = pg.ensure_database(DATABASE).connect()
    with conn.cursor() as cur:
        cur.execute("SELECT to_regclass('hjs_product') IS NOT NULL")
        migrated = cur.fetchone()[0]
        built = 0
        if migrated:
            cur.execute("SELECT count(*) FROM hjs_product")
            built = cur.fetchone()[0]
    conn.commit()
    if keep and built == spec.dates * spec.per_date:
        print(f"reusing the history in {folder} ({built:,} packages)")
        if apply_migrations(conn):  # migrations added since it was built (indexes): plan with their statistics
            conn.autocommit = True
            conn.execute("ANALYZE")
            conn.autocommit = False
        return pg, conn, None
    if built:
        conn.close()
        pg.drop_database(DATABASE)
        conn = pg.ensure_database(DATABASE).connect()
    apply_migrations(conn)
    print(f"building the history: {spec.dates} maturity dates x {spec.per_date} packages x 200 holders")
    started = time.perf_counter()
    seconds = build_history(conn, spec)
    seconds["total"] = time.perf_counter() - started
    return pg, conn, seconds


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--per-date", type=int, default=280, help="packages per maturity date")
    parser.add_argument("--dates", type=int, default=90)
    parser.add_argument("--today", type=date.fromisoformat, default=date(2026, 11, 30))
    parser.add_argument("--repeat", type=int, default=7, help="timed runs per statement (median)")
    parser.add_argument("--keep", type=Path, help="build into (or reuse) this folder instead of a temporary one")
    parser.add_argument("--only", nargs="+", metavar="QUERY", help="measure only these query functions")
    args = parser.parse_args()
    spec = HistorySpec(today=args.today, dates=args.dates, per_date=args.per_date)

    with tempfile.TemporaryDirectory(prefix="hjs-bench-console-") as scratch:
        folder = args.keep or Path(scratch)
        pg, conn, build_seconds = open_history(folder, spec, keep=args.keep is not None)
        try:
            counts = history_counts(conn)
            print("history: " + ", ".join(f"{name} {n:,}" for name, n in counts.items()))
            if build_seconds:
                print(f"built in {build_seconds['total']:.1f} s")
            failures = measure(conn, spec, args.repeat, args.only)
        finally:
            conn.close()
            pg.stop()
    for line in failures:
        print(line)
    return 1 if failures else 0


def measure(conn, spec: HistorySpec, repeat: int, only: list[str] | None = None) -> list[str]:
    baselines = baseline_sql()
    failures = []
    print(f"{'query':<26}{'stmts':>6}{'rows':>8}{'server ms':>11}{'baseline ms':>13}{'ratio':>8}")
    for case in cases(spec.today):
        if only and case.name not in only:
            continue
        RecordingCursor.recorded = []
        recording = psycopg.connect(conn.info.dsn, cursor_factory=RecordingCursor)
        try:
            rows = case.call(recording)
        finally:
            recording.close()
        statements = list(RecordingCursor.recorded)
        for sql, params in statements:
            for scan in scans(explain(conn, sql, params, analyze=False)["Plan"]):
                failures.append(f"FAIL {case.name}: {sql_files_of(conn, sql)} plans a Seq Scan: {scan}")
        baseline = [(baselines[case.name], case.baseline_params(rows))]
        for scan in scans(explain(conn, *baseline[0], analyze=False, indexed=True)["Plan"]):
            failures.append(f"FAIL baseline of {case.name} plans a Seq Scan: {scan}")
        ours, base = server_ms(conn, statements, repeat), server_ms(conn, baseline, repeat, indexed=True)
        print(f"{case.name:<26}{len(statements):>6}{len(rows):>8}{ours:>11.2f}{base:>13.2f}{ours / base:>8.2f}")
    return failures


if __name__ == "__main__":
    sys.exit(main())
