"""The whole T-3 trial run under the scheduler: the real DAG, the real stack, the sandbox at 20 ms latency.

    .venv/bin/python bench/bench_trial_run.py [--products 5000] [--assets-per-product 200] [--latency-ms 20]
        [--batch-size 50] [--keep]

1. builds zw (embedded PostgreSQL, migrated) in a temporary folder with set-wise SQL: N products of
   the channel HJS_BENCH maturing on run day + OFFSET_DAYS (after the scheduler's own run's target),
   200 one-share INVEST_SUCCESS assets each with invest
   records, a fifth of them boosted, one transfer in every fifth product (every second one already
   registered at HJS, the others left for the close step) and a chain A -> B -> C in every 1000th;
2. starts `python -m stack.run` on that folder (free ports, its own AIRFLOW_HOME): it seeds the sandbox
   from zw (products and subscriptions, holders as registered) and starts PostgreSQL, the SMTP sink and
   Airflow's api-server, scheduler, dag-processor and triggerer, with the hjs_api pool of 8 slots;
3. sets the sandbox's latency (POST /admin/faults), unpauses hjs_trial_reconciliation through the REST
   API, lets the scheduler's own catch-up run (another day, no products) finish, then triggers the run
   for the run day (offset_days = OFFSET_DAYS) and waits for it;
4. reads every task instance (mapped ones too) from the REST API and prints a per-task table, with
   what happened inside each task's window: HJS calls and the sandbox's time (its log), zw's and the
   metadata database's active time (pg_stat_database), CPU seconds by process group;
5. asserts the result: every product SETTLE, one sell record per current holder with zw's amounts,
   every holder SELL_CONFIRMED, every transfer registered, one settlement notice (one e-mail);
6. stops the stack (SIGINT, as Ctrl-C), checks that no process it started is left, removes the folder.

Columns of the table, per task (all its mapped instances together): inst(ances), wall (first start to
last end), gap (the previous task's last end to this one's first start: scheduling), sum / median / max
of the instances' durations, conc(urrency) = sum / wall, HJS calls ending in the window and the
sandbox's own time for them (latency included), active time of the zw and Airflow metadata databases
in the window, CPU seconds in the window of Airflow (every Airflow process and the task processes), the
sandbox, PostgreSQL, and the rest of the machine (other jobs).

Speed is printed, never asserted. Nothing secret is printed: the admin password is read from the
stack's secrets file and only sent to the API.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import signal
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from decimal import Decimal
from pathlib import Path
from zoneinfo import ZoneInfo

REPO = Path(__file__).resolve().parent.parent
sys.path[:0] = [str(REPO), str(REPO / "plugins")]

import psutil  # noqa: E402
import requests  # noqa: E402

DAG_ID = "hjs_trial_reconciliation"
CHANNEL = "HJS_BENCH"
SHANGHAI = ZoneInfo("Asia/Shanghai")
READY_LINE = "Ctrl-C stops everything"
TASK_ORDER = ("select_products", "close_transfers", "fetch_amounts", "compare_products", "build_report",
              "route_products", "settle_matched", "send_settlement_notice", "alert_held")

# --- zw: set-wise build ------------------------------------------------------------------------------

BUILD_SQL = """
SET LOCAL session_replication_role = replica;  -- foreign keys proven set-wise afterwards, as demo/load.py
INSERT INTO hjs_channel VALUES ('HJS_BENCH', 'bench channel');
INSERT INTO hjs_product (id, product_code, product_name, channel_code, sequence_no, total_amount, share_amount,
                         annual_rate, day_count, value_date, maturity_date, status, transfer_open)
SELECT g, 'BT' || lpad(g::text, 6, '0'), 'bench trial ' || g, 'HJS_BENCH', g,
       5000.00 * %(per)s, 5000.00, 0.0350 + 0.0005 * (g %% 31),
       CASE WHEN g %% 10 = 0 THEN 'ACT/360' ELSE 'ACT/365' END,
       %(maturity)s::date - 365 + (g %% 7), %(maturity)s::date, 'SOLD_OUT', TRUE
FROM generate_series(1, %(products)s) g;
-- the subscribers: one share each; zw's interest rounded half-up to the fen (HJS truncates)
INSERT INTO asset (id, user_id, product_id, share_amount, shares, create_amount, create_expected_interest,
                   pay_method, card_id, status, created_at, updated_at)
