"""Maturity payback: payback orders for a million assets, against a raw COPY of the same rows.

    .venv/bin/python bench/bench_payback.py [--assets 1000000] [--repeat 3]

On an embedded PostgreSQL, in one process:
- set-up (not timed): a migrated zw with products of 200 one-share holders maturing on one day, every
  holder SELL_CONFIRMED with a sell record, about a fifth with one or two boosts, a few card and most
  balance purchases; the exact payback rows are then exported to memory (COPY TO STDOUT);
- baseline: COPY FROM STDIN of those rows into an empty table of the same shape as payback_order
  (CREATE TABLE ... (LIKE payback_order INCLUDING ALL): columns, defaults, CHECKs, primary and unique
  keys; foreign keys are not copied by LIKE);
- the real thing: hjs_operators.payback.pay_maturity_day, i.e. each product all or nothing, 100
  products a statement (payback/pay_products.sql: product locks, guard, INSERT ... SELECT ... ON
  CONFLICT DO NOTHING, SELL_CONFIRMED -> SELL_SUCCESS through the status trigger) and a transaction,
  the per-product counts checked; the orders' foreign keys checked as usual;
- the rerun: the same call again, which must write nothing (idempotency kept, and what it costs).
- the set-wise baseline (issue 13's right yardstick): the same orders and status moves done set-wise in
  one transaction on the same tables (one INSERT ... SELECT of all the day's orders, one UPDATE of the
  holders' status; the same foreign keys and status trigger), then rolled back so the real thing starts
  from the same state (the baseline therefore pays no commit); a VACUUM (untimed) before each of the
  two, so both start with no dead rows;
Prints seconds, ratio = COPY seconds / payback seconds (the old goal >= 0.5) and ratio = set-wise seconds
/ payback seconds (goal >= 0.8). Asserts only correctness.

--repeat N runs the baselines and the real thing N times, each round in a fresh copy of the set-up
database (CREATE DATABASE ... TEMPLATE, untimed), and reports the best of each figure and each round's
ratios: on a machine shared with other jobs one round's wall times wander.

--without fks,guard measures how far the design's own safeguards are from the goal: on the throwaway
database only, it drops payback_order's foreign keys and/or the asset status trigger before the run.
"""

from __future__ import annotations

import argparse
import io
import sys
import tempfile
import time
from dataclasses import dataclass
from datetime import date
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path[:0] = [str(ROOT), str(ROOT / "plugins")]

from bench.backend import cpu_seconds, print_backend_cpu, setwise_baseline  # noqa: E402
from hjs_operators.payback import pay_maturity_day  # noqa: E402
from hjs_operators.repository.db import transaction  # noqa: E402
from hjs_operators.repository.migrations import apply_migrations  # noqa: E402
from stack.postgres import EmbeddedPostgres  # noqa: E402

DAY = date(2026, 11, 27)
HOLDERS = 200

SETUP = """
INSERT INTO hjs_channel VALUES ('BENCH', 'bench channel');
INSERT INTO hjs_product (id, product_code, product_name, channel_code, sequence_no, total_amount, share_amount,
                         annual_rate, value_date, maturity_date, status)
SELECT g, 'B' || lpad(g::text, 8, '0'), 'bench ' || g, 'BENCH', g, 1000000, 5000, 0.045, %(value)s, %(day)s,
       'SOLD_OUT'
FROM generate_series(1, %(products)s) g;
INSERT INTO asset (id, user_id, product_id, share_amount, shares, create_amount, create_expected_interest, pay_method,
                   card_id, status)
SELECT g, 1 + g %% 100000, 1 + (g - 1) / %(holders)s, 5000, 1, 5000, 225.00,
       CASE WHEN g %% 10 < 7 THEN 'CARD' ELSE 'BALANCE' END,
       CASE WHEN g %% 10 < 7 THEN 'CARD' || lpad((g %% 100000)::text, 12, '0') END, 'SELL_CONFIRMED'
FROM generate_series(1, %(assets)s) g;
INSERT INTO sell_record (asset_id, product_id, principal, interest, amount, hjs_amount)
SELECT id, product_id, 5000, 225.00, 5225.00, 5225.00 FROM asset;
INSERT INTO asset_extra_interest (asset_id, coupon_code, kind, boost_rate, boost_days, extra_interest)
SELECT id, 'R' || id, 'RATE_BOOST', 0.01, NULL, 50.00 FROM asset WHERE id %% 5 = 0
UNION ALL
SELECT id, 'D' || id, 'DAILY_BOOST', 0.02, 30, 8.22 FROM asset WHERE id %% 10 = 0;
ANALYZE;
"""

