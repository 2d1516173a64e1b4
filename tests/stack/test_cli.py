"""The `airflow` CLI against the running stack (`make airflow ARGS=...`, i.e. python -m stack.cli): every
CLI command written in docs/ and in the DAGs' docs runs through it against the session's real stack."""

from __future__ import annotations

import os
import re
import shlex
import stat
import subprocess
import sys
from datetime import datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from stack.paths import DAGS_DIR, REPO_ROOT

SHANGHAI = ZoneInfo("Asia/Shanghai")
DOCUMENTS = sorted((REPO_ROOT / "docs").glob("*.md")) + sorted(DAGS_DIR.glob("*.py"))
CODE_SPAN = re.compile(r"`(airflow [^`]+)`")  # a span may run over a line break, as in the DAG docs
FENCED_LINE = re.compile(r"^\s*\$?\s*(airflow \S.*)$", re.MULTILINE)
FENCE = re.compile(r"```.*?```", re.DOTALL)
# What the documents write for a value the reader fills in (a day D, or a moment of it: DT23:59), and what
# the test fills in.
DAY_PLACEHOLDER = re.compile(r"^D(T\d\d:\d\d)?$")
FILL_IN = {"<dag>": "hjs_maturity_payback", "NAME": "hjs_docs_example", "VALUE": "set by tests/stack/test_cli.py"}
# A span that only names a command (`airflow connections add`) is checked to exist: run with --help.
NAMES_A_COMMAND = re.compile(r"^[a-z][a-z-]*$")


def documented_commands() -> list[tuple[str, list[str]]]:
    """(where, argv after `airflow`) of every `airflow ...` code span and fenced line of the documents."""
    found = []
    for path in DOCUMENTS:
        text = path.read_text(encoding="utf-8")
        spans = [m.group(1) for m in CODE_SPAN.finditer(text)]
        lines = [m.group(1) for block in FENCE.findall(text) for m in FENCED_LINE.finditer(block)]
        found += [(path.name, shlex.split(" ".join(command.split()))[1:]) for command in spans + lines]
    return found


def run_cli(data_dir: Path, args: list[str]) -> subprocess.CompletedProcess:
    env = {k: v for k, v in os.environ.items() if not k.startswith("AIRFLOW")}
    return subprocess.run([sys.executable, "-m", "stack.cli", "--data-dir", str(data_dir), *args], cwd=REPO_ROOT,
                          env=env, capture_output=True, text=True, timeout=300)


def filled_in(args: list[str], day: str) -> list[str]:
    out = [FILL_IN.get(a) or DAY_PLACEHOLDER.sub(lambda m: day + (m.group(1) or ""), a) for a in args]
    unknown = [a for a in out if "<" in a or ">" in a or a == "..."]
    assert not unknown, f"placeholders the test does not know: {unknown} in {args}"
    return [*out, "--help"] if len(out) <= 2 and all(NAMES_A_COMMAND.match(a) for a in out) else out


def option(args: list[str], name: str) -> str:
    return args[args.index(name) + 1]


def test_the_documents_hold_commands_and_the_backfills_are_airflow_3s():
    commands = documented_commands()
    assert len(commands) >= 7, commands
    backfills = [args for _, args in commands if args[:1] == ["backfill"]]
    assert backfills and all(args[1] == "create" for args in backfills)
    assert not any(args[:2] == ["dags", "backfill"] for _, args in commands), "Airflow 3 has no `dags backfill`"


def test_without_a_running_stack_the_cli_refuses_and_says_how_to_start_one(tmp_path):
    result = run_cli(tmp_path, ["dags", "list"])
    assert result.returncode == 2
    assert "no stack is running" in result.stderr and "make run" in result.stderr


def test_a_stack_that_was_killed_is_recognised(tmp_path):
    from stack.stack_env import write_stack_env

    gone = subprocess.Popen(["true"])
    gone.wait()
    write_stack_env(tmp_path, {"AIRFLOW_HOME": str(tmp_path / "airflow")}, gone.pid)
    result = run_cli(tmp_path, ["dags", "list"])
    assert result.returncode == 2 and f"process {gone.pid}) is no longer running" in result.stderr


@pytest.mark.stack
def test_the_stack_environment_file_is_private(stack):
    path = stack.data_dir / "airflow" / "stack.env"
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    text = path.read_text()
    assert "AIRFLOW__DATABASE__SQL_ALCHEMY_CONN=" in text and "ZW_PG_HOST=" in text and "HJS_BASE_URL=" in text
    banner = "".join(stack.output)
    assert "make airflow ARGS=" in banner and "Undecided" in banner


@pytest.mark.stack
def test_every_documented_command_runs_against_the_stack(stack):
    today = datetime.now(SHANGHAI).date()
    result = run_cli(stack.data_dir, ["dags", "list", "--output", "plain"])
    assert result.returncode == 0, result.stderr[-2000:]
    assert "hjs_trial_reconciliation" in result.stdout  # the stack's dags folder, not an empty SQLite
    for index, (where, args) in enumerate(documented_commands()):
        # past days that no earlier command used: each backfill creates its own runs
        day = (today - timedelta(days=20 + 2 * index)).isoformat()
        argv = filled_in(args, day)
        result = run_cli(stack.data_dir, argv)
        assert result.returncode == 0, f"{where}: airflow {shlex.join(argv)}\n{result.stderr[-3000:]}"
        if argv[:2] == ["backfill", "create"]:
            dag_id = option(argv, "--dag-id")
            made = [b for b in stack.get(f"/api/v2/backfills?dag_id={dag_id}")["backfills"]
                    if datetime.fromisoformat(b["from_date"]).astimezone(SHANGHAI).date().isoformat()
                    == option(argv, "--from-date")]
            assert made, f"{where}: no backfill of {dag_id} from {option(argv, '--from-date')} was created"
            # one active backfill per DAG: end this one so the next documented command can create its own
            for backfill in made:
                answer = stack.session.put(f"{stack.api}/api/v2/backfills/{backfill['id']}/cancel", timeout=30)
                assert answer.status_code == 200, answer.text