SELECT (p.id - 1) * %(per)s + i, 1 + ((p.id - 1) * %(per)s + i) %% 300000, p.id, 5000.00, 1, 5000.00,
       round(5000.00 * p.annual_rate * (p.maturity_date - p.value_date)
             / CASE p.day_count WHEN 'ACT/360' THEN 360 ELSE 365 END, 2),
       CASE WHEN i %% 10 < 7 THEN 'CARD' ELSE 'BALANCE' END,
       CASE WHEN i %% 10 < 7 THEN 'CARD' || lpad((1 + ((p.id - 1) * %(per)s + i) %% 300000)::text, 12, '0') END,
       'INVEST_SUCCESS', p.value_date - 3, p.value_date - 3
FROM hjs_product p, generate_series(1, %(per)s) i
WHERE p.channel_code = 'HJS_BENCH';
INSERT INTO invest_record (asset_id, order_no, hjs_order_id, amount, accepted_at, run_id)
SELECT a.id, 'ZWI' || lpad(a.id::text, 16, '0'), 'HJSO' || lpad(a.id::text, 12, '0'), a.create_amount,
       a.created_at + interval '1 hour', 'bench'
FROM asset a;
-- boosts on a fifth of the subscribers (their payback goes to the balance account)
INSERT INTO asset_extra_interest (asset_id, coupon_code, kind, boost_rate, extra_interest, created_at)
SELECT a.id, 'CPN' || lpad(a.id::text, 10, '0'), 'RATE_BOOST', 0.005,
       round(5000.00 * 0.005 * (p.maturity_date - p.value_date)
             / CASE p.day_count WHEN 'ACT/360' THEN 360 ELSE 365 END, 2), a.created_at
FROM asset a JOIN hjs_product p ON p.id = a.product_id
WHERE a.id %% 5 = 0;
-- transfers: the first subscriber of every fifth product sells (A -> B), in every 1000th B sells on (B -> C)
CREATE TEMP TABLE bench_transfer ON COMMIT DROP AS
SELECT row_number() OVER (ORDER BY p.id, step) AS liquidate_id, p.id AS product_id, step,
       CASE step WHEN 1 THEN (p.id - 1) * %(per)s + 1 ELSE %(products)s::bigint * %(per)s + p.id END AS seller,
       CASE step WHEN 1 THEN %(products)s::bigint * %(per)s + p.id
                 ELSE %(products)s::bigint * %(per)s + %(products)s + p.id END AS buyer
FROM hjs_product p CROSS JOIN generate_series(1, 2) step
WHERE p.id %% 5 = 0 AND (step = 1 OR p.id %% 1000 = 0);
INSERT INTO asset (id, user_id, product_id, share_amount, shares, create_amount, create_expected_interest,
                   pay_method, card_id, status, origin_asset_id, created_at, updated_at)
SELECT t.buyer, 300000 + t.liquidate_id, s.product_id, s.share_amount, s.shares, s.create_amount,
       s.create_expected_interest, 'BALANCE', NULL, 'INVEST_SUCCESS', t.seller,
       %(run_day)s::date - 20 + t.step, %(run_day)s::date - 20 + t.step
FROM bench_transfer t
JOIN asset s ON s.id = (SELECT (t.product_id - 1) * %(per)s + 1)
ORDER BY t.step;
UPDATE asset SET status = 'LIQUIDATED' WHERE id IN (SELECT seller FROM bench_transfer);
INSERT INTO liquidate_asset (id, seller_asset_id, buyer_asset_id, price, fee_rate, fee, transferred_at)
SELECT liquidate_id, seller, buyer, 5100.00, 0.001, 5.10, %(run_day)s::date - 20 + step
FROM bench_transfer;
-- every second first-step transfer was registered at HJS by an earlier day's transfer sync
INSERT INTO transfer_registration (liquidate_id, transfer_no, hjs_transfer_id, accepted_at, run_id)
SELECT liquidate_id, 'ZWT' || lpad(liquidate_id::text, 16, '0'), 'HJST' || lpad(liquidate_id::text, 12, '0'),
       %(run_day)s::date - 19, 'bench'