# The rows pay_maturity_day will write, computed here once for the baseline (not timed).
EXPECTED_ROWS = """
COPY (
    SELECT a.id, s.id, a.product_id, a.user_id, s.principal, s.interest, COALESCE(b.boost, 0),
           s.amount + COALESCE(b.boost, 0),
           CASE WHEN b.boost IS NULL AND a.pay_method = 'CARD' THEN 'CARD' ELSE 'BALANCE' END,
           CASE WHEN b.boost IS NULL AND a.pay_method = 'CARD' THEN a.card_id END, 'bench'
    FROM asset a JOIN sell_record s ON s.asset_id = a.id
    LEFT JOIN (SELECT asset_id, sum(extra_interest) AS boost FROM asset_extra_interest GROUP BY asset_id) b
           ON b.asset_id = a.id
    ORDER BY a.id
) TO STDOUT
"""
COLUMNS = ("asset_id, sell_record_id, product_id, user_id, principal, interest, boost_interest, amount, destination, "
           "card_id, run_id")


# The same work as pay_maturity_day, set-wise: every order of the day in one statement, then every move.
SETWISE = (
    """INSERT INTO payback_order (asset_id, sell_record_id, product_id, user_id, principal, interest, boost_interest,
                                  amount, destination, card_id, run_id)
       SELECT a.id, s.id, a.product_id, a.user_id, s.principal, s.interest, COALESCE(b.boost, 0),
              s.principal + s.interest + COALESCE(b.boost, 0), d.destination,
              CASE WHEN d.destination = 'CARD' THEN a.card_id END, 'setwise'
       FROM hjs_product p
       JOIN asset a ON a.product_id = p.id AND a.status = 'SELL_CONFIRMED'
       JOIN sell_record s ON s.asset_id = a.id
       LEFT JOIN (SELECT asset_id, sum(extra_interest) AS boost FROM asset_extra_interest GROUP BY asset_id) b
              ON b.asset_id = a.id
       CROSS JOIN LATERAL (SELECT payback_destination(a.pay_method, b.boost IS NOT NULL) AS destination) d
       WHERE p.maturity_date = %(day)s""",
    """UPDATE asset a SET status = 'SELL_SUCCESS', updated_at = now()
       FROM payback_order o
       WHERE o.asset_id = a.id AND a.status = 'SELL_CONFIRMED'""",
)


# What --without removes, on the bench's throwaway database only.
EXPERIMENTS = {
    "fks": "ALTER TABLE payback_order DROP CONSTRAINT payback_order_asset_id_fkey, "
           "DROP CONSTRAINT payback_order_sell_record_id_fkey, DROP CONSTRAINT payback_order_product_id_fkey",
    "guard": "DROP TRIGGER asset_status_guard ON asset",
}


@dataclass(frozen=True)
class Round:
    """One measurement, in a fresh copy of the set-up database: seconds, and the backend's CPU seconds."""
    copy: float
    setwise: float
    setwise_cpu: float
    pay: float
    pay_cpu: float
    rerun: float


