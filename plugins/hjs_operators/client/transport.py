"""One HJS call over HTTP: seal the envelope, POST it, verify and open the answer.

This is the only place that touches the network. It makes exactly one attempt per send() (retries
are retry.py's job, exactly-once is client.py's) and turns every outcome into either a verified
Response with code 0000 or one of the typed errors:

- HjsTransientError: could not connect, timed out, connection dropped, HTTP 429 or 5xx (with any
  Retry-After), or a signed 9999 busy.
  `outcome_unknown` says whether the request may have been processed.
- HjsBusinessError: a verified answer with a 1xxx code.
- HjsProtocolError: anything we cannot trust - bad signature, stale, answering another request,
  undecryptable; HjsUntrustedAnswerError (a subclass) for answers that are no HJS decision at all
  (unsigned, not JSON, unexpected HTTP status, empty requestNonce); HjsRefusedError (a subclass) for a
  verified 2xxx answer, where HJS certainly did nothing.

What it logs: service, attempt outcome, HTTP status, code, request/response sizes, timing. Never the
envelope, the payload, the ciphertext, the key or the IV.
"""

from __future__ import annotations

import email.utils
import json
import logging
import math
import time
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from http.cookiejar import DefaultCookiePolicy
from typing import Any

import requests
from requests.adapters import HTTPAdapter

from ..protocol import codes
from ..protocol import envelope as env
from ..protocol.errors import HjsBusinessError, HjsConfigError, HjsProtocolError, HjsTransientError
from ..protocol.settings import ProtocolSettings

log = logging.getLogger("hjs_operators.client.transport")

API_PREFIX = "/api/v1/"
# Statuses the spec uses for answers HJS processed (200) or refused at protocol level (400/401).
_ANSWER_STATUSES = frozenset({200, 400, 401})
_MAX_MESSAGE = 120  # HJS's message goes into our errors; keep it short (it has no personal data)


class HjsRefusedError(HjsProtocolError):
    """A verified 2xxx answer: HJS checked our request, refused it at protocol level and did nothing.

    Distinct from the other protocol errors (answers we could not verify), after which HJS may well
    have acted on the request.
    """

    def __init__(self, code: str, message: str, *, service: str | None = None) -> None:
        self.code = code
        super().__init__(message, service=service)


class HjsUntrustedAnswerError(HjsProtocolError):
    """An answer that is not HJS's decision about this request: unsigned (plain {"code", "message"},
    HTML, empty) or signed but not bound to it (empty requestNonce). Whatever code it claims, nothing is
    concluded from it: it is reported for a person (docs/hjs-protocol.md section 6), never retried
    blindly, and after a write the order's fate is found by its query, not by this answer.
    """

    def __init__(self, message: str, *, service: str | None = None, http_status: int, claimed_code: str = "") -> None:
        self.http_status = http_status
        self.claimed_code = claimed_code
        super().__init__(message, service=service)


@dataclass(frozen=True)
class Timeouts:
    """(connect, read) timeouts in seconds, both always set: a request without one can hang a worker."""

    connect: float = 5.0
    read: float = 30.0

    def __post_init__(self) -> None:
        if not (self.connect > 0 and self.read > 0):
            raise HjsConfigError("connect and read timeouts must be positive")

    def as_tuple(self) -> tuple[float, float]:
        return (self.connect, self.read)


def _short(text: object) -> str:
    """An untrusted or HJS-supplied message, single-line and trimmed, safe to put in an error."""
    clean = " ".join(str(text).split())
    return clean if len(clean) <= _MAX_MESSAGE else clean[: _MAX_MESSAGE - 1] + "…"


def _never_connected(exc: requests.ConnectionError) -> bool:
    """True when the request certainly did not reach HJS (refused, DNS failure, connect timeout).

    requests wraps urllib3's errors; a NewConnectionError / NameResolutionError in the chain means the
    TCP connection was never made. A reset or a remote disconnect after connecting is another story:
    the request may have been read and committed.
    """
    if isinstance(exc, (requests.ConnectTimeout, requests.exceptions.SSLError)):
        return True  # a failed TLS handshake comes before any byte of the request
    seen: set[int] = set()
    node: BaseException | None = exc
    while node is not None and id(node) not in seen:
        seen.add(id(node))
        name = type(node).__name__
        if name in ("NewConnectionError", "NameResolutionError", "ConnectTimeoutError"):
            return True
        reason = getattr(node, "reason", None)
        if isinstance(reason, BaseException):
            node = reason
            continue
        if node.args and isinstance(node.args[0], BaseException):
            node = node.args[0]
            continue
        node = node.__cause__ or node.__context__
    return False