FROM bench_transfer
WHERE step = 1 AND product_id %% 10 = 0;
SET LOCAL session_replication_role = origin;
"""


def build_zw(pg_dir: Path, products: int, per: int, run_day: date) -> dict[str, int]:
    from psycopg import sql

    from demo.load import IDENTITY_TABLES, check_foreign_keys
    from hjs_operators.repository.db import transaction
    from hjs_operators.repository.migrations import apply_migrations
    from stack.postgres import EmbeddedPostgres

    pg = EmbeddedPostgres(pg_dir)
    try:
        conn = pg.ensure_database("zw").connect()
        apply_migrations(conn)
        params = {"products": products, "per": per, "maturity": run_day + timedelta(days=OFFSET_DAYS),
                  "run_day": run_day}
        with transaction(conn) as cur:
            # one statement per execute: psycopg 3 binds parameters server-side, one statement at a time
            for statement in BUILD_SQL.split(";\n"):
                if statement.strip():
                    cur.execute(statement, params)
            check_foreign_keys(cur)
            for table in IDENTITY_TABLES:
                cur.execute(sql.SQL("SELECT setval(pg_get_serial_sequence(%s, 'id'), "
                                    "GREATEST((SELECT max(id) FROM {}), 1))").format(sql.Identifier(table)), (table,))
            cur.execute("""SELECT (SELECT count(*) FROM hjs_product), (SELECT count(*) FROM asset),
                                  (SELECT count(*) FROM invest_record), (SELECT count(*) FROM liquidate_asset),
                                  (SELECT count(*) FROM transfer_registration),
                                  (SELECT count(*) FROM asset_extra_interest)""")
            counts = dict(zip(("products", "assets", "invest_records", "transfers", "registered", "boosts"),
                              cur.fetchone(), strict=True))
        conn.autocommit = True
        with conn.cursor() as cur:
            cur.execute("VACUUM ANALYZE")
        conn.close()
    finally:
        pg.stop()
    return counts


# --- the stack -----------------------------------------------------------------------------------------

class Stack:
    """`python -m stack.run` as the smoke test starts it, plus the REST calls the bench needs."""

    def __init__(self, data_dir: Path, port: int, options: tuple[str, ...] = ()) -> None:
        self.data_dir = data_dir
        self.api = f"http://127.0.0.1:{port}"
        env = {k: v for k, v in os.environ.items() if not k.startswith("AIRFLOW")}
        # this checkout's plugins first, before the venv's editable install (which may point elsewhere)
        env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(REPO / "plugins"), env.get("PYTHONPATH")]))
        self.process = subprocess.Popen(
            [sys.executable, "-m", "stack.run", "--data-dir", str(data_dir), "--api-port", str(port),
             "--demo-assets", "0", *options],
            cwd=REPO, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
        self.output: list[str] = []
        self.ready = threading.Event()
        threading.Thread(target=self._read, daemon=True).start()
        self.session = requests.Session()
        self.seen: dict[int, str] = {}  # every process of the stack ever seen: pid -> name

    def _read(self) -> None:
        """Keep the stack's output (for the printed URLs and a failure's tail) and note when it is up."""
        with (self.data_dir.parent / "stack-run.log").open("a") as log:
            for line in self.process.stdout:
                log.write(line)
                log.flush()
                self.output.append(line)
                if READY_LINE in line:
                    self.ready.set()

    def wait_ready(self, timeout: float) -> None:
        deadline = time.monotonic() + timeout
        while not self.ready.wait(2):
            if self.process.poll() is not None or time.monotonic() > deadline:
                raise RuntimeError("stack did not come up:\n" + "".join(self.output[-30:]))

    def printed(self, pattern: str) -> str:
        for line in self.output:
            if match := re.search(pattern, line):
                return match.group(1)
        raise RuntimeError(f"the stack did not print {pattern!r}")

    def login(self) -> None:
        secrets = json.loads((self.data_dir / "airflow" / "stack-secrets.json").read_text())
        answer = self.session.post(f"{self.api}/auth/token",
                                   json={"username": "admin", "password": secrets["admin_password"]}, timeout=30)
        answer.raise_for_status()
        self.session.headers["Authorization"] = f"Bearer {answer.json()['access_token']}"

    def call(self, method: str, path: str, **kwargs) -> dict:
        answer = self.session.request(method, f"{self.api}{path}", timeout=60, **kwargs)
        if answer.status_code == 401:  # the token expired during a long run
            self.login()
            answer = self.session.request(method, f"{self.api}{path}", timeout=60, **kwargs)
        if answer.status_code >= 300:
            raise RuntimeError(f"{method} {path}: {answer.status_code} {answer.text[:500]}")
        return answer.json()

    def processes(self) -> list[psutil.Process]:
        found = []
        try:
            root = psutil.Process(self.process.pid)
            found = [root, *root.children(recursive=True)]
        except psutil.NoSuchProcess:
            pass
        postmaster = self.data_dir / "pg" / "postmaster.pid"
        if postmaster.exists():
            try:
                main = psutil.Process(int(postmaster.read_text().split()[0]))
                found += [main, *main.children(recursive=True)]
            except (psutil.NoSuchProcess, ValueError, IndexError):
                pass
        for process in found:
            try:
                self.seen.setdefault(process.pid, " ".join(process.cmdline()[:4]))
            except psutil.Error:
                pass
        return found

    def stop(self) -> list[str]:
        """SIGINT as Ctrl-C; then whatever of ours is left is killed by pid and reported."""
        self.processes()
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGINT)
            try:
                self.process.wait(timeout=180)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
        time.sleep(2)
        left = []
        for pid, name in self.seen.items():
            try:
                process = psutil.Process(pid)
                if process.status() == psutil.STATUS_ZOMBIE:
                    continue
                left.append(f"{pid} {name}")
                process.kill()
            except psutil.NoSuchProcess:
                pass
        return left


# --- sampling: CPU by group and database active time, once a second -------------------------------

@dataclass
class Sample:
    at: float  # epoch seconds
    cpu: dict[str, float]
    machine_busy: float
    db_active_ms: dict[str, float]


@dataclass
class Sampler:
    stack: Stack
    dsn: str
    samples: list[Sample] = field(default_factory=list)
    stop: threading.Event = field(default_factory=threading.Event)

    def _group(self, process: psutil.Process) -> str:
        line = " ".join(process.cmdline())
        if "-m sandbox" in line:
            return "sandbox"
        if process.name().startswith("postgres") or "/postgres" in line.split(" ")[0]:
            return "postgres"
        return "airflow"  # supervisor, api-server, scheduler and its task processes, dag-processor, ...

    def _cpu(self) -> dict[str, float]:
        totals = {"sandbox": 0.0, "postgres": 0.0, "airflow": 0.0}
        for process in self.stack.processes():
            try:
                t = process.cpu_times()
                totals[self._group(process)] += t.user + t.system + t.children_user + t.children_system
            except psutil.Error:
                pass
        return totals

    def run(self) -> None:
        import psycopg

        conn = psycopg.connect(self.dsn, autocommit=True)
        try:
            while not self.stop.is_set():
                with conn.cursor() as cur:
                    cur.execute("SELECT pg_stat_clear_snapshot()")
                    cur.execute("SELECT datname, active_time FROM pg_stat_database "
                                "WHERE datname IN ('zw', 'airflow')")
                    active = {name: float(ms or 0) for name, ms in cur.fetchall()}
                cpu = psutil.cpu_times()
                self.samples.append(Sample(time.time(), self._cpu(), sum(cpu) - cpu.idle - cpu.iowait, active))
                self.stop.wait(1.0)
        finally:
            conn.close()

    def delta(self, start: float, end: float) -> dict[str, float]:
        before = next((s for s in reversed(self.samples) if s.at <= start), self.samples[0])
        after = next((s for s in self.samples if s.at >= end), self.samples[-1])
        out = {f"cpu_{k}": after.cpu[k] - before.cpu[k] for k in before.cpu}
        out["cpu_machine"] = after.machine_busy - before.machine_busy
        for name in ("zw", "airflow"):
            out[f"db_{name}_s"] = (after.db_active_ms.get(name, 0) - before.db_active_ms.get(name, 0)) / 1000
        return out


# --- the sandbox's log: one line per protocol call -------------------------------------------------

CALL = re.compile(r"^(\S+ \S+) INFO \S+ service=(\S+) code=(\S+) status=(\d+) duration_ms=([\d.]+)")


def sandbox_calls(log_path: Path) -> list[tuple[float, str, str, float]]:
    """(end epoch seconds, service, code, server milliseconds) of every protocol call."""
    calls = []
    for line in log_path.read_text(errors="replace").splitlines():
        if match := CALL.match(line):
            stamp = datetime.strptime(match.group(1), "%Y-%m-%d %H:%M:%S,%f").astimezone()
            calls.append((stamp.timestamp(), match.group(2), match.group(3), float(match.group(5))))
    return calls


# --- the run -----------------------------------------------------------------------------------------

def _epoch(text: str | None) -> float | None:
    return datetime.fromisoformat(text.replace("Z", "+00:00")).timestamp() if text else None


def wait_for_dag(stack: Stack, timeout: float) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        dags = {d["dag_id"] for d in stack.call("GET", "/api/v2/dags", params={"limit": 100})["dags"]}
        if DAG_ID in dags:
            return
        time.sleep(2)
    raise RuntimeError(f"{DAG_ID} was not parsed within {timeout:.0f} s")


# The products mature after the target of the scheduler's own run (today + 3): that run, which the
# trial's selection by state would otherwise let take them, leaves them to the measured run of an
# earlier day, whose run param reaches them.
OFFSET_DAYS = 12


def runs(stack: Stack) -> list[dict]:
    return stack.call("GET", f"/api/v2/dags/{DAG_ID}/dagRuns", params={"limit": 100})["dag_runs"]


def wait_until_idle(stack: Stack, timeout: float) -> None:
    """The scheduler creates its own latest run on unpause (another day): let it finish first."""
    deadline = time.monotonic() + timeout
    appear = time.monotonic() + 60
    while not runs(stack) and time.monotonic() < appear:
        time.sleep(2)
    while time.monotonic() < deadline:
        if not [r for r in runs(stack) if r["state"] in ("queued", "running")]:
            return
        time.sleep(2)
    raise RuntimeError("the scheduler's own run did not finish")


def task_instances(stack: Stack, run_id: str) -> list[dict]:
    found, offset = [], 0
    while True:
        page = stack.call("GET", f"/api/v2/dags/{DAG_ID}/dagRuns/{run_id}/taskInstances",
                          params={"limit": 100, "offset": offset})
        found += page["task_instances"]
        offset += len(page["task_instances"])
        if not page["task_instances"] or offset >= page["total_entries"]:
            return found


def wait_for_run(stack: Stack, run_id: str, timeout: float) -> dict:
    deadline = time.monotonic() + timeout
    last = ""
    while time.monotonic() < deadline:
        run = stack.call("GET", f"/api/v2/dags/{DAG_ID}/dagRuns/{run_id}")
        tis = task_instances(stack, run_id)
        states: dict[str, dict[str, int]] = {}
        for ti in tis:
            states.setdefault(ti["task_id"], {}).setdefault(ti["state"] or "none", 0)
            states[ti["task_id"]][ti["state"] or "none"] += 1
        line = "; ".join(f"{t} {dict(sorted(s.items()))}" for t, s in states.items())
        if line != last:
            print(f"  [{time.strftime('%H:%M:%S')}] {run['state']}: {line}", flush=True)
            last = line
        if run["state"] in ("success", "failed"):
            return run
        if any(ti["state"] in ("failed", "up_for_retry", "upstream_failed") for ti in tis):
            print("  a task failed or is retrying: see the task logs under the stack's AIRFLOW_HOME", flush=True)
        if any(ti["task_id"] == "decide_held.decide" and ti["state"] == "deferred" for ti in tis):
            raise RuntimeError("a product was held and waits for a decision: the bench expects none")
        time.sleep(5)
    raise RuntimeError(f"run {run_id} did not finish within {timeout:.0f} s")


def report(tis: list[dict], run: dict, sampler: Sampler, calls: list, cores: int) -> None:
    by_task: dict[str, list[dict]] = {}
    for ti in tis:
        by_task.setdefault(ti["task_id"], []).append(ti)
    run_start, run_end = _epoch(run["start_date"]), _epoch(run["end_date"])
    queued = _epoch(run.get("queued_at"))
    print(f"\nrun {run['dag_run_id']}: {run['state']}; triggered -> started {run_start - queued:.1f} s; "
          f"started -> ended {run_end - run_start:.1f} s ({(run_end - run_start) / 60:.2f} min)")
    header = (f"{'task':<24}{'inst':>5}{'wall s':>8}{'gap s':>7}{'sum s':>8}{'med s':>7}{'max s':>7}{'conc':>6}"
              f"{'HJS calls':>10}{'HJS s':>8}{'zw db s':>8}{'af db s':>8}{'cpu af':>8}{'cpu sb':>7}"
              f"{'cpu pg':>7}{'cpu oth':>8}")
    print(header)
    print("-" * len(header))
    previous_end = run_start
    rows = []
    for task in sorted(by_task, key=lambda t: TASK_ORDER.index(t) if t in TASK_ORDER else 99):
        items = [ti for ti in by_task[task] if ti["start_date"] and ti["state"] != "skipped"]
        if not items:
            states = ", ".join(sorted({str(ti["state"]) for ti in by_task[task]}))
            print(f"{task:<24}{len(by_task[task]):>5}  ({states})")
            continue
        start = min(_epoch(ti["start_date"]) for ti in items)
        end = max(_epoch(ti["end_date"]) for ti in items)
        durations = [ti["duration"] or 0.0 for ti in items]
        window = [c for c in calls if start <= c[0] <= end]
        used = sampler.delta(start, end)
        other = used["cpu_machine"] - used["cpu_sandbox"] - used["cpu_postgres"] - used["cpu_airflow"]
        tries = max(ti["try_number"] for ti in items)
        wall = end - start
        gap = start - previous_end
        previous_end = max(previous_end, end)
        rows.append((task, wall, gap))
        print(f"{task:<24}{len(items):>5}{wall:>8.1f}{gap:>7.1f}{sum(durations):>8.1f}"
              f"{statistics.median(durations):>7.1f}{max(durations):>7.1f}{sum(durations) / max(wall, 1e-9):>6.1f}"
              f"{len(window):>10,}{sum(c[3] for c in window) / 1000:>8.1f}{used['db_zw_s']:>8.1f}"
              f"{used['db_airflow_s']:>8.1f}{used['cpu_airflow']:>8.1f}{used['cpu_sandbox']:>7.1f}"
              f"{used['cpu_postgres']:>7.1f}{max(other, 0):>8.1f}" + (f"  tries<={tries}" if tries > 1 else ""))
    whole = sampler.delta(run_start, run_end)
    everything = [c for c in calls if run_start <= c[0] <= run_end]
    services: dict[str, list[float]] = {}
    for c in everything:
        services.setdefault(c[1], []).append(c[3])
    ours = whole["cpu_airflow"] + whole["cpu_sandbox"] + whole["cpu_postgres"]
    print(f"\nwhole run ({run_end - run_start:.1f} s wall, {cores} CPUs = {cores * (run_end - run_start):.0f} CPU s "
          f"available): CPU airflow+tasks {whole['cpu_airflow']:.1f}, sandbox {whole['cpu_sandbox']:.1f}, "
          f"postgres {whole['cpu_postgres']:.1f}, other jobs {max(0.0, whole['cpu_machine'] - ours):.1f}; "
          f"db active: zw {whole['db_zw_s']:.1f} s, airflow metadata {whole['db_airflow_s']:.1f} s")
    for service, ms in sorted(services.items()):
        print(f"  HJS {service}: {len(ms):,} calls, server time median {statistics.median(ms):.1f} ms, "
              f"sum {sum(ms) / 1000:.1f} s")
    gaps = sum(gap for _, _, gap in rows)
    print(f"scheduling gaps between tasks (upstream ended -> downstream started): {gaps:.1f} s in all")


def per_instance(tis: list[dict], run: dict, sampler: Sampler, executor: str) -> None:
    """CPU seconds per task instance that ran: what one instance costs the machine under this executor
    (its process start, the executor's hand-over, the task itself and the databases and HJS it uses)."""
    ran = [ti for ti in tis if ti["start_date"] and ti["state"] != "skipped"]
    whole = sampler.delta(_epoch(run["start_date"]), _epoch(run["end_date"]))
    ours = whole["cpu_airflow"] + whole["cpu_sandbox"] + whole["cpu_postgres"]
    print(f"per task instance ({executor}): {len(ran)} instances; CPU s airflow+tasks "
          f"{whole['cpu_airflow'] / len(ran):.2f}, all of the stack {ours / len(ran):.2f}")


def check(dsn: str, run_id: str, products: int, per: int, maturity: date, mail_dir: Path, sandbox_url: str) -> None:
    import psycopg

    from hjs_operators.repository.db import transaction
    from hjs_operators.trial.settlement import notice_key
    from sandbox.admin_client import SandboxAdmin

    conn = psycopg.connect(dsn)
    try:
        with transaction(conn) as cur:
            cur.execute("SELECT outcome, count(*) FROM trial_product_result WHERE run_id = %s GROUP BY outcome",
                        (run_id,))
            outcomes = dict(cur.fetchall())
            cur.execute("SELECT status, count(*), sum(records) FROM trial_fetch WHERE run_id = %s GROUP BY status",
                        (run_id,))
            fetches = {status: (n, records) for status, n, records in cur.fetchall()}
            # the current holders (end of each origin chain) of the bench products
            cur.execute("""
                SELECT count(*), count(r.id), count(*) FILTER (WHERE a.status = 'SELL_CONFIRMED'),
                       count(*) FILTER (WHERE r.amount = a.create_amount + a.create_expected_interest
                                          AND r.run_id = %(run)s),
                       sum(a.create_amount + a.create_expected_interest), sum(r.amount)
                FROM asset a
                JOIN hjs_product p ON p.id = a.product_id AND p.channel_code = %(channel)s
                LEFT JOIN sell_record r ON r.asset_id = a.id
                WHERE a.status <> 'LIQUIDATED'""", {"run": run_id, "channel": CHANNEL})
            holders, with_record, confirmed, right_amount, zw_total, sold_total = cur.fetchone()
            cur.execute("SELECT count(*) FROM sell_record")
            sell_records = cur.fetchone()[0]
            cur.execute("""SELECT count(*), count(r.liquidate_id), count(*) FILTER (WHERE r.run_id = %s)
                           FROM liquidate_asset l LEFT JOIN transfer_registration r ON r.liquidate_id = l.id""",
                        (run_id,))
            transfers, registered, registered_now = cur.fetchone()
            cur.execute("SELECT count(*) FROM hjs_product WHERE channel_code = %s AND NOT transfer_open", (CHANNEL,))
            closed = cur.fetchone()[0]
            cur.execute("SELECT count(*) FROM notice_sent WHERE kind = 'settlement' AND notice_key = %s",
                        (notice_key(maturity),))
            notices = cur.fetchone()[0]
            cur.execute("SELECT count(*) FROM notice_sent")
            all_notices = cur.fetchone()[0]
    finally:
        conn.close()
    at_hjs = len(SandboxAdmin(sandbox_url).transfers())
    mails = sorted(mail_dir.glob("*.eml")) if mail_dir.exists() else []
    print(f"\ncheck: outcomes {outcomes}; fetches {fetches}; {holders:,} current holders, {with_record:,} with a "
          f"sell record ({right_amount:,} of this run with zw's amount), {confirmed:,} SELL_CONFIRMED; "
          f"sell records in all {sell_records:,}; sold {sold_total} = zw {zw_total}; transfers {transfers}, "
          f"registered {registered} ({registered_now} by the close step, {at_hjs} at HJS's transfer list); "
          f"{closed:,} products closed; settlement notices {notices} "
          f"(notices in all {all_notices}), {len(mails)} e-mail(s) in the sink")
    assert outcomes == {"SETTLE": products}, outcomes
    assert fetches == {"OK": (products, products * per)}, fetches
    assert holders == products * per == with_record == right_amount == confirmed == sell_records
    assert isinstance(sold_total, Decimal) and sold_total == zw_total
    assert transfers == registered and registered_now == at_hjs > 0
    assert closed == products
    assert notices == 1 == all_notices == len(mails)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--products", type=int, default=5000)
    parser.add_argument("--assets-per-product", type=int, default=200)
    parser.add_argument("--latency-ms", type=int, default=20)
    parser.add_argument("--run-timeout", type=float, default=3600, help="seconds to wait for the run")
    parser.add_argument("--batch-size", type=int, help="the run param batch_size (products per mapped task; "
                        "default: the DAG's, 50)")
    parser.add_argument("--keep", action="store_true", help="keep the temporary folder (logs) for a look")
    parser.add_argument("--executor", choices=("local", "celery"), default="local",
                        help="the stack's executor (bench/bench_celery_run.py runs both, one after the other)")
    parser.add_argument("--workers", type=int, default=2, help="Celery workers (with --executor celery)")
    args = parser.parse_args()
    if args.assets_per_product > 200 or args.assets_per_product < 2:
        parser.error("--assets-per-product: 2..200 (a product is 200 shares)")

    from sandbox.admin_client import SandboxAdmin
    from stack.processes import free_port

    run_day = datetime.now(SHANGHAI).date() - timedelta(days=7)  # not the day the scheduler's own run is for
    maturity = run_day + timedelta(days=OFFSET_DAYS)
    logical = datetime(run_day.year, run_day.month, run_day.day, 6, 30, tzinfo=SHANGHAI)
    run_id = f"bench_trial_{run_day.isoformat()}"
    cores = os.cpu_count() or 1
    root = Path(tempfile.mkdtemp(prefix="hjs-bench-trial-run-"))
    data_dir = root / "stack"
    stack = None
    sampler = None
    try:
        started = time.perf_counter()
        counts = build_zw(data_dir / "pg", args.products, args.assets_per_product, run_day)
        print(f"zw built in {time.perf_counter() - started:.1f} s: {counts}; run day {run_day}, maturity {maturity}",
              flush=True)

        started = time.perf_counter()
        stack = Stack(data_dir, free_port(), ("--executor", args.executor, "--workers", str(args.workers)))
        stack.wait_ready(timeout=600 + args.products * args.assets_per_product / 1000)
        sandbox_url = stack.printed(r"HJS sandbox\s+(http://\S+)")
        socket_dir = stack.printed(r'psql "host=(\S+) dbname=zw')
        print(f"stack up (sandbox seeded from zw) in {time.perf_counter() - started:.1f} s", flush=True)
        stack.login()
        SandboxAdmin(sandbox_url).set_faults(latency_ms=args.latency_ms)
        pool = stack.call("GET", "/api/v2/pools/hjs_api")
        print(f"sandbox latency {args.latency_ms} ms; pool hjs_api {pool['slots']} slots", flush=True)

        wait_for_dag(stack, 300)
        stack.call("PATCH", f"/api/v2/dags/{DAG_ID}", json={"is_paused": False})
        wait_until_idle(stack, 600)

        zw_dsn = f"host={socket_dir} dbname=zw user=postgres"
        sampler = Sampler(stack, zw_dsn.replace("dbname=zw", "dbname=postgres"))
        threading.Thread(target=sampler.run, daemon=True).start()
        time.sleep(2)
        load = os.getloadavg()
        print(f"load average before the run: {load[0]:.2f} {load[1]:.2f} {load[2]:.2f}", flush=True)
        began = time.perf_counter()
        stack.call("POST", f"/api/v2/dags/{DAG_ID}/dagRuns",
                   json={"dag_run_id": run_id, "logical_date": logical.isoformat(),
                         "conf": {"offset_days": OFFSET_DAYS,
                                  **({} if args.batch_size is None else {"batch_size": args.batch_size})}})
        run = wait_for_run(stack, run_id, args.run_timeout)
        wall = time.perf_counter() - began
        time.sleep(2)
        sampler.stop.set()
        load = os.getloadavg()
        tis = task_instances(stack, run_id)
        print(f"\ntrigger -> run finished ({run['state']}): {wall:.1f} s = {wall / 60:.2f} min; "
              f"load average after: {load[0]:.2f} {load[1]:.2f} {load[2]:.2f}")
        report(tis, run, sampler, sandbox_calls(data_dir / "logs" / "hjs-sandbox.log"), cores)
        per_instance(tis, run, sampler, args.executor)
        assert run["state"] == "success", f"run {run['state']}"
        check(zw_dsn, run_id, args.products, args.assets_per_product, maturity, data_dir / "mail", sandbox_url)
        print("check: OK")
    finally:
        if sampler is not None:
            sampler.stop.set()
        if stack is not None:
            left = stack.stop()
            print(f"stack stopped; {'left behind and killed: ' + ', '.join(left) if left else 'no process left'}")
        if args.keep:
            print(f"kept {root}")
        else:
            import shutil

            shutil.rmtree(root, ignore_errors=True)


if __name__ == "__main__":
    main()
