"""`make run`: the whole thing on one machine, from nothing, with no manual step.

Order: embedded PostgreSQL (databases zw and airflow) -> zw migrations -> demo data if zw is empty ->
SMTP sink -> HJS sandbox, seeded from zw -> Airflow metadata migration -> airflow_settings.yaml ->
Airflow's api-server, scheduler, dag-processor and triggerer. Ctrl-C (or SIGTERM) stops everything in
reverse order and leaves no process behind. Data stays under --data-dir (default .local/) for the next
run. Each part can be replaced by a real one through its Airflow connection: see README.
"""

from __future__ import annotations

import argparse
import logging
import os
import signal
import sys
import threading
from datetime import datetime
from pathlib import Path

from hjs_operators.dag_defaults import TIMEZONE

from .airflow_env import ADMIN_USER, admin_password, airflow_environment
from .celery_mode import (
    EXECUTORS,
    celery_environment,
    release_dead_workers,
    start_broker,
    start_workers,
    worker_count_from_env,
)
from .paths import LOCAL_DIR, SETTINGS_FILE
from .postgres import EmbeddedPostgres
from .processes import Supervisor, free_port, port_is_free, wait_for_http
from .sandbox_seed import demo_faults, inject_demo_faults, sandbox_settings_from_yaml, seed_sandbox, undecided
from .stack_env import remove_stack_env, write_stack_env

log = logging.getLogger("stack")

AIRFLOW_COMPONENTS = ("api-server", "scheduler", "dag-processor", "triggerer")


def _parse(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="python -m stack.run", description=__doc__.splitlines()[0])
    parser.add_argument("--data-dir", type=Path, default=Path(os.environ.get("HJS_DATA_DIR", LOCAL_DIR)))
    parser.add_argument("--api-port", type=int, default=int(os.environ.get("AIRFLOW_PORT", "8080")))
    parser.add_argument("--demo-assets", type=int, default=int(os.environ.get("DEMO_ASSETS", "5000")))
    parser.add_argument("--executor", choices=EXECUTORS, default=os.environ.get("EXECUTOR", "local").lower(),
                        help="local (default): LocalExecutor; celery: CeleryExecutor, Redis and --workers workers")
    parser.add_argument("--workers", type=int, default=worker_count_from_env(),
                        help="Celery workers, each with its own AIRFLOW_HOME, temporary folder and working directory")
    parser.add_argument("--worker-concurrency", type=int, default=int(os.environ.get("WORKER_CONCURRENCY", "4")),
                        help="task slots per Celery worker")
    return parser.parse_args(argv)


def _prepare_zw(pg: EmbeddedPostgres, demo_assets: int):
    from demo.generate import DemoSpec
    from demo.load import load, zw_is_empty
    from hjs_operators.repository.migrations import apply_migrations

    zw = pg.ensure_database("zw")
    conn = zw.connect()
    try:
        applied = apply_migrations(conn)
        log.info("zw migrations: %s", f"applied {', '.join(applied)}" if applied else "up to date")
        if zw_is_empty(conn):
            counts = load(conn, DemoSpec(assets=demo_assets, missed_days=True))
            log.info("demo data loaded: %s assets, %s products; as after an outage, yesterday's payback and T-3 "
                     "runs never happened: today's runs find that work and do it", f"{counts['asset']:,}",
                     f"{counts['hjs_product']:,}")
    finally:
        conn.close()
    return zw


def report_base_url(data_dir: Path) -> str:
    """The Variable hjs_report_base under the stack: one folder every process of the stack sees, standing
    in for the bucket a deployment points it at (docs/deploy.md). Not under any AIRFLOW_HOME: a Celery
    worker's home is its own."""
    return (data_dir / "objects" / "reports").as_uri()


def _run_once(supervisor: Supervisor, name: str, argv: list[str], env: dict[str, str]) -> None:
    child = supervisor.start(name, argv, env)
    if child.process.wait() != 0:
        raise RuntimeError(f"{name} failed (exit {child.process.returncode}); see {child.log_path}")
    supervisor.children.remove(child)


