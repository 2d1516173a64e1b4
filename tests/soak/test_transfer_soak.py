"""Fault soak of transfer registration: 20 seeds of HTTP errors, timeouts and answers lost after HJS committed.

Each seed: one product with 20 subscriptions in a fresh zw, known to the sandbox (seeded from zw as the
stack does). Transfers arrive in three waves, one before each of the first three passes, so chains grow
while their earlier links may still be pending: 18 sales in the first wave, two of whose buyers resell at
once (A -> B -> C), six buyers of the first wave resell in the second, three of those in the third (29
transfers, chains of up to three links). A pass is what one hjs_transfer_sync run does
(register_pending, the call its operator makes), with the faults on; passes repeat (at most MAX_PASSES)
until nothing is pending. Then: every transfer registered exactly once at HJS and once in zw, HJS's
holders are zw's (tests/soak/checks.py).
"""

from __future__ import annotations

from collections import Counter
from datetime import timedelta

import pytest

from hjs_operators.secondary_market.registration import register_pending
from tests.secondary_market.helpers import AT, Market
from tests.soak.checks import check_transfers, outcome_counts, rows
from tests.soak.drive import pending, subscribed_market
from tests.soak.faults import MAX_PASSES, SEEDS, assert_faults_hit, faults_for, seed_id, soak_client

pytestmark = [pytest.mark.postgres, pytest.mark.sandbox]

CUTOFF = AT + timedelta(days=1)  # every wave's transfers are made before the runs' cutoff


def waves(market: Market):
    """Yields before each pass the transfers that arrive then; a new buyer user for every sale."""
    first = [market.sell(asset, buyer_user=100 + n) for n, asset in enumerate(market.assets[:18])]
    # two chains sold on within the same wave: B -> C waits in the pass where A -> B fails
    first += [market.sell(first[n].buyer_asset_id, buyer_user=150 + n, at=AT + timedelta(minutes=30))
              for n in (16, 17)]
    yield first
    second = [market.sell(t.buyer_asset_id, buyer_user=200 + n, at=AT + timedelta(hours=2))
              for n, t in enumerate(first[:6])]
    yield second
    yield [market.sell(t.buyer_asset_id, buyer_user=300 + n, at=AT + timedelta(hours=4))
           for n, t in enumerate(second[:3])]


@pytest.mark.parametrize("seed", SEEDS, ids=seed_id)
def test_transfers_are_registered_exactly_once_under_faults(seed, zw_conn, zw_db, sandbox):
    market = subscribed_market(zw_db, zw_conn, sandbox)
    arriving = waves(market)
    outcomes: Counter[str] = Counter()
    registered = 0
    sandbox.admin.set_faults(**faults_for(seed))

    recorded: dict[int, tuple] = {}  # liquidate_asset rows as the platform wrote them, before any pass
    passes = 0
    while passes < MAX_PASSES:
        wave = next(arriving, None)
        if wave is None and not pending(zw_conn):
            break
        passes += 1
        if wave:
            recorded.update((row[0], row) for row in rows(
                zw_conn, "SELECT * FROM liquidate_asset WHERE id = ANY(%s)", ([t.liquidate_id for t in wave],)))
        run_id = f"soak-{seed:02d}-pass-{passes}"
        with soak_client(sandbox, outcomes) as client:
            result = register_pending(zw_conn, client, run_id=run_id, cutoff=CUTOFF)
        registered += len(result.recorded)
        assert not result.refused, f"pass {passes}: valid transfers refused: {result.refused}"
        # what a pass leaves pending is reported as unfinished, with the failure recorded unless it only waits
        # for its predecessor; nothing is left pending silently
        unfinished = {u.liquidate_id: u.outcome for u in result.unfinished}
        assert set(unfinished) == set(pending(zw_conn)), f"pass {passes}: pending but not reported: {unfinished}"
        recorded_failures = {subject for subject, in rows(
            zw_conn, "SELECT subject_id FROM hjs_sync_attempt WHERE kind = 'TRANSFER' AND run_id = %s "
                     "AND outcome IN ('TRANSIENT_FAILURE', 'PROTOCOL_FAILURE')", (run_id,))}
        silent = [i for i, outcome in unfinished.items() if outcome != "WAITING" and i not in recorded_failures]
        assert not silent, f"pass {passes}: unfinished transfers with no failure recorded: {silent}"
    sandbox.admin.clear_faults()

    left = pending(zw_conn)
    assert not left and next(arriving, None) is None, (
        f"liquidations still unregistered after {MAX_PASSES} passes with faults: {left}")
    assert len(recorded) == 29
    assert registered == len(recorded), f"the passes recorded {registered} registrations for {len(recorded)} transfers"
    check_transfers(zw_conn, sandbox, market.product_code, [recorded[i] for i in sorted(recorded)])
    assert_faults_hit(outcomes, outcome_counts(zw_conn, "TRANSFER")["ALREADY_AT_HJS"])
