"""Answers no honest HJS gives (non-JSON, unsigned, wrong status, redirects, dropped connections),
served over real HTTP by a tiny stub server, and what the transport makes of each."""

from __future__ import annotations

import socket
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from hjs_operators.client import HjsClient, RetryPolicy, Timeouts
from hjs_operators.protocol import ProtocolSettings
from hjs_operators.protocol.errors import HjsProtocolError, HjsTransientError

SETTINGS = ProtocolSettings.from_strings(merchant_id="ZW0001", key="ZwStubServerTestKey24By!", iv="stubIv01")


class Stub:
    """Answers every POST with (status, headers, body) from `reply`, or drops the connection."""

    def __init__(self) -> None:
        self.reply: tuple[int, dict[str, str], bytes] | None = (200, {}, b"")
        self.requests: list[str] = []
        stub = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:  # noqa: N802 - http.server's naming
                self.rfile.read(int(self.headers.get("Content-Length", 0)))
                stub.requests.append(self.path)
                if stub.reply is None:  # drop: close without a word, as after a crash mid-answer
                    self.connection.shutdown(socket.SHUT_RDWR)
                    self.close_connection = True
                    return
                status, headers, body = stub.reply
                self.send_response(status)
                for name, value in headers.items():
                    self.send_header(name, value)
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def log_message(self, *args: object) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.base_url = f"http://127.0.0.1:{self.server.server_address[1]}"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()


@pytest.fixture(scope="module")
def stub() -> Iterator[Stub]:
    server = Stub()
    yield server
    server.server.shutdown()
    server.server.server_close()


@pytest.fixture
def client(stub: Stub) -> Iterator[HjsClient]:
    stub.requests.clear()
    with HjsClient(
        stub.base_url,
        SETTINGS,
        retry=RetryPolicy(max_attempts=2, base_delay=0),
        timeouts=Timeouts(connect=1.0, read=2.0),
        sleep=lambda seconds: None,
    ) as hjs_client:
        yield hjs_client


JSON = {"Content-Type": "application/json"}


@pytest.mark.parametrize(
    ("reply", "message"),
    [
        pytest.param((200, {}, b"<html>hello</html>"), "HTTP 200 answer is not JSON (18 bytes)", id="html"),
        pytest.param((200, JSON, b"\xff\xfe"), "not JSON", id="binary"),
        pytest.param((200, JSON, b"[]"), "HTTP 200 answer is not a JSON object", id="array"),
        pytest.param(
            (200, JSON, b'{"code":"0000","message":"ok"}'), "unsigned (untrusted) answer, code 0000", id="unsigned ok"
        ),
        pytest.param(
            (401, JSON, b'{"code":"2001","message":"signature does not verify"}'),
            "HTTP 401 unsigned (untrusted) answer, code 2001 SIGNATURE_INVALID: signature does not verify",
            id="unsigned 401",
        ),
        pytest.param((200, JSON, b'{"sign":"AB","code":"0000"}'), "missing field(s)", id="half an envelope"),
        pytest.param((404, {}, b"not found"), "unexpected HTTP status 404", id="404"),
        pytest.param((302, {"Location": "http://example.invalid/"}, b""), "unexpected HTTP status 302", id="redirect"),
    ],
)
def test_untrustworthy_answers_are_protocol_errors_sent_once(stub, client, reply, message):
    stub.reply = reply
    with pytest.raises(HjsProtocolError) as info:
        client.query_product("P1")
    assert message in str(info.value) and info.value.service == "product.query"
    assert stub.requests == ["/api/v1/product.query"]  # not retried, redirect not followed


@pytest.mark.parametrize(
    "reply",
    [(500, {}, b"Internal Server Error"), (502, {}, b"<html>bad gateway</html>"), (503, JSON, b'{"code":"9999"}')],
)
def test_5xx_is_transient_with_unknown_outcome_and_retried(stub, client, reply):
    stub.reply = reply
    with pytest.raises(HjsTransientError) as info:
        client.ping()
    assert info.value.outcome_unknown and f"HTTP {reply[0]}" in str(info.value)
    assert len(stub.requests) == 2


def test_retry_after_is_read(stub, client):
    stub.reply = (503, {"Retry-After": "1"}, b"busy")
    with pytest.raises(HjsTransientError) as info:
        client.transport.send("system.ping", {})
    assert info.value.retry_after == 1.0


@pytest.mark.parametrize(
    ("header", "expected"),
    [("2", 2.0), ("Wed, 21 Oct 2015 07:28:00 GMT", 0.0), ("soon", None), ("-5", None)],
    ids=["seconds", "date-in-the-past", "garbage", "negative"],
)
def test_429_is_transient_and_its_retry_after_read(stub, client, header, expected):
    stub.reply = (429, {"Retry-After": header}, b"slow down")
    with pytest.raises(HjsTransientError) as info:
        client.transport.send("system.ping", {})
    assert info.value.http_status == 429 and info.value.retry_after == expected
    assert "HTTP 429 Too Many Requests" in str(info.value)


def test_dropped_connection_is_transient_with_unknown_outcome(stub, client):
    stub.reply = None
    with pytest.raises(HjsTransientError, match="connection dropped") as info:
        client.transport.send("invest.create", {})
    assert info.value.outcome_unknown


def test_base_url_must_be_http():
    with pytest.raises(Exception, match="http:// or https://"):
        HjsClient("ftp://example.invalid", SETTINGS)


def test_degenerate_key_refused_when_the_client_is_built():
    from hjs_operators.protocol.errors import HjsConfigError

    weak = ProtocolSettings.from_strings(merchant_id="ZW0001", key="hex:" + "0123456789ABCDEF" * 3, iv="stubIv01")
    with pytest.raises(HjsConfigError, match="degenerates to single DES"):
        HjsClient("http://127.0.0.1:9", weak)


def test_client_package_has_no_airflow_imports():
    """The client and protocol must work (and be tested) without Airflow: import them in a clean
    interpreter and check no airflow module came along."""
    import subprocess
    import sys

    code = (
        "import sys, hjs_operators.client, hjs_operators.protocol; "
        "bad = sorted(m for m in sys.modules if m == 'airflow' or m.startswith('airflow.')); "
        "print(bad); sys.exit(1 if bad else 0)"
    )
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60)
    assert result.returncode == 0, result.stdout + result.stderr
