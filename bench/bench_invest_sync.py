"""Invest sync: subscriptions per second against the sandbox with 20 ms latency, 8 calls in flight.

Builds a zw database (embedded PostgreSQL, migrated) with N one-share INVEST_START assets in packages
of 200, starts the sandbox with latency_ms=20 and the packages registered, then:

1. bound (same run, same sandbox): 8 calls in flight can do at most 8 / 0.020 s = 400 calls/s; the
   bench also measures what 8 in flight of the cheapest call (product.query) actually reach here,
   with the same process/thread layout as the sync;
2. the sync: InvestSync.subscribe_batch (the code of the subscribe_batches task) over the DAG's
   batches (plan_batches: 25 products each by default), dealt out to P processes x T threads (P*T = 8
   calls in flight: two mapped tasks of 4 pool slots each, as the DAG runs them), until every asset is
   INVEST_SUCCESS; then it checks exactly once on both sides.
It reports subscriptions/s, the ratio to the bound and to the measured ceiling, and CPU seconds of
the workers, the sandbox, PostgreSQL and everything else on the machine.

    .venv/bin/python bench/bench_invest_sync.py [--assets 100000] [--processes 2] [--threads 4]
        [--products-per-batch 25] [--booking-group 200] [--booking-linger 0.1]

Not a test: it prints figures and asserts only that the result is exactly once.
"""

from __future__ import annotations

import argparse
import multiprocessing
import os
import sys
import tempfile
import threading
import time
from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

REPO = Path(__file__).resolve().parent.parent
SEED_SQL = Path(__file__).resolve().parent / "invest_sync_seed.sql"  # benchmark data only, not product SQL
sys.path[:0] = [str(REPO), str(REPO / "plugins")]

from hjs_operators.invest_sync.booking import GROUP_SIZE, LINGER_SECONDS  # noqa: E402
from hjs_operators.invest_sync.service import DEFAULT_PRODUCTS_PER_BATCH, plan_batches  # noqa: E402

LATENCY_MS = 20
CUTOFF = datetime(2026, 11, 25, tzinfo=ZoneInfo("Asia/Shanghai"))


def _client(base_url: str):
    from hjs_operators.client import HjsClient, RetryPolicy, Timeouts
    from hjs_operators.protocol import ProtocolSettings
    from tests.fixtures.sandbox import TEST_IV, TEST_KEY, TEST_MERCHANT_ID

    settings = ProtocolSettings.from_strings(merchant_id=TEST_MERCHANT_ID, key=TEST_KEY, mode="CBC", iv=TEST_IV,
                                             sign_type="HMAC-SHA256", charset="UTF-8")
    return HjsClient(base_url, settings, timeouts=Timeouts(connect=5, read=30),
                     retry=RetryPolicy(max_attempts=5, base_delay=0.05, max_delay=0.5))


def _ceiling_worker(base_url: str, threads: int, seconds: float, start, out) -> None:
    counts = [0] * threads

    def loop(index: int) -> None:
        client = _client(base_url)
        deadline = time.monotonic() + seconds
        while time.monotonic() < deadline:
            client.query_product("BENCH000001")
            counts[index] += 1

    start.wait()
    workers = [threading.Thread(target=loop, args=(i,)) for i in range(threads)]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join()
    out.put(sum(counts))


def _sync_worker(dsn: str, base_url: str, batches: list[tuple[int, int]], threads: int, booking: dict, start,
                 out) -> None:
    import logging

    import psycopg

    from hjs_operators.invest_sync.service import InvestSync

    logging.basicConfig(level=logging.WARNING)
    start.wait()
    done = 0
    for first, last in batches:
        sync = InvestSync(connect=lambda: psycopg.connect(dsn), client_factory=lambda: _client(base_url),
                          run_id="bench", cutoff=CUTOFF, concurrency=threads, progress_every=10**9, **booking)
        result = sync.subscribe_batch(first, last)
        done += result["subscribed"] + result["already_at_hjs"]
    out.put(done)


