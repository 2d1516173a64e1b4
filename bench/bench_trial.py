"""T-3 trial: comparison, loading the two sides, writing sell records - each against its baseline.

    .venv/bin/python bench/bench_trial.py [--assets 1000000] [--repeat 3] [--skip-db]

In one process, on an embedded PostgreSQL in a temporary folder:
1. comparison: hjs_operators.domain.reconciliation.compare on N asset pairs against datacompy's
   PandasCompare(abs_tol=5) on the same in-memory frames (best of --repeat each; the classes are
   checked to be the same);
2. loading: trial.sides.load_zw_side + load_hjs_side (COPY ... TO STDOUT, parsed into int64 frames)
   against the raw COPY ... TO STDOUT of the same queries into memory (no parsing);
3. sell records: trial.sell.write_sell_records (staged COPY, then each product all or nothing, 100
   products a statement and a transaction: trial/sell_products.sql with ON CONFLICT DO NOTHING and the
   conditional status move, the per-product counts checked) against a raw COPY of the same rows into an
   empty table of sell_record's shape (LIKE sell_record INCLUDING ALL), and against the same work done
   set-wise in one transaction on the same tables (the same staging, one INSERT ... SELECT of every
   sell record, one UPDATE of the assets' status; the same foreign keys and status trigger), rolled
   back so the real thing starts from the same state (the baseline pays no commit); a VACUUM
   (untimed) before each of the two, so both start with no dead rows; --repeat rounds, each in a fresh
   copy of the database (CREATE DATABASE ... TEMPLATE, untimed), the best of each figure reported.
The data is synthetic: N / 200 products of 200 assets, HJS's snapshot one fen below zw on a third of
the assets (as the truncation of interest does). Prints seconds, rows/s and ratios; asserts only that
the sell records are all written, and none by the rerun.
"""

from __future__ import annotations

import argparse
import io
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path[:0] = [str(ROOT), str(ROOT / "plugins")]

import numpy as np  # noqa: E402
import pandas as pd  # noqa: E402

from bench.backend import cpu_seconds, print_backend_cpu, setwise_baseline  # noqa: E402
from hjs_operators.domain import reconciliation as rec  # noqa: E402

RUN = "bench-run"


def best(fn, repeat: int) -> tuple[float, object]:
    times, result = [], None
    for _ in range(repeat):
        started = time.perf_counter()
        result = fn()
        times.append(time.perf_counter() - started)
    return min(times), result


def comparison(n: int, repeat: int) -> None:
    import datacompy

    rng = np.random.default_rng(7)
    keys = np.arange(1, n + 1, dtype=np.int64)
    amount = rng.integers(500_000, 50_000_000, n)
    diff = rng.integers(0, 2, n)  # one fen of truncation on about half of them
    diff[rng.random(n) < 0.001] += 40  # and a few real mismatches
    zw = pd.DataFrame({"product_id": keys // 200, "key": keys, "asset_id": keys, "amount": amount,
                       "problem": pd.Series([None] * n, dtype=object)})
    hjs = pd.DataFrame({"product_id": keys // 200, "key": keys, "holder": keys, "amount": amount - diff,
                        "problem": pd.Series([None] * n, dtype=object)}).sample(frac=1, random_state=1)
    hjs = hjs.reset_index(drop=True)
    t_dc, cmp = best(lambda: datacompy.PandasCompare(zw[["key", "amount"]], hjs[["key", "amount"]],
                                                     join_columns="key", abs_tol=5), repeat)
    t_ours, ours = best(lambda: rec.compare(zw, hjs), repeat)
    dc_mismatch = int((~cmp.intersect_rows["amount_match"]).sum())
    our_mismatch = ours.class_counts()[rec.MISMATCH]
    print(f"comparison of {n:,} pairs: datacompy {t_dc:.3f} s, ours {t_ours:.3f} s -> ours {t_dc / t_ours:.2f}x "
          f"faster; mismatches datacompy {dc_mismatch}, ours {our_mismatch} (same: {dc_mismatch == our_mismatch})")


