"""HjsHook: turns an Airflow connection of type "hjs" into an HjsClient.

The hook owns the connection and nothing else: operators call hook.get_conn() and use the client's
typed operations. Connection fields (spec section 8):

- host: the base URL, e.g. "https://hjs.example.com" (the scheme may instead be in `schema`, and a
  port in `port`, as a URI-style connection puts them);
- login: merchant id; password: the key (text, or hex:... / base64:... for raw bytes);
- extra: mode, iv, sign_type, charset, timeout, replay_window_seconds.

Nothing is read at import time and the client stack (requests, pycryptodome) is imported only when
a client is built, so DAG parsing never pays for it.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from airflow.sdk import BaseHook

from hjs_operators import provider_info

if TYPE_CHECKING:
    from hjs_operators.client import HjsClient, RetryPolicy
    from hjs_operators.protocol import ProtocolSettings

CONNECT_TIMEOUT_SECONDS = 5.0  # a partner that cannot accept a TCP connection in 5 s is down
DEFAULT_READ_TIMEOUT_SECONDS = 30.0


@dataclass(frozen=True)
class HjsConnectionConfig:
    """What an hjs connection says, validated. The key and IV stay out of repr."""

    base_url: str
    merchant_id: str
    key: str = field(repr=False)
    mode: str = "CBC"
    iv: str | None = field(default=None, repr=False)
    sign_type: str = "HMAC-SHA256"
    charset: str = "UTF-8"
    timeout: float = DEFAULT_READ_TIMEOUT_SECONDS
    replay_window_seconds: int = 300

    @classmethod
    def from_connection(cls, conn: Any) -> HjsConnectionConfig:
        """From an Airflow Connection (anything with host/schema/port/login/password/extra_dejson)."""
        from hjs_operators.protocol.errors import HjsConfigError

        extra = conn.extra_dejson or {}
        if not conn.login:
            raise HjsConfigError(f"connection {conn.conn_id!r}: login (merchant id) is empty")
        if not conn.password:
            raise HjsConfigError(f"connection {conn.conn_id!r}: password (3DES key) is empty")
        return cls(
            base_url=base_url_of(conn),
            merchant_id=conn.login,
            key=conn.password,
            mode=_extra(extra, "mode") or "CBC",
            iv=_extra(extra, "iv"),
            sign_type=_extra(extra, "sign_type") or "HMAC-SHA256",
            charset=_extra(extra, "charset") or "UTF-8",
            timeout=_number(extra, "timeout", DEFAULT_READ_TIMEOUT_SECONDS, conn.conn_id),
            replay_window_seconds=int(_number(extra, "replay_window_seconds", 300, conn.conn_id)),
        )

    def protocol_settings(self) -> ProtocolSettings:
        from hjs_operators.protocol import ProtocolSettings

        return ProtocolSettings.from_strings(
            merchant_id=self.merchant_id,
            key=self.key,
            mode=self.mode,
            iv=self.iv,
            sign_type=self.sign_type,
            charset=self.charset,
            replay_window_seconds=self.replay_window_seconds,
        )

    def build_client(self, *, retry: RetryPolicy | None = None) -> HjsClient:
        from hjs_operators.client import HjsClient, Timeouts

        timeouts = Timeouts(connect=min(CONNECT_TIMEOUT_SECONDS, self.timeout), read=self.timeout)
        return HjsClient(self.base_url, self.protocol_settings(), timeouts=timeouts, retry=retry)

    def secrets(self) -> list[str]:
        """The configured secret texts, to scrub from any message that leaves the hook."""
        return [value for value in (self.key, self.iv) if value]


def _extra(extra: Mapping[str, Any], name: str) -> str | None:
    """An extra field by its plain name, or the older prefixed form; blank counts as unset."""
    for key in (name, f"extra__{provider_info.CONNECTION_TYPE}__{name}"):
        value = extra.get(key)
        if value is not None and str(value).strip() != "":
            return str(value).strip()
    return None


def _number(extra: Mapping[str, Any], name: str, default: float, conn_id: str | None) -> float:
    from hjs_operators.protocol.errors import HjsConfigError

    text = _extra(extra, name)
    if text is None:
        return default
    try:
        value = float(text)
    except ValueError:
        raise HjsConfigError(f"connection {conn_id!r}: extra {name!r} is not a number") from None
    if not value > 0:
        raise HjsConfigError(f"connection {conn_id!r}: extra {name!r} must be positive")
    return value


def base_url_of(conn: Any) -> str:
    """The base URL from host, whether the scheme is in host ("https://h:8443/gw") or in schema.

    A port in the port field is added when host does not carry one. No scheme anywhere means https:
    a real partner endpoint is never plain HTTP.
    """
    from urllib.parse import urlsplit

    from hjs_operators.protocol.errors import HjsConfigError

    host = (conn.host or "").strip().rstrip("/")
    if not host:
        raise HjsConfigError(f"connection {conn.conn_id!r}: host (base URL) is empty")
    if "://" not in host:
        scheme = (conn.schema or "https").strip().lower()
        if scheme not in ("http", "https"):
            raise HjsConfigError(f"connection {conn.conn_id!r}: scheme must be http or https")
        host = f"{scheme}://{host}"
    parts = urlsplit(host)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise HjsConfigError(f"connection {conn.conn_id!r}: host is not an http(s) URL")
    if conn.port and parts.port is None:
        netloc = f"{parts.netloc}:{int(conn.port)}"
        host = parts._replace(netloc=netloc).geturl()
    return host


class HjsHook(BaseHook):
    """Interact with the HJS exchange: get_conn() returns a ready HjsClient (built once per hook).

    :param hjs_conn_id: the Airflow connection of type ``hjs`` (default ``hjs_default``).
    :param retry: retry policy for transient failures; the client's default (5 attempts) if None.
    """

    conn_name_attr = "hjs_conn_id"
    default_conn_name = "hjs_default"
    conn_type = provider_info.CONNECTION_TYPE
    hook_name = provider_info.HOOK_NAME

    def __init__(
        self, hjs_conn_id: str = default_conn_name, *, retry: RetryPolicy | None = None, **kwargs: Any
    ) -> None:
        super().__init__(**kwargs)
        self.hjs_conn_id = hjs_conn_id
        self.retry = retry
        self._client: HjsClient | None = None

    def __repr__(self) -> str:
        return f"HjsHook(hjs_conn_id={self.hjs_conn_id!r})"

    def connection_config(self) -> HjsConnectionConfig:
        """Read and validate the connection (at call time, never at import)."""
        config = HjsConnectionConfig.from_connection(self.get_connection(self.hjs_conn_id))
        if config.iv:
            # Airflow masks the password in task logs by itself but knows nothing about "iv".
            from airflow.sdk.log import mask_secret

            mask_secret(config.iv)
        return config

    def get_conn(self) -> HjsClient:
        """The HjsClient for this connection, built on first use and reused (one pooled session)."""
        if self._client is None:
            self._client = self.connection_config().build_client(retry=self.retry)
        return self._client

    def close(self) -> None:
        if self._client is not None:
            self._client.close()
            self._client = None

    def test_connection(self) -> tuple[bool, str]:
        """system.ping with this connection: (True, ...) when signing, encryption and the charset work
        both ways (the ping carries a known non-ASCII text each way, so a UTF-8/GBK mix-up fails here).

        Never raises and never puts the key or IV in the message (the UI shows it as it is).
        A fresh client with a short retry policy is used, so the Test button answers in seconds.
        """
        from hjs_operators.client import RetryPolicy
        from hjs_operators.protocol.errors import (
            HjsBusinessError,
            HjsConfigError,
            HjsProtocolError,
            HjsTransientError,
        )

        hints = {
            HjsConfigError: "check the connection's fields",
            HjsProtocolError: "check that merchant id, key, mode, IV, charset and signature type match HJS's",
            HjsTransientError: "HJS did not answer; check the base URL and the network",
            HjsBusinessError: "HJS refused the ping",
        }
        secrets: list[str] = []
        try:
            config = self.connection_config()
            secrets = config.secrets()
            with config.build_client(retry=RetryPolicy(max_attempts=2, base_delay=0.2, max_delay=1.0)) as client:
                ping = client.ping()
            return True, (
                f"Connected to HJS at {config.base_url} as merchant {ping.merchant_id}: signature, "
                f"encryption and charset ({config.charset}) verified both ways "
                f"(HJS time {ping.server_time.isoformat()})"
            )
        except Exception as exc:  # the contract is (False, reason), whatever went wrong
            hint = next((text for kind, text in hints.items() if isinstance(exc, kind)), "unexpected error")
            if isinstance(exc, HjsProtocolError) and "charset" in str(exc):
                hint = "set the connection's extra 'charset' to the one HJS uses (UTF-8 or GBK)"
            return False, _scrub(f"{type(exc).__name__}: {exc} ({hint})", secrets)


def _scrub(message: str, secrets: list[str]) -> str:
    """Belt and braces: no error we raise contains a secret, but a message shown in the UI must not,
    whatever some library put into it."""
    for secret in secrets:
        if len(secret) >= 4:
            message = message.replace(secret, "***")
            if ":" in secret:  # hex:... / base64:... - also the encoded part alone
                message = message.replace(secret.split(":", 1)[1], "***")
    return message
