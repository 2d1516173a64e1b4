"""The sandbox's HTTP app: POST /api/v1/{service} speaks the HJS protocol, /admin/* drives the sandbox.

Per /api/v1 request: draw the faults -> (spike delay) -> (fail or hang before reading anything) ->
check the envelope and run the service -> (drop the answer after commit) -> (corrupt the sign) ->
wait until latency_ms has passed since arrival -> answer.

The protocol path is plain ASGI in front of FastAPI: it is the hot path (hundreds of calls a second
on two shared cores), and it needs the server's own `send` to drop a connection. Everything runs on
the event loop: SQLite work is sub-millisecond and sleeps are asyncio sleeps, so a hanging request
never holds up the others.
"""

from __future__ import annotations

import asyncio
import email.utils
import json
import logging
import re
import time
import traceback
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from typing import Any

from fastapi import FastAPI
from starlette.types import Receive, Scope, Send

from hjs_operators.protocol import codes

from .admin_api import build_admin_router
from .config import SandboxConfig
from .faults import FaultConfig, FaultInjector
from .gateway import Gateway, Reply, plain
from .nonces import NonceCache
from .services import Services
from .state import Store

log = logging.getLogger("sandbox.api")

API_PREFIX = "/api/v1/"
_SAFE_SERVICE = re.compile(r"[A-Za-z0-9._-]{1,40}")
_JSON_HEADERS = [(b"content-type", b"application/json")]
MAX_BODY = 1 << 20  # an envelope is a few KB; refuse to buffer anything absurd


class Traffic:
    """Protocol calls in flight, counted from arrival to answer (or drop), and the most ever at once:
    how a test sees that many clients together stay within a limit (the hjs_api pool)."""

    def __init__(self) -> None:
        self.reset()

    def reset(self) -> None:
        self.in_flight = self.max_in_flight = self.calls = 0

    def snapshot(self) -> dict[str, int]:
        return {"in_flight": self.in_flight, "max_in_flight": self.max_in_flight, "calls": self.calls}


class ProtocolEndpoint:
    """ASGI handler of POST /api/v1/{service}."""

    def __init__(self, gateway: Gateway, injector: FaultInjector) -> None:
        self.gateway = gateway
        self.injector = injector
        self.traffic = Traffic()
        # Set by whoever runs the server (__main__: uvicorn's should_exit), so hanging requests end at
        # shutdown instead of holding it up until they are cancelled.
        self.is_stopping: Callable[[], bool] = lambda: False

    async def _sleep(self, seconds: float) -> bool:
        """Sleep in short steps; False if shutdown began meanwhile."""
        deadline = time.perf_counter() + seconds
        while (left := deadline - time.perf_counter()) > 0:
            if self.is_stopping():
                return False
            await asyncio.sleep(min(left, 0.1))
        return True

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        traffic = self.traffic  # one event loop: no lock needed
        traffic.calls += 1
        traffic.in_flight += 1
        traffic.max_in_flight = max(traffic.max_in_flight, traffic.in_flight)
        try:
            await self._call(scope, receive, send)
        finally:
            traffic.in_flight -= 1

    async def _call(self, scope: Scope, receive: Receive, send: Send) -> None:
        arrived = time.perf_counter()
        service = scope["path"][len(API_PREFIX):]
        try:
            reply = await self._answer(service, receive, send, arrived)
        except Exception as exc:  # a sandbox bug: answer 500, log where, never the message (it may hold data)
            frame = traceback.extract_tb(exc.__traceback__)[-1]
            log.error("service=%s internal error %s at %s:%s", _shown(service), type(exc).__name__,
                      frame.filename.rsplit("/", 1)[-1], frame.lineno)
            reply = Reply(500, {}, "500", signed=False)
        if reply is None:
            _log(service, "drop", 0, arrived)
            return
        await _send(send, reply)
        _log(service, reply.code, reply.status, arrived)

    async def _answer(self, service: str, receive: Receive, send: Send, arrived: float) -> Reply | None:
        faults, decision = self.injector.draw(service)
        if decision.delay_seconds and not await self._sleep(decision.delay_seconds):
            return await self._gone(send)
        if decision.throttled:  # rate limited before reading: nothing was done
            reply = Reply(faults.throttle_status, plain(codes.SYSTEM_BUSY, "too many requests").body,
                          codes.SYSTEM_BUSY, signed=False, headers=_retry_after(faults))
        elif decision.error_status == 500:
            reply = Reply(500, {}, "500", signed=False)
        elif decision.error_status == 503:
            reply = plain(codes.SYSTEM_BUSY, "system busy")
        elif decision.hang:  # the client gives up first; nothing was done
            if not await self._sleep(faults.hang_seconds):
                return await self._gone(send)
            reply = plain(codes.SYSTEM_BUSY, "system busy")
        else:
            body = await _read_body(receive)
            if body is None:
                reply = plain(codes.MALFORMED_ENVELOPE, "body too large")
            else:
                reply = self.gateway.process(body, service, faults)
            if decision.drop and reply.code == codes.SUCCESS:  # committed; now lose the answer
                if faults.drop_mode == "reset" and await _drop_connection(send):
                    return None
                if not await self._sleep(faults.hang_seconds):
                    return await self._gone(send)
            if decision.bad_signature and reply.signed:
                reply = Reply(reply.status, _corrupt(reply.body), reply.code, reply.signed)
        await _floor(arrived, faults)
        return reply

    async def _gone(self, send: Send) -> None:
        """Shutting down mid-hang: the connection goes away without an answer."""
        await _drop_connection(send)
        return None


