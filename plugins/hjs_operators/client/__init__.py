"""HJS HTTP client: transport with timeouts and retries, typed results, paging, exactly-once writes.

Plain Python (no Airflow imports): the hook in hjs_operators.hooks builds an HjsClient from an
Airflow connection; everything here can be used and tested without Airflow.
"""

from ..domain.order_numbers import (
    asset_id_from_order_no,
    invest_order_no,
    liquidate_id_from_transfer_no,
    transfer_no,
)
from .client import HjsClient
from .commands import InvestCommand, TransferCommand
from .results import (
    InvestOrder,
    MaturityPage,
    MaturityRecord,
    MaturityTrial,
    Ping,
    Product,
    Transfer,
    TransferClose,
)
from .retry import RetryPolicy
from .transport import HjsRefusedError, HjsTransport, HjsUntrustedAnswerError, Timeouts

__all__ = [
    "HjsClient",
    "HjsRefusedError",
    "HjsTransport",
    "HjsUntrustedAnswerError",
    "InvestCommand",
    "InvestOrder",
    "MaturityPage",
    "MaturityRecord",
    "MaturityTrial",
    "Ping",
    "Product",
    "RetryPolicy",
    "Timeouts",
    "Transfer",
    "TransferClose",
    "TransferCommand",
    "asset_id_from_order_no",
    "invest_order_no",
    "liquidate_id_from_transfer_no",
    "transfer_no",
]
