"""The whole T-3 run under the CeleryExecutor with two workers next to the LocalExecutor, one after the other.

    .venv/bin/python bench/bench_celery_run.py [--products 5000] [--assets-per-product 200] [--latency-ms 20]
        [--workers 2]

Runs bench/bench_trial_run.py twice on the same arguments, first with `--executor local`, then with
`--executor celery --workers N` (Redis broker, result backend on the stack's PostgreSQL, each worker with
its own AIRFLOW_HOME; see docs/deploy.md), each on a zw built afresh. Each prints its own per-task table
(where the time goes) and checks its result; this prints both figures side by side at the end: the run's
wall time, Celery's as a ratio of Local's (measured in the same sitting, the baseline), and CPU seconds per
task instance. Speed is printed, never asserted.
"""

from __future__ import annotations

import argparse
import re
import subprocess
import sys
from pathlib import Path

BENCH = Path(__file__).resolve().parent / "bench_trial_run.py"
WALL = re.compile(r"trigger -> run finished \((\w+)\): ([\d.]+) s")
PER_INSTANCE = re.compile(r"per task instance \((\w+)\): (\d+) instances; CPU s airflow\+tasks ([\d.]+), "
                          r"all of the stack ([\d.]+)")
TABLE_ROW = re.compile(r"^(close_transfers|fetch_amounts|compare_products|settle_matched)\s+(\d+)\s+([\d.]+)\s+")


def run_one(arguments: list[str]) -> dict:
    """bench_trial_run.py with these arguments, its output passed through; its figures."""
    process = subprocess.Popen([sys.executable, str(BENCH), *arguments], stdout=subprocess.PIPE,
                               stderr=subprocess.STDOUT, text=True)
    figures: dict = {"tasks": {}}
    for line in process.stdout:
        print(line, end="", flush=True)
        if match := WALL.search(line):
            figures["state"], figures["wall"] = match.group(1), float(match.group(2))
        elif match := PER_INSTANCE.search(line):
            figures["instances"] = int(match.group(2))
            # already per instance
            figures["cpu_airflow"], figures["cpu_all"] = float(match.group(3)), float(match.group(4))
        elif match := TABLE_ROW.match(line):
            figures["tasks"][match.group(1)] = float(match.group(3))
    if process.wait() != 0:
        raise SystemExit(f"bench_trial_run.py {' '.join(arguments)} failed (exit {process.returncode})")
    return figures


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--products", default="5000")
    parser.add_argument("--assets-per-product", default="200")
    parser.add_argument("--latency-ms", default="20")
    parser.add_argument("--workers", default="2")
    args = parser.parse_args()
    common = ["--products", args.products, "--assets-per-product", args.assets_per_product,
              "--latency-ms", args.latency_ms]

    print("== LocalExecutor", flush=True)
    local = run_one([*common, "--executor", "local"])
    print(f"\n== CeleryExecutor, {args.workers} workers", flush=True)
    celery = run_one([*common, "--executor", "celery", "--workers", args.workers])

    print(f"\n{'':<34}{'Local':>10}{'Celery':>10}{'ratio':>8}")
    print(f"{'run wall s (trigger -> end)':<34}{local['wall']:>10.1f}{celery['wall']:>10.1f}"
          f"{celery['wall'] / local['wall']:>8.2f}")
    for task in ("close_transfers", "fetch_amounts", "compare_products", "settle_matched"):
        if task in local["tasks"] and task in celery["tasks"]:
            print(f"{'  ' + task + ' wall s':<34}{local['tasks'][task]:>10.1f}{celery['tasks'][task]:>10.1f}"
                  f"{celery['tasks'][task] / local['tasks'][task]:>8.2f}")
    print(f"{'task instances':<34}{local['instances']:>10}{celery['instances']:>10}")
    print(f"{'CPU s / instance, Airflow+tasks':<34}{local['cpu_airflow']:>10.2f}{celery['cpu_airflow']:>10.2f}")
    print(f"{'CPU s / instance, whole stack':<34}{local['cpu_all']:>10.2f}{celery['cpu_all']:>10.2f}")


if __name__ == "__main__":
    main()
