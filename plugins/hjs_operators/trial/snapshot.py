"""HJS's maturity amounts of one product, read 50 a page, into hjs_amount_snapshot for one run.

Per (run, product), in ONE transaction: delete what an earlier attempt of this run wrote, insert
every record (COPY), and record the fetch in trial_fetch. A task retry therefore replaces, never
doubles. Records are parsed one by one: a record HJS sent malformed (amount "N/A", a missing field)
is kept with its raw amount text and the reason in `problem`, and the rest of the page is used.
What makes the whole list untrustworthy - a page of more than 50 records, a total that changes
between pages, an orderNo that repeats, a product HJS does not know - is recorded as a FAILED fetch
with the reason; the product is then held, and nothing of it is kept.
Transient failures (HJS down after the client's own retries) raise: the task retries.
"""

from __future__ import annotations

import csv
import io
import logging
import re
from dataclasses import dataclass, replace
from typing import Any

from ..client import pager
from ..client.client import MATURITY_TRIAL
from ..client.results import MaturityPage, MaturityRecord
from ..protocol.errors import HjsBusinessError, HjsProtocolError
from ..repository.db import transaction
from ..repository.sql_files import load_sql

log = logging.getLogger(__name__)

_MONEY = re.compile(r"(0|[1-9][0-9]*)\.[0-9]{2}")
MAX_RAW = 64  # raw text kept for an operator; long enough for any amount, short enough to stay a field


@dataclass(frozen=True)
class SnapshotRow:
    order_no: str  # what the pager orders and de-duplicates by ("" when HJS sent none)
    asset_id: str | None
    holder_asset_id: str | None
    principal: str | None
    interest: str | None
    amount: str | None
    amount_raw: str | None
    problem: str | None


@dataclass(frozen=True)
class FetchResult:
    product_id: int
    product_code: str
    status: str  # OK or FAILED
    records: int
    bad_records: int
    pages: int
    problem: str | None = None


def _text(value: Any) -> str | None:
    if value is None:
        return None
    return (value if isinstance(value, str) else str(value))[:MAX_RAW]


def _lenient_record(item: Any, *, where: str, index: int) -> SnapshotRow:
    try:
        record = MaturityRecord.parse(item, service=MATURITY_TRIAL, where=where, index=index)
    except HjsProtocolError as exc:
        data = item if isinstance(item, dict) else {}
        money = {name: (value if isinstance(value := data.get(name), str) and _MONEY.fullmatch(value) else None)
                 for name in ("principal", "interest", "amount")}
        order_no = data.get("orderNo")
        return SnapshotRow(
            order_no=order_no if isinstance(order_no, str) else "",
            asset_id=_text(data.get("assetId")), holder_asset_id=_text(data.get("holderAssetId")),
            principal=money["principal"], interest=money["interest"], amount=money["amount"],
            amount_raw=_text(data.get("amount")), problem=str(exc))
    return SnapshotRow(order_no=record.order_no, asset_id=record.asset_id, holder_asset_id=record.holder_asset_id,
                       principal=f"{record.principal:f}", interest=f"{record.interest:f}",
                       amount=f"{record.amount:f}", amount_raw=_text(item.get("amount")), problem=None)


def _page_fetcher(client):
    """A pager fetch function that parses the page header strictly and the records leniently."""

    def fetch(product_code: str, page_no: int, page_size: int) -> MaturityPage:
        payload = client.maturity_trial_payload(product_code, page_no, page_size)
        items = payload.get("records")
        header = MaturityPage.parse({**payload, "records": []}, service=MATURITY_TRIAL,
                                    product_code=product_code, page_no=page_no)
        if not isinstance(items, list):
            raise HjsProtocolError(f"product {product_code} page {page_no}: records is not a list",
                                   service=MATURITY_TRIAL)
        where = f"product {product_code} page {page_no}"
        rows = tuple(_lenient_record(item, where=where, index=i + 1) for i, item in enumerate(items))
        return replace(header, records=rows)

    return fetch


def fetch_product(zw_conn, client, *, run_id: str, product_id: int, product_code: str,
                  page_size: int = pager.MAX_PAGE_SIZE) -> FetchResult:
    """Read every page of the product and replace this run's snapshot of it. See the module docstring."""
    rows: list[SnapshotRow] = []
    pages = 0
    problem = None
    try:
        for page in pager.iter_pages(_page_fetcher(client), product_code, page_size=page_size):
            rows.extend(page.records)
            pages += 1
    except HjsProtocolError as exc:
        problem = f"maturity amounts could not be read consistently: {exc}"
    except HjsBusinessError as exc:
        problem = f"HJS refused the maturity trial: {exc}"
    if problem is not None:
        rows = []
    bad = sum(1 for row in rows if row.problem)
    result = FetchResult(product_id, product_code, "FAILED" if problem else "OK", len(rows), bad, pages, problem)
    _write(zw_conn, run_id, result, rows)
    if problem:
        log.warning("product %s (%d): fetch FAILED, product will be held: %s", product_code, product_id, problem)
    else:
        log.info("product %s (%d): %d record(s) in %d page(s), %d malformed", product_code, product_id,
                 len(rows), pages, bad)
    return result


def _write(zw_conn, run_id: str, result: FetchResult, rows: list[SnapshotRow]) -> None:
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    for r in rows:
        writer.writerow([run_id, result.product_id, r.order_no or None, r.asset_id, r.holder_asset_id, r.principal,
                         r.interest, r.amount, r.amount_raw, r.problem])
    buffer.seek(0)
    with transaction(zw_conn) as cur:
        cur.execute(load_sql("trial/delete_snapshot.sql"), {"run_id": run_id, "product_id": result.product_id})
        if rows:
            cur.copy_expert(load_sql("trial/copy_snapshot.sql"), buffer)
        cur.execute(load_sql("trial/upsert_fetch.sql"), {
            "run_id": run_id, "product_id": result.product_id, "status": result.status,
            "records": result.records, "bad_records": result.bad_records, "pages": result.pages,
            "problem": result.problem})
