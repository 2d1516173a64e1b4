"""HjsClient: the HJS operations, with retries for reads and exactly-once for writes.

Reads (ping, product.query, invest.query, maturity.trial, transfer.query) and the idempotent
product.closeTransfer are retried on transient failures with backoff. The two calls that create
something at HJS follow spec section 7 instead (see subscribe / register_transfer): after a failure
whose outcome is unknown they ask HJS what it has before sending again, so a lost answer never
subscribes or transfers twice - and a retry is always a new envelope with a new nonce.
"""

from __future__ import annotations

import logging
import random
import time
from collections.abc import Callable, Iterator, Mapping
from dataclasses import replace
from typing import Any, TypeVar

import requests

from ..domain.order_numbers import is_valid_number
from ..protocol import codes
from ..protocol.crypto import normalize_key
from ..protocol.errors import HjsBusinessError, HjsError, HjsProtocolError, HjsTransientError
from ..protocol.settings import CHARSET_PROBE, ProtocolSettings
from . import pager
from .commands import InvestCommand, TransferCommand
from .results import InvestOrder, MaturityPage, MaturityTrial, Ping, Product, Transfer, TransferClose
from .retry import RetryPolicy, call_with_retries
from .transport import HjsRefusedError, HjsTransport, Timeouts

log = logging.getLogger("hjs_operators.client")

T = TypeVar("T", InvestOrder, Transfer)

PING = "system.ping"
PRODUCT_QUERY = "product.query"
INVEST_CREATE = "invest.create"
INVEST_QUERY = "invest.query"
MATURITY_TRIAL = "maturity.trial"
TRANSFER_REGISTER = "transfer.register"
TRANSFER_QUERY = "transfer.query"
CLOSE_TRANSFER = "product.closeTransfer"


