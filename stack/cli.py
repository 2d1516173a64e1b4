"""Airflow's CLI against the running `make run` stack: `make airflow ARGS="dags list"`.

    python -m stack.cli [--data-dir DIR] AIRFLOW-ARGS...   runs `airflow AIRFLOW-ARGS...` with the stack's environment
    python -m stack.cli [--data-dir DIR]                   opens a shell in which `airflow` talks to the stack

DIR is the stack's data folder (default: HJS_DATA_DIR, else .local/), as given to `make run`. Refuses,
saying so, when no stack runs there: without the stack's settings `airflow` would use its own SQLite.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

from .paths import LOCAL_DIR, VENV_BIN
from .stack_env import NoRunningStack, read_stack_env


def _split(argv: list[str]) -> tuple[Path, list[str]]:
    data_dir = Path(os.environ.get("HJS_DATA_DIR", LOCAL_DIR))
    if argv[:1] == ["--data-dir"] and len(argv) > 1:
        data_dir, argv = Path(argv[1]), argv[2:]
    elif argv[:1] and argv[0].startswith("--data-dir="):
        data_dir, argv = Path(argv[0].split("=", 1)[1]), argv[1:]
    return data_dir.resolve(), argv


def main(argv: list[str] | None = None) -> int:
    data_dir, airflow_args = _split(list(sys.argv[1:] if argv is None else argv))
    try:
        stack_env = read_stack_env(data_dir)
    except NoRunningStack as exc:
        print(f"stack.cli: {exc}", file=sys.stderr)
        return 2
    # the caller's own Airflow settings must not mix with the stack's
    env = {k: v for k, v in os.environ.items() if not k.startswith("AIRFLOW")} | stack_env
    if airflow_args:
        os.execve(str(VENV_BIN / "airflow"), ["airflow", *airflow_args], env)
    shell = os.environ.get("SHELL", "/bin/bash")
    print(f"A shell whose `airflow` talks to the stack in {data_dir} (exit to leave).", file=sys.stderr)
    os.execve(shell, [shell], env)
    return 0  # not reached: exec replaced this process


if __name__ == "__main__":
    raise SystemExit(main())
