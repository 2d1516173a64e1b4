"""python -m demo --dsn "host=... dbname=zw" [--assets N] [--seed S] [--today YYYY-MM-DD] [--max-shares K]"""

from __future__ import annotations

import argparse
import logging
import time
from datetime import date

import psycopg

from .generate import DemoSpec
from .load import load


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m demo",
                                     description="Load deterministic demo data into an empty zw.")
    parser.add_argument("--dsn", required=True, help="libpq connection string of the zw database")
    parser.add_argument("--assets", type=int, default=DemoSpec.assets,
                        help="about how many assets (default %(default)s)")
    parser.add_argument("--seed", type=int, default=DemoSpec.seed)
    parser.add_argument("--today", type=date.fromisoformat, help="the day the data is laid out around (default: today)")
    parser.add_argument("--max-shares", type=int, default=DemoSpec.max_shares, help="largest purchase in shares")
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(message)s")
    spec = DemoSpec(assets=args.assets, seed=args.seed, max_shares=args.max_shares,
                    **({"today": args.today} if args.today else {}))
    started = time.perf_counter()
    conn = psycopg.connect(args.dsn)
    try:
        counts = load(conn, spec)
    finally:
        conn.close()
    summary = ", ".join(f"{table} {count:,}" for table, count in counts.items() if count)
    logging.info("demo data loaded in %.1f s: %s", time.perf_counter() - started, summary)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