class HjsClient:
    """Typed HJS operations over one pooled HTTP session.

    base_url: e.g. "https://hjs.example.com" (calls go to {base_url}/api/v1/{service}).
    settings: the agreed protocol settings (merchant id, key, mode, IV, sign type, charset, window).
    The key is checked here, once, so a short or degenerate key fails at construction with a
    clear HjsConfigError instead of on the first call.
    """

    def __init__(
        self,
        base_url: str,
        settings: ProtocolSettings,
        *,
        timeouts: Timeouts | None = None,
        retry: RetryPolicy | None = None,
        session: requests.Session | None = None,
        sleep: Callable[[float], None] = time.sleep,
        rng: Callable[[], float] = random.random,
    ) -> None:
        normalize_key(settings.key)  # raises HjsConfigError for a bad key; the key never appears
        self.transport = HjsTransport(base_url, settings, timeouts=timeouts, session=session)
        self.retry = retry or RetryPolicy()
        self._sleep = sleep
        self._rng = rng

    def __repr__(self) -> str:
        return f"HjsClient(base_url={self.transport.base_url!r}, merchant_id={self.transport.settings.merchant_id!r})"

    def __enter__(self) -> HjsClient:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()

    def close(self) -> None:
        self.transport.close()

    # -- plumbing -----------------------------------------------------------------------------

    def _call(self, service: str, payload: Mapping[str, Any]) -> dict[str, Any]:
        """A read or idempotent call: retried on transient failures, payload of the 0000 answer."""
        response = call_with_retries(
            service, lambda: self.transport.send(service, payload), self.retry, sleep=self._sleep, rng=self._rng
        )
        return response.payload

    def _find(self, service: str, payload: Mapping[str, Any], not_found: str) -> dict[str, Any] | None:
        """A query whose "no such thing" code is an answer (None), not an error."""
        try:
            return self._call(service, payload)
        except HjsBusinessError as exc:
            if exc.code == not_found:
                return None
            raise

    # -- reads ----------------------------------------------------------------------------------

    def ping(self) -> Ping:
        """system.ping: proves both directions of signing, encryption and charset work.

        The request carries the spec's charsetProbe (HJS answers 2004 if it reads otherwise) and the
        answer must carry it back unchanged: a wrong charset is caught here, not as mojibake later.
        """
        settings = self.transport.settings
        payload = self._call(PING, {"charsetProbe": CHARSET_PROBE})
        return Ping.parse(payload, service=PING, merchant_id=settings.merchant_id, charset=settings.charset.value)

    def query_product(self, product_code: str) -> Product:
        """product.query. Unknown product -> HjsBusinessError 1001."""
        payload = self._call(PRODUCT_QUERY, {"productCode": product_code})
        return Product.parse(payload, service=PRODUCT_QUERY, product_code=product_code)

    def query_invest(self, order_no: str) -> InvestOrder | None:
        """invest.query: the order as HJS has it, or None when HJS has no such order (1002)."""
        _require_number(order_no, "order number")
        payload = self._find(INVEST_QUERY, {"orderNo": order_no}, codes.ORDER_NOT_FOUND)
        return None if payload is None else InvestOrder.parse(payload, service=INVEST_QUERY, order_no=order_no)

    def query_transfer(self, transfer_no: str) -> Transfer | None:
        """transfer.query: the transfer as HJS has it, or None when HJS has no such transfer (1007)."""
        _require_number(transfer_no, "transfer number")
        payload = self._find(TRANSFER_QUERY, {"transferNo": transfer_no}, codes.TRANSFER_NOT_FOUND)
        return None if payload is None else Transfer.parse(payload, service=TRANSFER_QUERY, transfer_no=transfer_no)

    def maturity_trial_page(
        self, product_code: str, page_no: int, page_size: int = pager.MAX_PAGE_SIZE
    ) -> MaturityPage:
        """One maturity.trial page, as HJS sent it (records parsed strictly; no cross-page checks)."""
        payload = self.maturity_trial_payload(product_code, page_no, page_size)
        return MaturityPage.parse(payload, service=MATURITY_TRIAL, product_code=product_code, page_no=page_no)

    def maturity_trial_payload(
        self, product_code: str, page_no: int, page_size: int = pager.MAX_PAGE_SIZE
    ) -> dict[str, Any]:
        """One maturity.trial page's verified, decrypted payload, unparsed: for a caller that parses the
        records leniently to keep and name the bad ones (trial.snapshot). Retried like every read."""
        return self._call(MATURITY_TRIAL, {"productCode": product_code, "pageNo": page_no, "pageSize": page_size})

    def iter_maturity_pages(self, product_code: str, *, page_size: int = pager.MAX_PAGE_SIZE) -> Iterator[MaturityPage]:
        """Checked pages, one at a time (for callers that write each page as it comes)."""
        return pager.iter_pages(self.maturity_trial_page, product_code, page_size=page_size)

    def maturity_trial(self, product_code: str, *, page_size: int = pager.MAX_PAGE_SIZE) -> MaturityTrial:
        """Every maturity record of the product, read page by page and checked (see pager.py)."""
        return pager.collect(self.maturity_trial_page, product_code, page_size=page_size)

    # -- writes -----------------------------------------------------------------------------------

    def close_transfer(self, product_code: str) -> TransferClose:
        """product.closeTransfer. Idempotent at HJS (closing again answers the first closedAt), so a
        blind retry is safe."""
        payload = self._call(CLOSE_TRANSFER, {"productCode": product_code})
        return TransferClose.parse(payload, service=CLOSE_TRANSFER, product_code=product_code)

    def create_invest(self, command: InvestCommand) -> InvestOrder:
        """invest.create, sent exactly once, not retried: the raw call. Use subscribe() unless you
        handle an unknown outcome yourself."""
        payload = command.payload()
        answer = self.transport.send(INVEST_CREATE, payload).payload
        order = InvestOrder.parse(answer, service=INVEST_CREATE, order_no=command.order_no)
        _check_echo(order.differences(payload), INVEST_CREATE, f"order {command.order_no}")
        return order

    def register_transfer_once(self, command: TransferCommand) -> Transfer:
        """transfer.register, sent exactly once, not retried (see register_transfer)."""
        payload = command.payload()
        answer = self.transport.send(TRANSFER_REGISTER, payload).payload
        transfer = Transfer.parse(answer, service=TRANSFER_REGISTER, transfer_no=command.transfer_no)
        _check_echo(transfer.differences(payload), TRANSFER_REGISTER, f"transfer {command.transfer_no}")
        return transfer

    def subscribe(self, command: InvestCommand, *, check_first: bool = False) -> InvestOrder:
        """Subscribe at HJS exactly once.

        Sends invest.create. When the outcome is unknown (timeout, dropped connection, 5xx after
        sending) it asks invest.query before sending again: ORDER_NOT_FOUND means HJS never got it
        and it is safe to re-send; a found order is returned with already_at_hjs=True. With
        check_first=True it asks invest.query before the first send too (use it when a previous run
        may have sent the order: task retries, reruns, backfills). An order found with other content
        raises HjsBusinessError 1003 (ORDER_CONFLICT), as invest.create would.
        """
        payload = command.payload()

        def find() -> InvestOrder | None:
            found = self.query_invest(command.order_no)
            if found is not None:
                _check_found(
                    found.differences(payload), codes.ORDER_CONFLICT, INVEST_QUERY, f"order {command.order_no}"
                )
            return found

        return self._exactly_once(
            INVEST_CREATE, command.order_no, lambda: self.create_invest(command), find, check_first
        )

    def register_transfer(self, command: TransferCommand, *, check_first: bool = False) -> Transfer:
        """Register a transfer at HJS exactly once: the pattern of subscribe(), with transfer.query
        (TRANSFER_NOT_FOUND -> safe to send) and TRANSFER_CONFLICT (1008) for other content.

        transfer.query's answer carries only orderNo and buyerAssetId of the content, so only those
        can be compared with ours; the number itself is derived from the zw liquidation, whose
        content does not change once recorded.
        """
        payload = command.payload()

        def find() -> Transfer | None:
            found = self.query_transfer(command.transfer_no)
            if found is not None:
                where = f"transfer {command.transfer_no}"
                _check_found(found.differences(payload), codes.TRANSFER_CONFLICT, TRANSFER_QUERY, where)
            return found

        return self._exactly_once(
            TRANSFER_REGISTER, command.transfer_no, lambda: self.register_transfer_once(command), find, check_first
        )

    def _exactly_once(
        self,
        service: str,
        number: str,
        send: Callable[[], T],
        find: Callable[[], T | None],
        check_first: bool,
    ) -> T:
        if check_first:
            found = find()
            if found is not None:
                log.info("hjs %s: %s already at HJS (checked before sending)", service, number)
                return replace(found, already_at_hjs=True)
        attempts = self.retry.max_attempts
        for attempt in range(1, attempts + 1):
            try:
                return send()
            except HjsTransientError as exc:
                failure = exc
            except HjsRefusedError:
                raise  # verified refusal: HJS did nothing, the message says why
            except HjsProtocolError as exc:
                # An answer we cannot trust (bad signature, ...): never retried blindly, but say plainly
                # that HJS may have acted on the request, and how to find out.
                raise HjsProtocolError(
                    f"{number}: {_reason(exc)} - HJS may have processed it; "
                    "query it (check_first=True) before sending again",
                    service=service,
                ) from exc
            if failure.outcome_unknown:
                # Spec section 7: never re-send before asking. find() retries its own transient failures;
                # if it still cannot answer, the outcome stays unknown and that is what we raise.
                log.warning("hjs %s: %s outcome unknown (%s); asking HJS before re-sending", service, number, failure)
                try:
                    found = find()
                except HjsTransientError as query_exc:
                    raise HjsTransientError(
                        f"{number}: outcome unknown - the send failed ({_reason(failure)}) and the query did not "
                        f"answer ({query_exc}); query again before re-sending",
                        service=service,
                    ) from query_exc
                if found is not None:
                    log.info("hjs %s: %s found at HJS after an unknown outcome; not re-sending", service, number)
                    return replace(found, already_at_hjs=True)
                log.info("hjs %s: %s not at HJS; safe to send again", service, number)
            if attempt == attempts:
                # Whatever the last failure was, HJS has been asked (or certainly did not process it).
                raise HjsTransientError(
                    f"{number}: not at HJS after {attempts} attempts; last failure: {_reason(failure)}",
                    service=service,
                    outcome_unknown=False,
                ) from failure
            wait = self.retry.delay(attempt, retry_after=failure.retry_after, rng=self._rng)
            log.warning(
                "hjs %s: %s attempt %d/%d failed; re-sending in %.2fs", service, number, attempt, attempts, wait
            )
            self._sleep(wait)
        raise AssertionError("unreachable")  # pragma: no cover


def _reason(exc: HjsError) -> str:
    """The error's message without its "service: " prefix, for nesting in another error of that call."""
    return exc.detail


def _require_number(value: str, what: str) -> None:
    if not is_valid_number(value):
        raise ValueError(f"{what} must be 1-32 characters of [A-Za-z0-9]")


def _check_echo(differences: list[str], service: str, where: str) -> None:
    """A create/register answer must be about what we sent; anything else is not booked."""
    if differences:
        raise HjsProtocolError(
            f"{where}: answer does not match the request in {', '.join(differences)}", service=service
        )


def _check_found(differences: list[str], conflict_code: str, service: str, where: str) -> None:
    """HJS has the number with other content: the conflict HJS itself would report on re-sending."""
    if differences:
        raise HjsBusinessError(
            conflict_code,
            f"{where} exists at HJS with other {', '.join(differences)} (found by query)",
            service=service,
        )