def _cpu_of(pid: int) -> float:
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def _tree_cpu(pid: int) -> float:
    """CPU seconds of a process, of its children it has reaped (PostgreSQL's ended backends) and of its
    live children."""
    total = 0.0
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except OSError:  # ended meanwhile
            continue
        if int(fields[1]) == pid:
            total += (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return total + sum(int(x) for x in fields[11:15]) / os.sysconf("SC_CLK_TCK")


def _machine_busy() -> float:
    fields = [int(x) for x in Path("/proc/stat").read_text().splitlines()[0].split()[1:]]
    idle = fields[3] + fields[4]
    return (sum(fields[:8]) - idle) / os.sysconf("SC_CLK_TCK")


def _run_processes(target, args_per_process) -> tuple[list[int], float, float]:
    """Start the processes, release them together; (their results, wall seconds, their CPU seconds)."""
    ctx = multiprocessing.get_context("spawn")
    start, out = ctx.Event(), ctx.Queue()
    processes = [ctx.Process(target=target, args=(*args, start, out)) for args in args_per_process]
    for process in processes:
        process.start()
    time.sleep(2.0)  # let them import before the clock starts
    cpu_before = sum(_cpu_of(p.pid) for p in processes)
    began = time.perf_counter()
    start.set()
    results = [out.get() for _ in processes]
    wall = time.perf_counter() - began
    cpu = sum(_cpu_of(p.pid) for p in processes) - cpu_before
    for process in processes:
        process.join()
    return results, wall, cpu


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--assets", type=int, default=100_000)
    parser.add_argument("--processes", type=int, default=2)
    parser.add_argument("--threads", type=int, default=4)
    parser.add_argument("--ceiling-seconds", type=float, default=5.0)
    parser.add_argument("--products-per-batch", type=int, default=DEFAULT_PRODUCTS_PER_BATCH,
                        help="products per subscribe_batch call, as the DAG's plan_batches cuts them")
    parser.add_argument("--booking-group", type=int, default=GROUP_SIZE)
    parser.add_argument("--booking-linger", type=float, default=LINGER_SECONDS)
    args = parser.parse_args()
    booking = {"booking_group": args.booking_group, "booking_linger": args.booking_linger}

    from hjs_operators.repository.migrations import apply_migrations
    from stack.postgres import EmbeddedPostgres
    from tests.fixtures.sandbox import start_sandbox

    in_flight = args.processes * args.threads
    bound = in_flight / (LATENCY_MS / 1000)
    products = -(-args.assets // 200)
    with tempfile.TemporaryDirectory(prefix="hjs-bench-") as root:
        pg = EmbeddedPostgres(Path(root) / "pg")
        sandbox = None
        try:
            zw = pg.ensure_database("zw_bench")
            conn = zw.connect()
            apply_migrations(conn)
            with conn.cursor() as cur:
                # one statement per execute: psycopg 3 binds parameters server-side, one statement at a time
                for statement in SEED_SQL.read_text(encoding="utf-8").split(";\n"):
                    if statement.strip():
                        cur.execute(statement, {"products": products, "assets": args.assets})
                cur.execute("SELECT id, product_code FROM hjs_product WHERE channel_code = 'BENCH' ORDER BY id")
                rows = cur.fetchall()
            conn.commit()
            sandbox = start_sandbox(Path(root) / "sandbox", log_level="warning", faults={"latency_ms": LATENCY_MS})
            sandbox.admin.upsert_products([
                {"productCode": code, "productName": f"bench {code}", "channel": "BENCH", "totalAmount": "1000000.00",
                 "shareAmount": "5000.00", "annualRate": "0.045000", "dayCount": "ACT/365",
                 "valueDate": "2026-01-01", "maturityDate": "2026-12-31"} for _, code in rows])
            print(f"{args.assets:,} assets in {len(rows)} packages; sandbox latency {LATENCY_MS} ms; "
                  f"{args.processes} process(es) x {args.threads} thread(s) = {in_flight} calls in flight; "
                  f"{args.products_per_batch} product(s) per batch; booking groups of up to {args.booking_group} "
                  f"within {args.booking_linger} s")

            counts, wall, _ = _run_processes(
                _ceiling_worker, [(sandbox.base_url, args.threads, args.ceiling_seconds)] * args.processes)
            ceiling = sum(counts) / wall
            print(f"bound: {in_flight} / {LATENCY_MS} ms = {bound:.0f} calls/s; measured product.query ceiling "
                  f"with the same layout: {ceiling:.0f} calls/s ({ceiling / bound:.2f} of the bound)")

            # the DAG's batches (contiguous product ranges), dealt out in turn: equal work per process
            planned = [(b["first_product_id"], b["last_product_id"])
                       for b in plan_batches([product_id for product_id, _ in rows], per_batch=args.products_per_batch)]
            batches = [planned[i::args.processes] for i in range(args.processes)]
            sandbox_cpu, pg_cpu, machine = _cpu_of(sandbox.process.pid), _tree_cpu(pg.pid), _machine_busy()
            done, wall, worker_cpu = _run_processes(
                _sync_worker, [(zw.dsn, sandbox.base_url, b, args.threads, booking) for b in batches])
            sandbox_cpu = _cpu_of(sandbox.process.pid) - sandbox_cpu
            pg_cpu = _tree_cpu(pg.pid) - pg_cpu
            machine = _machine_busy() - machine
            rate = sum(done) / wall
            print(f"invest sync: {sum(done):,} subscriptions in {wall:.1f} s = {rate:.0f}/s: "
                  f"{rate / bound:.2f} of the bound, {rate / ceiling:.2f} of the measured ceiling")
            print(f"CPU seconds during the sync ({os.cpu_count()} CPUs x {wall:.1f} s = "
                  f"{os.cpu_count() * wall:.0f} available): workers {worker_cpu:.1f}, sandbox {sandbox_cpu:.1f}, "
                  f"PostgreSQL {pg_cpu:.1f}, rest of the machine (kernel, other jobs) "
                  f"{machine - worker_cpu - sandbox_cpu - pg_cpu:.1f}")
            per_ms = 1000 / max(1, sum(done))
            print(f"CPU per subscription: workers {worker_cpu * per_ms:.2f} ms, sandbox {sandbox_cpu * per_ms:.2f} ms, "
                  f"PostgreSQL {pg_cpu * per_ms:.2f} ms")

            with conn.cursor() as cur:
                cur.execute("SELECT count(*) FILTER (WHERE status = 'INVEST_SUCCESS'), count(*) FROM asset")
                success, total = cur.fetchone()
                cur.execute("SELECT count(*) FROM invest_record")
                records = cur.fetchone()[0]
            conn.close()
            at_hjs = sum(p["sharesSubscribed"] for p in sandbox.admin.products())
            print(f"check: {success:,}/{total:,} INVEST_SUCCESS, {records:,} invest records, {at_hjs:,} shares at HJS")
            assert success == total == records == at_hjs, "not exactly once"
        finally:
            if sandbox is not None:
                sandbox.stop()
            pg.stop()


if __name__ == "__main__":
    main()