def _retry_after(response: requests.Response) -> float | None:
    """Retry-After in seconds: delay-seconds or an HTTP-date (RFC 9110 section 10.2.3); None if absent or
    unreadable (the backoff alone then decides). A date in the past means "now"."""
    value = response.headers.get("Retry-After", "").strip()
    if not value:
        return None
    try:
        seconds = float(value)
    except ValueError:
        try:
            when = email.utils.parsedate_to_datetime(value)
        except (TypeError, ValueError):
            return None
        if when.tzinfo is None:  # RFC 9110 dates are GMT; a naive parse means the zone was "-0000"
            when = when.replace(tzinfo=UTC)
        seconds = (when - datetime.now(UTC)).total_seconds()
        return max(seconds, 0.0)
    return seconds if seconds >= 0 and math.isfinite(seconds) else None


def new_session(pool_size: int = 10) -> requests.Session:
    """A session for HJS: pooled keep-alive connections, no hidden retries, no cookies.

    urllib3's own retries are off (max_retries=0) so that retry.py is the only place that decides;
    otherwise a state-changing POST could be re-sent with the *same* nonce, which HJS refuses.
    Cookies are refused: the protocol does not use them and a shared jar is not thread-safe.
    """
    session = requests.Session()
    adapter = HTTPAdapter(pool_connections=1, pool_maxsize=pool_size, max_retries=0)
    session.mount("http://", adapter)
    session.mount("https://", adapter)
    session.cookies.set_policy(DefaultCookiePolicy(allowed_domains=[]))
    session.headers.update({"Content-Type": "application/json", "Accept": "application/json"})
    return session


def _settle_environment(session: requests.Session, base_url: str) -> None:
    """Read the environment once, when the transport is built, instead of on every call.

    A session that trusts the environment reads the proxy variables, REQUESTS_CA_BUNDLE/CURL_CA_BUNDLE
    and ~/.netrc again on every request: walking os.environ was about a quarter of the client's CPU per
    call (bench/README.md, invest sync). The proxies and CA bundle that apply to base_url are fixed on
    the session here, then it stops looking. .netrc credentials are not taken over: HJS authenticates
    by signature, and no password should ride along.
    """
    if not session.trust_env:
        return
    settings = session.merge_environment_settings(base_url, {}, None, None, None)
    session.proxies = settings["proxies"]
    session.verify = settings["verify"]
    session.trust_env = False


