"""The demo data's secondary market: its rules hold, and its pending transfers register cleanly at HJS."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta

import pytest

from demo.generate import DemoSpec
from demo.load import load
from hjs_operators.secondary_market.checks import check_holder_limit, check_transfer_rules
from hjs_operators.secondary_market.holders import current_holders
from hjs_operators.secondary_market.registration import register_pending
from stack.sandbox_seed import seed_sandbox
from tests.secondary_market.helpers import SHANGHAI, rows

pytestmark = [pytest.mark.postgres, pytest.mark.sandbox]

TODAY = date(2026, 11, 24)


def test_demo_transfers_follow_the_rules_and_register_once(zw_db, zw_conn, sandbox, hjs):
    load(zw_conn, DemoSpec(assets=1500, seed=13, today=TODAY))
    check_holder_limit(zw_conn)
    check_transfer_rules(zw_conn)
    seed_sandbox(zw_db, sandbox.base_url)
    pending = rows(zw_conn, "SELECT count(*) FROM liquidate_asset l WHERE NOT EXISTS "
                   "(SELECT 1 FROM transfer_registration r WHERE r.liquidate_id = l.id)")[0][0]

    assert pending > 0, "the demo should have transfers made today, not yet registered"
    cutoff = datetime.combine(TODAY + timedelta(days=2), time(0), SHANGHAI)  # a chain's C may be after midnight
    result = register_pending(zw_conn, hjs, run_id="demo-test", cutoff=cutoff)

    assert result.refused == () and result.unfinished == ()
    assert len(result.registered) == pending
    # zw's current holders now agree with HJS's for every subscription
    at_hjs = {s["orderNo"]: s["holderAssetId"] for s in sandbox.admin.subscriptions()}
    ours = {h.order_no: str(h.holder_asset_id) for h in current_holders(zw_conn) if h.order_no}
    assert ours == at_hjs
    assert any(h.transfers == 2 for h in current_holders(zw_conn))  # the demo's A -> B -> C chains
    again = register_pending(zw_conn, hjs, run_id="demo-test-2", cutoff=cutoff)
    assert again.counts() == {"registered": 0, "already_at_hjs": 0, "refused_now": 0, "set_aside": 0,
                              "unfinished": 0}