def database(n: int, repeat: int) -> None:
    from hjs_operators.repository.db import transaction
    from hjs_operators.repository.migrations import apply_migrations
    from hjs_operators.repository.sql_files import load_sql
    from hjs_operators.trial import sell, sides
    from stack.postgres import EmbeddedPostgres

    products = max(1, n // 200)
    with tempfile.TemporaryDirectory(prefix="hjs-bench-trial-") as folder:
        pg = EmbeddedPostgres(Path(folder) / "pg")
        try:
            conn = pg.ensure_database("bench_trial").connect()
            apply_migrations(conn)
            started = time.perf_counter()
            with transaction(conn) as cur:
                cur.execute("INSERT INTO hjs_channel VALUES ('HJS_A', 'bench')")
                cur.execute("""
                    INSERT INTO hjs_product (id, product_code, product_name, channel_code, sequence_no, total_amount,
                                             share_amount, annual_rate, value_date, maturity_date, status)
                    SELECT g, 'BENCH' || g, 'bench ' || g, 'HJS_A', g, 1000000, 5000, 0.045, '2025-11-27',
                           '2026-11-27', 'SOLD_OUT'
                    FROM generate_series(1, %(products)s) g""", {"products": products})
                cur.execute("""
                    INSERT INTO asset (id, user_id, product_id, share_amount, shares, create_amount,
                                       create_expected_interest, pay_method, status)
                    SELECT (p - 1) * 200 + i, 1, p, 5000, 1, 5000, 225.00 + (i %% 7) * 0.01, 'BALANCE',
                           'INVEST_SUCCESS'
                    FROM generate_series(1, %(products)s) p, generate_series(1, 200) i""", {"products": products})
                cur.execute("""
                    INSERT INTO hjs_amount_snapshot (run_id, product_id, order_no, asset_id, holder_asset_id,
                                                     principal, interest, amount, amount_raw)
                    SELECT %(run)s, a.product_id, 'ZWI' || lpad(a.id::text, 16, '0'), a.id::text, a.id::text,
                           a.create_amount, a.create_expected_interest - (a.id %% 3 = 0)::int * 0.01,
                           a.create_amount + a.create_expected_interest - (a.id %% 3 = 0)::int * 0.01, 'x'
                    FROM asset a""", {"run": RUN})
                cur.execute("ANALYZE")
            ids = list(range(1, products + 1))
            print(f"setup: {products:,} products, {products * 200:,} assets and snapshot rows in "
                  f"{time.perf_counter() - started:.1f} s")

            def raw_copy():
                total = 0
                for sql, params in ((f"COPY ({sides.zw_side_sql()}) TO STDOUT WITH (FORMAT csv)", {"product_ids": ids}),
                                    (load_sql("trial/copy_hjs_side.sql"), {"run_id": RUN, "product_ids": ids})):
                    buffer = io.BytesIO()
                    with transaction(conn) as cur, cur.copy(sql, params) as copy:
                        for data in copy:
                            buffer.write(data)
                    total += buffer.tell()
                return total

            def ours():
                return sides.load_zw_side(conn, ids), sides.load_hjs_side(conn, RUN, ids)

            t_copy, _ = best(raw_copy, repeat)
            t_load, (zw, hjs) = best(ours, repeat)
            rows = len(zw) + len(hjs)
            print(f"loading both sides ({rows:,} rows): raw COPY TO STDOUT {t_copy:.2f} s "
                  f"({rows / t_copy:,.0f} rows/s),"
                  f" ours {t_load:.2f} s ({rows / t_load:,.0f} rows/s) -> {t_copy / t_load:.2f} of COPY's rate")

            started = time.perf_counter()
            result = rec.compare(zw, hjs)
            print(f"comparison of the loaded frames: {time.perf_counter() - started:.2f} s, "
                  f"{result.class_counts()[rec.MATCH]:,} MATCH, {len(result.held_products())} held products")
            to_sell = sell.rows_to_sell(zw, result.assets, hjs)

            # baseline: the same rows, COPY'd into an empty table of sell_record's shape
            buffer = io.StringIO()
            frame = pd.DataFrame({
                "asset_id": to_sell["asset_id"], "product_id": to_sell["product_id"],
                "principal": zw.set_index("asset_id").loc[to_sell["asset_id"], "principal"].to_numpy(),
                "interest": zw.set_index("asset_id").loc[to_sell["asset_id"], "interest"].to_numpy()})
            lines = [f"{a}\t{p}\t{pr // 100}.{pr % 100:02d}\t{i // 100}.{i % 100:02d}\t{(pr + i) // 100}."
                     f"{(pr + i) % 100:02d}\t{RUN}\n"
                     for a, p, pr, i in frame.itertuples(index=False)]
            buffer.write("".join(lines))
            with transaction(conn) as cur:
                cur.execute("CREATE TABLE bench_sell (LIKE sell_record INCLUDING ALL)")
            conn.close()  # the database is now the template of every sell-record round's copy
            rounds = []
            for number in range(repeat):
                name = f"bench_trial_round_{number}"
                conn = pg.ensure_database(name, template="bench_trial").connect()
                try:
                    rounds.append(sell_round(conn, to_sell, buffer.getvalue(), explain=number == 0))
                finally:
                    conn.close()
                    pg.drop_database(name)
        finally:
            pg.stop()
    top = SellRound(*(min(getattr(r, f) for r in rounds) for f in SellRound.__dataclass_fields__))
    k = len(to_sell)
    print(f"sell records ({k:,} rows, {products:,} products, best of {len(rounds)} round(s) in fresh copies of "
          f"the database): raw COPY {top.raw:.2f} s ({k / top.raw:,.0f} rows/s), ours {top.ours:.2f} s "
          f"({k / top.ours:,.0f} rows/s) -> {top.raw / top.ours:.2f} of COPY's rate; set-wise in one transaction "
          f"{top.setwise:.2f} s -> {top.setwise / top.ours:.2f} of the set-wise rate (goal >= 0.8); rerun "
          f"{top.rerun:.2f} s writing nothing")
    print_backend_cpu("sell records, ", "ours", top.setwise_cpu, top.ours_cpu,
                      [(r.setwise, r.ours, r.setwise_cpu, r.ours_cpu) for r in rounds])


@dataclass(frozen=True)
class SellRound:
    """One sell-record measurement: seconds, and the backend's CPU seconds."""
    raw: float
    setwise: float
    setwise_cpu: float
    ours: float
    ours_cpu: float
    rerun: float


def sell_round(conn, to_sell: pd.DataFrame, copy_text: str, *, explain: bool) -> SellRound:
    """The raw COPY baseline, the set-wise baseline (rolled back), then write_sell_records and its rerun."""
    from hjs_operators.repository.db import transaction
    from hjs_operators.repository.sql_files import load_sql
    from hjs_operators.trial import sell

    started = time.perf_counter()
    with transaction(conn) as cur, cur.copy("COPY bench_sell (asset_id, product_id, principal, interest, "
                                            "amount, run_id) FROM STDIN") as copy:
        copy.write(copy_text)
    t_raw = time.perf_counter() - started

    setwise_rows, t_setwise, cpu_setwise = setwise_baseline(conn, "asset, sell_record", SETWISE_SELL, {"run_id": RUN},
                                                            before=lambda c: sell.stage(c, to_sell))
    assert setwise_rows == len(to_sell), setwise_rows

    started, cpu = time.perf_counter(), cpu_seconds(conn)
    written = sell.write_sell_records(conn, RUN, to_sell)
    t_sell, cpu_sell = time.perf_counter() - started, cpu_seconds(conn) - cpu
    if explain and "--explain" in sys.argv:
        with transaction(conn) as cur:
            cur.execute("EXPLAIN ANALYZE " + load_sql("trial/sell_products.sql"), {"run_id": RUN, "product_ids": [3]})
            print("sell_products", "\n".join(r[0] for r in cur.fetchall()))
    started = time.perf_counter()
    again = sell.write_sell_records(conn, RUN, to_sell)
    t_again = time.perf_counter() - started
    assert written.inserted == len(to_sell) and not written.failed, (written.inserted, written.failed)
    assert again.inserted == 0 and not again.failed
    return SellRound(t_raw, t_setwise, cpu_setwise, t_sell, cpu_sell, t_again)


# The same work as write_sell_records after its staging, set-wise: every sell record, then every move.
SETWISE_SELL = (
    """INSERT INTO sell_record (asset_id, product_id, principal, interest, amount, hjs_amount, run_id)
       SELECT a.id, a.product_id, a.create_amount, a.create_expected_interest,
              a.create_amount + a.create_expected_interest, s.hjs_fen / 100.0, %(run_id)s
       FROM trial_sell_stage s JOIN asset a ON a.id = s.asset_id
       WHERE a.status = 'INVEST_SUCCESS'""",
    """UPDATE asset a SET status = 'SELL_CONFIRMED', updated_at = now()
       FROM trial_sell_stage s
       WHERE a.id = s.asset_id AND a.status = 'INVEST_SUCCESS'""",
)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--assets", type=int, default=1_000_000)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--skip-db", action="store_true")
    parser.add_argument("--explain", action="store_true", help="EXPLAIN ANALYZE the per-product statements")
    args = parser.parse_args()
    comparison(args.assets, args.repeat)
    if not args.skip_db:
        database(args.assets, args.repeat)


if __name__ == "__main__":
    main()
