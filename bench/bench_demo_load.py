"""Demo data load: a million assets into an empty zw, against a raw COPY of the same rows.

    .venv/bin/python bench/bench_demo_load.py [--assets 1000000]

Two runs on the same embedded PostgreSQL, in one process:
1. baseline: the same COPY text, prebuilt in memory, copied into an empty migrated zw with the
   foreign-key triggers off (the fastest the database can take these rows);
2. the real thing: demo.load.load() building the rows as it goes (deterministic generator, COPY from a
   writer thread, foreign keys proven set-wise afterwards).
Prints wall seconds for both and the ratio; no assertion, nothing timed in tests.
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from datetime import date
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path[:0] = [str(ROOT), str(ROOT / "plugins")]

from demo.generate import COLUMNS, DemoSpec, build  # noqa: E402
from demo.load import copy_text, load  # noqa: E402
from hjs_operators.repository.db import transaction  # noqa: E402
from hjs_operators.repository.migrations import apply_migrations  # noqa: E402
from stack.postgres import EmbeddedPostgres  # noqa: E402


def fresh_zw(pg: EmbeddedPostgres, name: str):
    pg.drop_database(name)
    conn = pg.ensure_database(name).connect()
    apply_migrations(conn)
    return conn


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--assets", type=int, default=1_000_000)
    args = parser.parse_args()
    spec = DemoSpec(assets=args.assets, today=date(2026, 11, 24))

    with tempfile.TemporaryDirectory(prefix="hjs-bench-") as folder:
        pg = EmbeddedPostgres(Path(folder) / "pg")
        try:
            started = time.process_time()
            texts = {table: [] for table in COLUMNS}
            for chunk in build(spec):
                for table, lines in chunk.items():
                    if lines:
                        texts[table].append("\n".join(lines) + "\n")
            build_cpu = time.process_time() - started
            rows = sum(part.count("\n") for parts in texts.values() for part in parts)

            conn = fresh_zw(pg, "bench_copy")
            started = time.perf_counter()
            with transaction(conn) as cur:
                cur.execute("SET LOCAL session_replication_role = replica")
                for table, parts in texts.items():
                    for part in parts:
                        copy_text(cur, table, part)
            copy_seconds = time.perf_counter() - started
            conn.close()
            del texts

            conn = fresh_zw(pg, "bench_demo")
            started = time.perf_counter()
            counts = load(conn, spec)
            load_seconds = time.perf_counter() - started
            conn.close()
        finally:
            pg.stop()

    print(f"demo data: {counts['asset']:,} assets, {rows:,} rows in all")
    print(f"{'step':<44}{'seconds':>10}")
    print(f"{'build rows in Python alone (CPU time)':<44}{build_cpu:>10.1f}")
    print(f"{'baseline: raw COPY of prebuilt rows':<44}{copy_seconds:>10.1f}")
    print(f"{'demo.load.load (build + COPY + FK proof)':<44}{load_seconds:>10.1f}")
    print(f"ratio load / raw COPY: {load_seconds / copy_seconds:.2f}")


if __name__ == "__main__":
    main()