async def _read_body(receive: Receive) -> bytes | None:
    chunks: list[bytes] = []
    size = 0
    while True:
        message = await receive()
        if message["type"] == "http.disconnect":
            return b""
        chunk = message.get("body", b"")
        size += len(chunk)
        if size > MAX_BODY:
            return None
        chunks.append(chunk)
        if not message.get("more_body", False):
            return b"".join(chunks)


async def _send(send: Send, reply: Reply) -> None:
    if reply.status == 500 and not reply.body:
        body, headers = b"Internal Server Error", [(b"content-type", b"text/plain; charset=utf-8")]
    else:
        body = json.dumps(reply.body, ensure_ascii=False, separators=(",", ":")).encode("utf-8")
        headers = _JSON_HEADERS
    await send({
        "type": "http.response.start",
        "status": reply.status,
        "headers": [*headers, *reply.headers, (b"content-length", str(len(body)).encode())],
    })
    await send({"type": "http.response.body", "body": body})


def _retry_after(faults: FaultConfig) -> tuple[tuple[bytes, bytes], ...]:
    if faults.retry_after_format == "http-date":
        value = email.utils.formatdate(time.time() + faults.retry_after, usegmt=True)
    else:
        value = str(faults.retry_after)
    return ((b"retry-after", value.encode("ascii")),)


async def _floor(arrived: float, faults: FaultConfig) -> None:
    """latency_ms is the least time from arrival to answer: processing counts toward it, so N
    clients at latency L see close to N/L answers a second (the benchmarks' latency bound)."""
    if faults.latency_ms:
        remaining = arrived + faults.latency_ms / 1000 - time.perf_counter()
        if remaining > 0:
            await asyncio.sleep(remaining)


async def _drop_connection(send: Send) -> bool:
    """Close the connection without an answer, as a lost response looks on the wire.

    Works with uvicorn, whose `send` is a bound method of the request cycle holding the transport;
    returns False anywhere else (the caller then hangs instead).
    """
    cycle = getattr(send, "__self__", None)
    transport = getattr(cycle, "transport", None)
    if transport is None or not hasattr(cycle, "disconnected"):
        return False
    transport.abort()
    for _ in range(100):  # connection_lost runs a loop turn later; until then uvicorn would still send
        if cycle.disconnected:
            break
        await asyncio.sleep(0.001)
    return True


def _corrupt(envelope: dict[str, Any]) -> dict[str, Any]:
    sign = envelope.get("sign", "")
    if not sign:
        return envelope
    return {**envelope, "sign": sign[:-1] + ("0" if sign[-1] != "0" else "1")}


def _log(service: str, code: str, status: int, arrived: float) -> None:
    # service, code, status, duration only: never bodies, nonces, ids or keys.
    if log.isEnabledFor(logging.INFO):
        duration_ms = (time.perf_counter() - arrived) * 1000
        log.info("service=%s code=%s status=%s duration_ms=%.1f", _shown(service), code, status, duration_ms)


def _shown(service: str) -> str:
    return service if _SAFE_SERVICE.fullmatch(service) else "?"


class SandboxApp(FastAPI):
    """FastAPI for the admin endpoints, with the protocol endpoint in front of its routing."""

    protocol: ProtocolEndpoint

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http" and scope["method"] == "POST" and scope["path"].startswith(API_PREFIX):
            await self.protocol(scope, receive, send)
        else:
            await super().__call__(scope, receive, send)


def create_app(config: SandboxConfig) -> FastAPI:
    store = Store(config.data_dir)
    nonces = NonceCache(config.settings.replay_window_seconds * 1000)
    injector = FaultInjector(config.seed, config.faults)
    gateway = Gateway(config.settings, Services(store, config.settings.merchant_id), nonces)

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        yield
        store.close()

    app = SandboxApp(title="HJS sandbox", lifespan=lifespan, docs_url=None, redoc_url=None, openapi_url=None)
    app.protocol = ProtocolEndpoint(gateway, injector)
    app.state.store = store
    app.state.injector = injector
    app.include_router(build_admin_router(store, injector, nonces, config.settings.charset.value))

    @app.get("/admin/traffic")
    async def traffic() -> dict[str, int]:
        return app.protocol.traffic.snapshot()

    @app.post("/admin/traffic/reset")
    async def reset_traffic() -> dict[str, int]:
        app.protocol.traffic.reset()
        return app.protocol.traffic.snapshot()

    return app
