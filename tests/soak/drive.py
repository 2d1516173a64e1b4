"""How the soak drives the real code: one run of each pipeline as its operators call the services,
and the starting state of each scenario. Shared by the soak and by the checks' own test."""

from __future__ import annotations

from collections import Counter

from hjs_operators.invest_sync.service import HjsUnavailableError, InvestSync
from stack.sandbox_seed import seed_sandbox
from tests.invest_sync.helpers import CUTOFF, planned
from tests.secondary_market.helpers import Market, add_invest_record
from tests.soak.checks import rows
from tests.soak.faults import soak_client
from tests.zw_rows import add_asset, add_product

SUBSCRIPTIONS = 20


def waiting(conn, asset_ids: list[int]) -> list[int]:
    return [asset_id for (asset_id,) in rows(conn, "SELECT id FROM asset WHERE status = 'INVEST_START' "
                                                   "AND id = ANY(%s) ORDER BY id", (asset_ids,))]


def one_pass(zw_db, sandbox, outcomes: Counter, run_id: str) -> tuple[list[dict], list[int]]:
    """One run: plan, then each batch as its own mapped task would (a new service each). One calling
    thread, so the seed maps requests to faults the same way every time. Returns the batches' counts
    and the first product ids of the batches that stopped (HjsUnavailableError: the task would fail)."""

    def service() -> InvestSync:
        return InvestSync(connect=zw_db.connect, client_factory=lambda: soak_client(sandbox, outcomes), run_id=run_id,
                          cutoff=CUTOFF, concurrency=1, booking_linger=0.01)

    results, stopped = [], []
    for batch in planned(zw_db.connect):
        try:
            results.append(service().subscribe_batch(batch["first_product_id"], batch["last_product_id"]))
        except HjsUnavailableError:
            stopped.append(batch["first_product_id"])
    return results, stopped


def subscribed_market(zw_db, zw_conn, sandbox) -> Market:
    product_id = add_product(zw_conn, channel="HJS_T")
    ids = [add_asset(zw_conn, product_id, user_id=user) for user in range(1, SUBSCRIPTIONS + 1)]
    for asset_id in ids:
        add_invest_record(zw_conn, asset_id)
    zw_conn.commit()
    (code,) = rows(zw_conn, "SELECT product_code FROM hjs_product WHERE id = %s", (product_id,))[0]
    seed_sandbox(zw_db, sandbox.base_url)
    return Market(zw_conn, product_id, code, ids)


def pending(conn) -> list[int]:
    return [liquidate_id for (liquidate_id,) in rows(
        conn, "SELECT id FROM liquidate_asset l WHERE NOT EXISTS "
              "(SELECT 1 FROM transfer_registration r WHERE r.liquidate_id = l.id) ORDER BY id")]
