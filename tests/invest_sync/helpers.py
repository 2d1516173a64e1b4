"""Shared by the invest sync tests: a day's products and assets on both sides, and the checks."""

from __future__ import annotations

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from hjs_operators.client import HjsClient, RetryPolicy, Timeouts
from hjs_operators.domain.order_numbers import invest_order_no
from hjs_operators.invest_sync.service import InvestSync, plan_run
from tests.zw_rows import add_asset, add_product

SHANGHAI = ZoneInfo("Asia/Shanghai")
# The day these tests are about: runs at 2026-11-25 00:00 Shanghai take assets bought before then.
CUTOFF = datetime(2026, 11, 25, tzinfo=SHANGHAI)
FAST_RETRY = RetryPolicy(max_attempts=5, base_delay=0.01, max_delay=0.05)


def product_code(conn, product_id: int) -> str:
    with conn.cursor() as cur:
        cur.execute("SELECT product_code FROM hjs_product WHERE id = %s", (product_id,))
        return cur.fetchone()[0]


def sandbox_product(conn, product_id: int) -> dict:
    with conn.cursor() as cur:
        cur.execute("SELECT product_code, product_name, channel_code, total_amount, share_amount, annual_rate, "
                    "day_count, value_date, maturity_date FROM hjs_product WHERE id = %s", (product_id,))
        code, name, channel, total, share, rate, day_count, value_date, maturity = cur.fetchone()
    return {"productCode": code, "productName": name, "channel": channel, "totalAmount": f"{total:.2f}",
            "shareAmount": f"{share:.2f}", "annualRate": str(rate), "dayCount": day_count,
            "valueDate": value_date.isoformat(), "maturityDate": maturity.isoformat()}


def set_created(conn, asset_id: int, created: datetime) -> None:
    with conn.cursor() as cur:
        cur.execute("UPDATE asset SET created_at = %s WHERE id = %s", (created, asset_id))


def make_products(conn, sandbox, *, products: int = 2, assets: int = 5, created: datetime | None = None,
                  at_hjs: bool = True, channel: str = "HJS_T", shares: int = 2) -> dict[int, list[int]]:
    """`products` products with `assets` INVEST_START assets each, created `created` (default: the
    afternoon before CUTOFF); registered at the sandbox unless at_hjs=False. {product_id: [asset ids]}"""
    created = created or CUTOFF - timedelta(hours=10)
    made: dict[int, list[int]] = {}
    for _ in range(products):
        product_id = add_product(conn, channel=channel)
        ids = []
        for number in range(assets):
            asset_id = add_asset(conn, product_id, status="INVEST_START", shares=shares, user_id=1000 + number)
            set_created(conn, asset_id, created)
            ids.append(asset_id)
        made[product_id] = ids
        if at_hjs:
            sandbox.admin.upsert_products([sandbox_product(conn, product_id)])
    conn.commit()
    return made


def client_factory(sandbox, *, read_timeout: float = 5.0, retry: RetryPolicy = FAST_RETRY):
    def build() -> HjsClient:
        return HjsClient(sandbox.base_url, sandbox.settings, timeouts=Timeouts(connect=2.0, read=read_timeout),
                         retry=retry)

    return build


def service(zw_db, sandbox, *, run_id: str = "run-1", cutoff: datetime = CUTOFF, concurrency: int = 4,
            read_timeout: float = 5.0, **kwargs) -> InvestSync:
    return InvestSync(connect=zw_db.connect, client_factory=client_factory(sandbox, read_timeout=read_timeout),
                      run_id=run_id, cutoff=cutoff, concurrency=concurrency, **kwargs)


def sync_all(zw_db, sandbox, *, run_id: str = "run-1", cutoff: datetime = CUTOFF, **kwargs) -> list[dict]:
    """What one run does: plan, then every batch (sequentially here; mapped tasks under Airflow)."""
    return [service(zw_db, sandbox, run_id=run_id, cutoff=cutoff, **kwargs).subscribe_batch(
        b["first_product_id"], b["last_product_id"]) for b in planned(zw_db.connect, cutoff)]


def planned(connect, cutoff: datetime = CUTOFF) -> list[dict]:
    """The run's batches as the planning task cuts them, one product each."""
    conn = connect()
    try:
        return plan_run(conn, cutoff, per_batch=1)
    finally:
        conn.close()


def zw_state(conn) -> dict:
    """Statuses, invest records (per asset) and the consistency of the two."""
    conn.rollback()
    with conn.cursor() as cur:
        cur.execute("SELECT id, status FROM asset ORDER BY id")
        statuses = dict(cur.fetchall())
        cur.execute("SELECT asset_id, order_no FROM invest_record ORDER BY asset_id")
        records = cur.fetchall()
        cur.execute("SELECT count(*) FROM asset a WHERE (a.status = 'INVEST_SUCCESS') <> EXISTS "
                    "(SELECT 1 FROM invest_record r WHERE r.asset_id = a.id) AND a.origin_asset_id IS NULL")
        half_written = cur.fetchone()[0]
    conn.commit()
    return {"statuses": statuses, "records": records, "half_written": half_written}


def assert_exactly_once(conn, sandbox, asset_ids: list[int]) -> None:
    """Each asset subscribed exactly once on both sides, nothing else, nothing half-written."""
    state = zw_state(conn)
    assert state["half_written"] == 0
    assert {state["statuses"][a] for a in asset_ids} == {"INVEST_SUCCESS"}
    record_assets = [asset_id for asset_id, _ in state["records"]]
    assert sorted(record_assets) == sorted(asset_ids)  # one record per asset (the table is unique too)
    assert all(order_no == invest_order_no(asset_id) for asset_id, order_no in state["records"])
    at_hjs = [row["orderNo"] for row in sandbox.admin.subscriptions()]
    assert sorted(at_hjs) == sorted(invest_order_no(a) for a in asset_ids)
    assert len(at_hjs) == len(set(at_hjs))


def attempts(conn, *, kind: str = "INVEST") -> list[tuple]:
    conn.rollback()
    with conn.cursor() as cur:
        cur.execute("SELECT subject_id, outcome, reason_code, reason, run_id FROM hjs_sync_attempt WHERE kind = %s "
                    "ORDER BY id", (kind,))
        rows = cur.fetchall()
    conn.commit()
    return rows