class HjsTransport:
    """Sends single HJS calls. Safe to share between threads (requests' connection pool is)."""

    def __init__(
        self,
        base_url: str,
        settings: ProtocolSettings,
        *,
        timeouts: Timeouts | None = None,
        session: requests.Session | None = None,
    ) -> None:
        if not base_url.startswith(("http://", "https://")):
            raise HjsConfigError("HJS base URL must start with http:// or https://")
        self.base_url = base_url.rstrip("/")
        self.settings = settings
        self.timeouts = timeouts or Timeouts()
        self.session = session or new_session()
        _settle_environment(self.session, self.base_url)

    def __repr__(self) -> str:
        return f"HjsTransport(base_url={self.base_url!r}, merchant_id={self.settings.merchant_id!r})"

    def url(self, service: str) -> str:
        return f"{self.base_url}{API_PREFIX}{service}"

    def close(self) -> None:
        self.session.close()

    def send(self, service: str, payload: Mapping[str, Any]) -> env.Response:
        """One attempt: a new envelope (new nonce and timestamp), POSTed, answer verified."""
        request = env.build_request(service, payload, self.settings)
        body = json.dumps(request, separators=(",", ":")).encode("ascii")
        started = time.perf_counter()
        try:
            http = self.session.send(
                self._prepare(service, body), timeout=self.timeouts.as_tuple(), allow_redirects=False
            )
        except requests.Timeout as exc:
            connect = isinstance(exc, requests.ConnectTimeout)
            self._log_failure(service, "connect timeout" if connect else "read timeout", len(body), started)
            raise HjsTransientError(
                f"no connection within {self.timeouts.connect}s"
                if connect
                else f"no answer within {self.timeouts.read}s (request sent, outcome unknown)",
                service=service,
                outcome_unknown=not connect,
            ) from None
        except requests.ConnectionError as exc:
            unsent = _never_connected(exc)
            self._log_failure(service, "could not connect" if unsent else "connection dropped", len(body), started)
            raise HjsTransientError(
                self._connection_failure(exc) if unsent else "connection dropped before the answer (outcome unknown)",
                service=service,
                outcome_unknown=not unsent,
            ) from None
        except (requests.exceptions.InvalidURL, requests.exceptions.MissingSchema) as exc:
            raise HjsConfigError(f"HJS base URL is not usable ({type(exc).__name__})", service=service) from None
        except requests.RequestException as exc:  # chunked-encoding errors and the like, mid-answer
            self._log_failure(service, type(exc).__name__, len(body), started)
            raise HjsTransientError(
                f"HTTP failure mid-answer ({type(exc).__name__}); outcome unknown", service=service
            ) from None
        elapsed_ms = (time.perf_counter() - started) * 1000
        return self._answer(service, request["nonce"], http, len(body), elapsed_ms)

    def _prepare(self, service: str, body: bytes) -> requests.PreparedRequest:
        """The POST, prepared here rather than by Session.request, which merges the session's settings
        (headers, cookies, auth, hooks, proxies, ...) into every call again: about half of requests' CPU
        per call. The session's headers are all there is to merge: HJS calls use no auth, cookies or
        hooks, and Session.send still applies the session's adapters, proxies and TLS settings."""
        prepared = requests.PreparedRequest()
        prepared.prepare(method="POST", url=self.url(service), headers=self.session.headers, data=body)
        return prepared

    def _answer(self, service: str, nonce: str, http: requests.Response, sent: int, elapsed_ms: float) -> env.Response:
        status = http.status_code
        content = http.content
        opened: env.Response | None = None
        problem: HjsProtocolError | None = None
        try:
            opened = self._open(service, nonce, status, content)
        except HjsProtocolError as exc:
            problem = exc
        log.debug(
            "hjs %s: HTTP %d, code %s, sent %d bytes, received %d bytes, %.1f ms",
            service,
            status,
            opened.code if opened else "-",
            sent,
            len(content),
            elapsed_ms,
        )

        if status == 429 or status >= 500:
            retry_after = _retry_after(http)
            # A verified 9999 means HJS refused to start work; anything else (a 429 or a bare 502 from a
            # proxy, an unverifiable body) is untrusted and may come after HJS committed: writes ask first.
            if opened is not None and opened.code == codes.SYSTEM_BUSY:
                raise HjsTransientError(
                    f"HJS busy (HTTP {status}, {codes.describe(opened.code)})",
                    service=service,
                    outcome_unknown=False,
                    retry_after=retry_after,
                    http_status=status,
                )
            what = "HTTP 429 Too Many Requests (rate limited)" if status == 429 else f"HTTP {status}"
            raise HjsTransientError(
                f"{what} from HJS (outcome unknown)", service=service, retry_after=retry_after, http_status=status
            )
        if problem is not None:
            raise problem
        assert opened is not None
        code = opened.code
        if code == codes.SYSTEM_BUSY:
            raise HjsTransientError(f"HJS busy ({codes.describe(code)})", service=service, outcome_unknown=False)
        if codes.is_business(code):
            raise HjsBusinessError(code, _short(opened.message), service=service)
        if codes.is_protocol(code):
            raise HjsRefusedError(
                code, f"HJS refused the request: {codes.describe(code)}: {_short(opened.message)}", service=service
            )
        if code != codes.SUCCESS:
            raise HjsProtocolError(f"answer has an unknown code {codes.describe(code)}", service=service)
        if status != 200:
            raise HjsProtocolError(f"success code with HTTP {status}", service=service)
        return opened

    def _open(self, service: str, nonce: str, status: int, content: bytes) -> env.Response:
        """Parse and verify the body. Raises HjsProtocolError for anything that is not a valid answer."""
        if status not in _ANSWER_STATUSES and status < 500 and status != 429:
            raise HjsUntrustedAnswerError(
                f"unexpected HTTP status {status} (is the base URL right?)", service=service, http_status=status
            )
        try:
            body = json.loads(content)
        except ValueError:  # JSONDecodeError and UnicodeDecodeError
            raise HjsUntrustedAnswerError(
                f"HTTP {status} answer is not JSON ({len(content)} bytes)", service=service, http_status=status
            ) from None
        if not isinstance(body, dict):
            raise HjsUntrustedAnswerError(
                f"HTTP {status} answer is not a JSON object", service=service, http_status=status
            )
        claimed = codes.describe(body.get("code", "?"))
        if "sign" not in body:
            # The spec's plain {"code", "message"} for failures HJS cannot attribute to us. Untrusted:
            # anyone on the path could have written it, so it is reported, never acted upon.
            raise HjsUntrustedAnswerError(
                f"HTTP {status} unsigned (untrusted) answer, code {claimed}: {_short(body.get('message', ''))}",
                service=service,
                http_status=status,
                claimed_code=str(body.get("code", ""))[:16],
            )
        complete = all(body.get(name) for name in env.RESPONSE_FIELDS if name != "requestNonce")
        if complete and not body.get("requestNonce"):
            # Signed, but about no request of ours (HJS could not read our nonce): not bound, not a decision.
            raise HjsUntrustedAnswerError(
                f"HTTP {status} answer with an empty requestNonce (not bound to this request), code {claimed}: "
                f"{_short(body.get('message', ''))}",
                service=service,
                http_status=status,
                claimed_code=str(body.get("code", ""))[:16],
            )
        return env.open_response(body, self.settings, service=service, request_nonce=nonce)

    def _connection_failure(self, exc: requests.ConnectionError) -> str:
        if isinstance(exc, requests.exceptions.SSLError):
            return f"could not connect to {self.base_url}: TLS handshake failed (check the certificate)"
        return f"could not connect to {self.base_url} ({type(exc).__name__})"

    def _log_failure(self, service: str, what: str, sent: int, started: float) -> None:
        log.debug("hjs %s: %s, sent %d bytes, %.1f ms", service, what, sent, (time.perf_counter() - started) * 1000)
