"""Child processes of the local stack: started in their own process groups, stopped as groups.

Each child gets its own session so that Ctrl-C reaches only the supervisor, which then stops the
children in reverse order of start (Airflow before the databases it uses), each whole group (Airflow's
api-server and LocalExecutor fork workers), with SIGTERM first and SIGKILL for whatever lingers.
"""

from __future__ import annotations

import logging
import os
import signal
import socket
import subprocess
import time
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

import requests

log = logging.getLogger(__name__)


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def port_is_free(port: int) -> bool:
    with socket.socket() as sock:
        try:
            sock.bind(("127.0.0.1", port))
        except OSError:
            return False
        return True


def wait_for_http(url: str, timeout: float, what: str, child: subprocess.Popen | None = None) -> None:
    """Poll `url` until it answers below 500; fail early if `child` died meanwhile."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if child is not None and child.poll() is not None:
            raise RuntimeError(f"{what} exited with code {child.returncode} before it answered at {url}")
        try:
            if requests.get(url, timeout=2).status_code < 500:
                return
        except requests.RequestException:
            pass
        time.sleep(0.3)
    raise TimeoutError(f"{what} did not answer at {url} within {timeout:.0f} s")


@dataclass
class Child:
    name: str
    process: subprocess.Popen
    log_path: Path


class Supervisor:
    def __init__(self, log_dir: Path) -> None:
        self.log_dir = log_dir
        self.log_dir.mkdir(parents=True, exist_ok=True)
        self.children: list[Child] = []

    def start(self, name: str, argv: Sequence[str], env: Mapping[str, str] | None = None,
              cwd: Path | None = None) -> Child:
        log_path = self.log_dir / f"{name}.log"
        with log_path.open("ab") as out:
            process = subprocess.Popen(
                list(argv), env={**os.environ, **(env or {})}, stdout=out, stderr=subprocess.STDOUT,
                stdin=subprocess.DEVNULL, start_new_session=True, cwd=cwd)
        child = Child(name, process, log_path)
        self.children.append(child)
        log.info("started %s (pid %d, log %s)", name, process.pid, log_path)
        return child

    def first_dead(self) -> Child | None:
        return next((child for child in self.children if child.process.poll() is not None), None)

    def forget(self, child: Child) -> None:
        """Stop watching a child that exited, after sweeping whatever of its group lingers."""
        self._stop(child, grace_seconds=0)
        self.children.remove(child)

    def stop_all(self, grace_seconds: float = 20) -> None:
        for child in reversed(self.children):
            self._stop(child, grace_seconds)
        self.children.clear()

    @staticmethod
    def _signal_group(child: Child, signum: int) -> None:
        try:
            os.killpg(child.process.pid, signum)
        except ProcessLookupError:
            pass

    def _stop(self, child: Child, grace_seconds: float) -> None:
        self._signal_group(child, signal.SIGTERM)
        try:
            child.process.wait(grace_seconds)
        except subprocess.TimeoutExpired:
            log.warning("%s did not stop within %.0f s; killing it", child.name, grace_seconds)
        # the leader may be gone while forked workers of its group linger: sweep the group anyway
        self._signal_group(child, signal.SIGKILL)
        child.process.wait()
        log.info("stopped %s", child.name)
