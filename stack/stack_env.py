"""The running stack's environment, kept in <data-dir>/airflow/stack.env so the `airflow` CLI can talk to it.

Airflow's CLI reads AIRFLOW_HOME/airflow.cfg and the environment; only the stack's own variables (its
metadata database, dags and plugins folders, keys, the ZW_/HJS_/SMTP_ settings) point it at the stack.
The file holds secrets: it lives in the git-ignored data folder, mode 600, and exists only while the
stack runs (its first line names the stack's process, so a stack that was killed is recognised too).
"""

from __future__ import annotations

import os
import shlex
from pathlib import Path

FILE_NAME = "stack.env"
_PID_PREFIX = "# stack pid "


class NoRunningStack(RuntimeError):
    pass


def stack_env_path(data_dir: Path) -> Path:
    return data_dir / "airflow" / FILE_NAME


def write_stack_env(data_dir: Path, env: dict[str, str], pid: int) -> Path:
    """Shell syntax (`set -a; . stack.env` works too), written private before any secret goes in."""
    path = stack_env_path(data_dir)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.unlink(missing_ok=True)
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "w", encoding="utf-8") as out:
        out.write(f"{_PID_PREFIX}{pid}\n")
        out.writelines(f"{name}={shlex.quote(value)}\n" for name, value in sorted(env.items()))
    return path


def remove_stack_env(data_dir: Path) -> None:
    stack_env_path(data_dir).unlink(missing_ok=True)


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def read_stack_env(data_dir: Path) -> dict[str, str]:
    """The environment of the stack running with `data_dir`; NoRunningStack says why there is none."""
    path = stack_env_path(data_dir)
    start = f"start it with `make run` (or `python -m stack.run --data-dir {data_dir}`) in another terminal"
    if not path.exists():
        raise NoRunningStack(f"no stack is running with data folder {data_dir} ({path} is missing): {start}")
    lines = path.read_text(encoding="utf-8").splitlines()
    if not lines or not lines[0].startswith(_PID_PREFIX) or not lines[0][len(_PID_PREFIX):].isdigit():
        raise NoRunningStack(f"{path} is not a stack environment file; {start}")
    pid = int(lines[0][len(_PID_PREFIX):])
    if not _alive(pid):
        raise NoRunningStack(f"the stack that wrote {path} (process {pid}) is no longer running: {start}")
    env = {}
    for line in lines[1:]:
        name, _, quoted = line.partition("=")
        [value] = shlex.split(quoted) or [""]
        env[name] = value
    return env