def main(argv: list[str] | None = None) -> int:
    args = _parse(argv)
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(name)s %(message)s")
    data_dir: Path = args.data_dir.resolve()
    if not port_is_free(args.api_port):
        log.error("port %d is taken; set AIRFLOW_PORT to a free port and run again", args.api_port)
        return 2

    stop = threading.Event()
    for signum in (signal.SIGINT, signal.SIGTERM):
        signal.signal(signum, lambda *_: stop.set())

    supervisor = Supervisor(data_dir / "logs")
    pg = EmbeddedPostgres(data_dir / "pg")
    try:
        zw = _prepare_zw(pg, args.demo_assets)
        metadata = pg.ensure_database("airflow")
        python = sys.executable

        smtp_port = free_port()
        mail_dir = data_dir / "mail"
        supervisor.start("smtp-sink", [python, "-m", "stack.smtp_sink", "--port", str(smtp_port),
                                       "--dir", str(mail_dir)])

        sandbox = sandbox_settings_from_yaml(SETTINGS_FILE)
        sandbox_port = free_port()
        sandbox_url = f"http://127.0.0.1:{sandbox_port}"
        sandbox_child = supervisor.start(
            "hjs-sandbox", [python, "-m", "sandbox", "--host", "127.0.0.1", "--port", str(sandbox_port),
                            "--data-dir", str(data_dir / "sandbox"), *sandbox.cli_args()],
            sandbox.secret_env())
        wait_for_http(f"{sandbox_url}/healthz", 30, "HJS sandbox", sandbox_child.process)
        faults = demo_faults(zw, datetime.now(TIMEZONE).date())
        seeded = seed_sandbox(zw, sandbox_url, leave_out=frozenset([faults.missing_order]) if faults else frozenset())
        log.info("HJS sandbox at %s seeded from zw: %s", sandbox_url, seeded)
        if faults:
            inject_demo_faults(sandbox_url, faults)
            log.info("%s", faults.describe())

        home = data_dir / "airflow"
        env = airflow_environment(home, metadata.sqlalchemy_url, args.api_port)
        env.update({"ZW_PG_HOST": zw.socket_dir, "ZW_PG_DATABASE": zw.dbname, "ZW_PG_USER": zw.user,
                    "HJS_BASE_URL": sandbox_url, "SMTP_PORT": str(smtp_port),
                    "HJS_REPORT_BASE": report_base_url(data_dir)})
        if args.executor == "celery":
            broker = start_broker(supervisor, data_dir / "redis")
            env.update(celery_environment(broker.url, metadata.sqlalchemy_url, supervisor.log_dir / "tasks"))
        _run_once(supervisor, "airflow-db-migrate", ["airflow", "db", "migrate"], env)
        _run_once(supervisor, "airflow-settings", [python, "-m", "stack.settings_loader", str(SETTINGS_FILE)], env)
        api = None
        for component in AIRFLOW_COMPONENTS:
            child = supervisor.start(f"airflow-{component}", ["airflow", component], env)
            api = api or child
        wait_for_http(f"http://127.0.0.1:{args.api_port}/api/v2/monitor/health", 120, "Airflow api-server",
                      api.process)
        workers = []
        if args.executor == "celery":
            workers = start_workers(supervisor, args.workers, args.worker_concurrency, data_dir / "workers", env)

        write_stack_env(data_dir, env, os.getpid())
        waiting = undecided(zw)
        print(
            "\n"
            f"  Airflow UI      http://127.0.0.1:{args.api_port}   login: {ADMIN_USER} / {admin_password(home)}\n"
            f"  Airflow CLI     make airflow ARGS=\"dags list\"   (python -m stack.cli --data-dir {data_dir} ...)\n"
            f"  HJS sandbox     {sandbox_url}\n"
            f"  Mail (SMTP sink) 127.0.0.1:{smtp_port}, kept as .eml files in {mail_dir}\n"
            f"  zw database     psql \"host={zw.socket_dir} dbname=zw user=postgres\"\n"
            f"  Logs            {supervisor.log_dir}\n"
            + "".join(f"  Undecided       {line}\n" for line in waiting)
            + ("" if waiting else "  Undecided       nothing: no held product waits for a decision\n")
            + "  Ctrl-C stops everything.\n",
            flush=True,
        )
        while not stop.wait(2):
            release_dead_workers(supervisor, workers)
            dead = supervisor.first_dead()
            if dead is not None:
                log.error("%s exited with code %s; see %s. Stopping.", dead.name, dead.process.returncode,
                          dead.log_path)
                return 1
        return 0
    finally:
        log.info("stopping...")
        remove_stack_env(data_dir)
        supervisor.stop_all()
        pg.stop()
        log.info("stopped")


if __name__ == "__main__":
    raise SystemExit(main())
