"""Any HTTP/1.1 client can use the sandbox: raw requests over a socket, including the ones
java.net.http.HttpClient sends on plain HTTP (`Connection: Upgrade, HTTP2-Settings`, `Upgrade: h2c`),
whose body uvicorn's httptools protocol used to drop (answer 2005 "body is not JSON")."""

from __future__ import annotations

import json
import socket

import pytest

from hjs_operators.protocol import build_request, open_response

pytestmark = pytest.mark.sandbox

H2C = (
    b"Connection: Upgrade, HTTP2-Settings\r\n"
    b"Upgrade: h2c\r\n"
    b"HTTP2-Settings: AAEAAEAAAAIAAAABAAMAAABkAAQBAAAAAAUAAEAA\r\n"
)


def _head(port: int, extra: bytes, body_headers: bytes) -> bytes:
    return (
        b"POST /api/v1/system.ping HTTP/1.1\r\n"
        + f"Host: 127.0.0.1:{port}\r\n".encode()
        + b"User-Agent: Java-http-client/17.0.9\r\n"
        + extra
        + b"Content-Type: application/json\r\n"
        + body_headers
        + b"\r\n"
    )


def _read_response(sock: socket.socket) -> tuple[int, dict[str, str], bytes]:
    """One HTTP/1.1 response with a Content-Length body (what the sandbox sends)."""
    data = b""
    while b"\r\n\r\n" not in data:
        chunk = sock.recv(65536)
        assert chunk, f"connection closed before the answer: {data!r}"
        data += chunk
    head, _, body = data.partition(b"\r\n\r\n")
    lines = head.decode("latin-1").split("\r\n")
    status = int(lines[0].split()[1])
    headers = {k.strip().lower(): v.strip() for k, v in (line.split(":", 1) for line in lines[1:])}
    length = int(headers["content-length"])
    while len(body) < length:
        chunk = sock.recv(65536)
        assert chunk, "connection closed mid-body"
        body += chunk
    return status, headers, body[:length]


def _ping(sandbox, sock: socket.socket, port: int, *, extra: bytes, chunked: bool = False, split: bool = False):
    request = build_request("system.ping", {}, sandbox.settings)
    body = json.dumps(request).encode()
    if chunked:
        framing = b"Transfer-Encoding: chunked\r\n"
        payload = f"{len(body) // 2:x}\r\n".encode() + body[: len(body) // 2] + b"\r\n"
        payload += f"{len(body) - len(body) // 2:x}\r\n".encode() + body[len(body) // 2:] + b"\r\n0\r\n\r\n"
    else:
        framing, payload = f"Content-Length: {len(body)}\r\n".encode(), body
    head = _head(port, extra, framing)
    if split:  # head and body in separate segments, as a client that streams the body sends them
        sock.sendall(head)
        sock.sendall(payload)
    else:
        sock.sendall(head + payload)
    status, headers, answer = _read_response(sock)
    return request, status, headers, answer


@pytest.mark.parametrize(
    ("chunked", "split"),
    [(False, False), (False, True), (True, False)],
    ids=["content-length", "body-in-second-segment", "chunked"],
)
def test_h2c_upgrade_offer_is_ignored_and_the_body_served(sandbox, chunked, split):
    port = int(sandbox.base_url.rsplit(":", 1)[1])
    with socket.create_connection(("127.0.0.1", port), timeout=10) as sock:
        request, status, headers, answer = _ping(sandbox, sock, port, extra=H2C, chunked=chunked, split=split)
        assert status == 200, answer  # not 101 Switching Protocols, not 400 "body is not JSON"
        assert headers["content-type"] == "application/json"
        opened = open_response(
            json.loads(answer), sandbox.settings, service="system.ping", request_nonce=request["nonce"]
        )
        assert opened.code == "0000" and opened.payload["merchantId"] == sandbox.settings.merchant_id

        # The connection stays usable for the next request (keep-alive), upgrade offered or not.
        for extra in (H2C, b""):
            again, status, _, answer = _ping(sandbox, sock, port, extra=extra)
            assert status == 200
            assert json.loads(answer)["requestNonce"] == again["nonce"]


def test_plain_http11_request_over_a_socket(sandbox):
    port = int(sandbox.base_url.rsplit(":", 1)[1])
    with socket.create_connection(("127.0.0.1", port), timeout=10) as sock:
        request, status, _, answer = _ping(sandbox, sock, port, extra=b"")
    assert status == 200 and json.loads(answer)["code"] == "0000"
    assert json.loads(answer)["requestNonce"] == request["nonce"]