def one_round(conn, text: str, assets: int) -> Round:
    """The COPY baseline, the set-wise baseline (rolled back), then pay_maturity_day and its rerun."""
    started = time.perf_counter()
    with transaction(conn) as cur:
        with cur.copy(f"COPY payback_copy ({COLUMNS}) FROM STDIN") as copy:
            copy.write(text)
    copy_seconds = time.perf_counter() - started

    setwise_rows, setwise_seconds, setwise_cpu = setwise_baseline(conn, "asset, payback_order", SETWISE, {"day": DAY})

    started, cpu = time.perf_counter(), cpu_seconds(conn)
    result = pay_maturity_day(conn, DAY, run_id="bench-1", progress=lambda _: None)
    pay_seconds, pay_cpu = time.perf_counter() - started, cpu_seconds(conn) - cpu

    started = time.perf_counter()
    again = pay_maturity_day(conn, DAY, run_id="bench-2", progress=lambda _: None)
    rerun_seconds = time.perf_counter() - started

    with transaction(conn) as cur:
        cur.execute("SELECT (SELECT count(*) FROM payback_order), (SELECT count(*) FROM payback_copy), "
                    "(SELECT count(*) FROM asset WHERE status = 'SELL_SUCCESS'), "
                    "(SELECT count(*) FROM (SELECT asset_id, amount, destination, card_id FROM payback_order "
                    " EXCEPT SELECT asset_id, amount, destination, card_id FROM payback_copy) d)")
        orders, copied, moved, differing = cur.fetchone()
    assert result.new_orders == orders == copied == moved == assets and differing == 0, (orders, copied, moved)
    assert again.new_orders == 0 and not again.unpaid
    assert setwise_rows == assets, setwise_rows
    return Round(copy_seconds, setwise_seconds, setwise_cpu, pay_seconds, pay_cpu, rerun_seconds)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--assets", type=int, default=1_000_000)
    parser.add_argument("--repeat", type=int, default=1, help="rounds, each in a fresh copy of the set-up database; "
                                                                 "the best of each figure is reported")
    parser.add_argument("--without", default="", help="comma-separated: fks, guard (an experiment, see above)")
    args = parser.parse_args()
    without = {part for part in args.without.split(",") if part}
    if without - set(EXPERIMENTS):
        parser.error(f"--without takes {', '.join(EXPERIMENTS)}")
    products = max(1, args.assets // HOLDERS)
    assets = products * HOLDERS

    rounds = []
    with tempfile.TemporaryDirectory(prefix="hjs-bench-") as folder:
        pg = EmbeddedPostgres(Path(folder) / "pg")
        try:
            conn = pg.ensure_database("bench_payback").connect()
            apply_migrations(conn)
            started = time.perf_counter()
            with transaction(conn) as cur:
                params = {"value": date(2025, 11, 27), "day": DAY, "products": products, "holders": HOLDERS,
                          "assets": assets}
                # one statement per execute: psycopg 3 binds parameters server-side, one statement at a time
                for statement in SETUP.split(";\n"):
                    if statement.strip():
                        cur.execute(statement, params)
            setup_seconds = time.perf_counter() - started
            rows = io.StringIO()
            with transaction(conn) as cur:
                with cur.copy(EXPECTED_ROWS) as copy:
                    for data in copy:
                        rows.write(bytes(data).decode())
                cur.execute("CREATE TABLE payback_copy (LIKE payback_order INCLUDING ALL)")
                for name in sorted(without):
                    cur.execute(EXPERIMENTS[name])
            text = rows.getvalue()
            conn.close()  # the set-up database is the template of every round's copy
            for number in range(args.repeat):
                name = f"bench_payback_round_{number}"
                conn = pg.ensure_database(name, template="bench_payback").connect()
                try:
                    rounds.append(one_round(conn, text, assets))
                finally:
                    conn.close()
                    pg.drop_database(name)
        finally:
            pg.stop()

    best = Round(*(min(getattr(r, f) for r in rounds) for f in Round.__dataclass_fields__))
    print(f"maturity payback: {products:,} products x {HOLDERS} holders = {assets:,} assets "
          f"(set-up {setup_seconds:.1f} s, not timed; best of {len(rounds)} round(s))"
          + (f"; WITHOUT {', '.join(sorted(without))}" if without else ""))
    print(f"{'step':<58}{'seconds':>9}{'rows/s':>12}")
    print(f"{'baseline: raw COPY into an empty payback_order-shaped table':<58}{best.copy:>9.1f}"
          f"{assets / best.copy:>12,.0f}")
    print(f"{'baseline: the same work set-wise in one transaction':<58}{best.setwise:>9.1f}"
          f"{assets / best.setwise:>12,.0f}")
    print(f"{'pay_maturity_day (guard, insert, move, 100 products/stmt)':<58}{best.pay:>9.1f}"
          f"{assets / best.pay:>12,.0f}")
    print(f"{'rerun of the same day (writes nothing)':<58}{best.rerun:>9.1f}")
    print(f"ratio COPY / payback = {best.copy / best.pay:.2f}; "
          f"ratio set-wise / payback = {best.setwise / best.pay:.2f} (goal >= 0.8)")
    print_backend_cpu("", "payback", best.setwise_cpu, best.pay_cpu,
                      [(r.setwise, r.pay, r.setwise_cpu, r.pay_cpu) for r in rounds])


if __name__ == "__main__":
    main()
