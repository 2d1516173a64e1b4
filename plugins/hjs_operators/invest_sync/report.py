"""The operations e-mail of one invest sync run: what it left failed, and why.

One e-mail per run and day: the key names the DAG, the run's cutoff (its day) and a digest of what
failed, so a retry of the report, a cleared task, a second run or a backfill of the same day with the
same failures sends nothing again, while the next day's run (or a rerun whose failures differ) reports
its own; none when nothing failed. No user ids or amounts: asset ids, order numbers,
product codes, HJS's codes and reasons.
"""

from __future__ import annotations

import hashlib
from collections import Counter
from datetime import datetime
from html import escape

from .repository import Failure
from .service import reason_key

KIND = "invest_sync_failures"


def notice_key(dag_id: str, cutoff: datetime, failures: list[Failure]) -> str:
    what = "\n".join(sorted(f"{f.kind}:{f.subject_id}:{f.outcome}:{f.reason_code}" for f in failures))
    return f"{KIND}:{dag_id}:{cutoff.isoformat()}:{hashlib.sha256(what.encode()).hexdigest()[:16]}"


def subject(scope: str, failures: list[Failure]) -> str:
    assets = sum(1 for f in failures if f.kind == "INVEST")
    products = sum(1 for f in failures if f.kind == "PRODUCT")
    extra = f", {products} product(s) not confirmed" if products else ""
    return f"[HJS invest sync] {scope}: {assets} asset(s) not subscribed{extra}"


def html(scope: str, run_id: str, failures: list[Failure]) -> str:
    by_reason = Counter(reason_key(f.reason_code, f.outcome) for f in failures if f.kind == "INVEST")
    rows = "".join(
        f"<tr><td>{escape(f.kind)}</td><td>{escape(f.product_code or '')}</td><td>{f.subject_id}</td>"
        f"<td>{escape(f.reference or '')}</td><td>{escape(reason_key(f.reason_code, f.outcome))}</td>"
        f"<td>{escape(f.reason or '')}</td></tr>"
        for f in failures)
    summary = "".join(f"<li>{escape(key)}: {count}</li>" for key, count in sorted(by_reason.items()))
    return (
        f"<p>The HJS invest sync of {escape(scope)} (run <code>{escape(run_id)}</code>) left these assets "
        "INVEST_START. Each is tried again by the next run; business refusals need a look first.</p>"
        f"<ul>{summary}</ul>"
        "<table border='1' cellpadding='4' cellspacing='0'><tr><th>kind</th><th>product</th><th>id</th>"
        f"<th>order / product code</th><th>reason</th><th>detail</th></tr>{rows}</table>"
        "<p>Transient failures (HJS unreachable, timeouts) need nothing: the next run retries them. "
        "To retry now, clear the run's subscribe_batches tasks in Airflow.</p>")
