"""Run one invest sync (what the subscribe task does) in a process of its own, for the SIGKILL test.

    python -m tests.invest_sync.kill_worker DSN BASE_URL CUTOFF_ISO RUN_ID
"""

from __future__ import annotations

import sys
from datetime import datetime

import psycopg

from hjs_operators.client import HjsClient, RetryPolicy, Timeouts
from hjs_operators.invest_sync.service import InvestSync
from hjs_operators.protocol import ProtocolSettings
from tests.fixtures.sandbox import TEST_IV, TEST_KEY, TEST_MERCHANT_ID
from tests.invest_sync.helpers import planned


def main(dsn: str, base_url: str, cutoff: str, run_id: str) -> None:
    settings = ProtocolSettings.from_strings(merchant_id=TEST_MERCHANT_ID, key=TEST_KEY, mode="CBC", iv=TEST_IV,
                                             sign_type="HMAC-SHA256", charset="UTF-8")

    def client() -> HjsClient:
        return HjsClient(base_url, settings, timeouts=Timeouts(connect=2.0, read=60.0),
                         retry=RetryPolicy(max_attempts=3, base_delay=0.01, max_delay=0.05))

    def sync() -> InvestSync:
        return InvestSync(connect=lambda: psycopg.connect(dsn), client_factory=client, run_id=run_id,
                          cutoff=datetime.fromisoformat(cutoff), concurrency=4)

    for batch in planned(lambda: psycopg.connect(dsn), datetime.fromisoformat(cutoff)):
        sync().subscribe_batch(batch["first_product_id"], batch["last_product_id"])


if __name__ == "__main__":
    main(*sys.argv[1:5])
