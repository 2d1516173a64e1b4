"""uvicorn's HTTP/1.1 protocol, fixed so an offered upgrade never costs a request its body.

`java.net.http.HttpClient` (and other clients) send `Connection: Upgrade, HTTP2-Settings` and
`Upgrade: h2c` on plain HTTP. llhttp (httptools) then treats every byte after the headers as the new
protocol's, so uvicorn's httptools protocol runs the request with an empty body. RFC 9110 section 7.8
lets a server ignore an upgrade it does not do; this protocol does exactly that: the request is
re-read without its upgrade headers by uvicorn's h11 protocol, which then serves that connection
(body by Content-Length or chunked, keep-alive as usual). Connections that offer no upgrade stay on
httptools, the fast path the benchmarks measure.
"""

from __future__ import annotations

import httptools
from uvicorn.protocols.http.h11_impl import H11Protocol
from uvicorn.protocols.http.httptools_impl import HttpToolsProtocol

# Headers that only make sense for the upgrade being declined (RFC 9113 section 3.2.1 for h2c).
_UPGRADE_ONLY = frozenset({b"upgrade", b"http2-settings"})


def _declined(headers: list[tuple[bytes, bytes]]) -> list[tuple[bytes, bytes]]:
    """The request's headers as if no upgrade had been offered."""
    kept: list[tuple[bytes, bytes]] = []
    for name, value in headers:
        if name in _UPGRADE_ONLY:
            continue
        if name == b"connection":
            tokens = [t.strip() for t in value.split(b",") if t.strip().lower() not in _UPGRADE_ONLY]
            if not tokens:
                continue
            value = b", ".join(tokens)
        kept.append((name, value))
    return kept


class Http11Protocol(HttpToolsProtocol):
    """HttpToolsProtocol that serves upgrade requests as plain HTTP/1.1 (websockets excepted)."""

    def _should_upgrade(self) -> bool:
        # Any offered upgrade stops httptools from starting the request: it would have no body.
        return self._get_upgrade() is not None

    def data_received(self, data: bytes) -> None:
        self._unset_keepalive_if_required()
        try:
            self.parser.feed_data(data)
        except httptools.HttpParserError:
            self.logger.warning("Invalid HTTP request received.")
            self.send_400_response("Invalid HTTP request received.")
        except httptools.HttpParserUpgrade as exc:
            if self._get_upgrade() == b"websocket" and self._should_upgrade_to_ws():
                self.handle_websocket_upgrade()
            elif self._get_upgrade() is not None:
                self._serve_without_upgrade(data[exc.args[0]:] if exc.args else b"")
            else:  # CONNECT and the like: uvicorn's answer
                self._unsupported_upgrade_warning()

    def _serve_without_upgrade(self, rest: bytes) -> None:
        """Hand the connection to h11 with the request head minus its upgrade, then the bytes after it."""
        self.connections.discard(self)
        head = [self.scope["method"].encode(), b" ", self.url, b" HTTP/1.1\r\n"]
        for name, value in _declined(self.scope["headers"]):
            head += [name, b": ", value, b"\r\n"]
        head.append(b"\r\n")
        protocol = H11Protocol(config=self.config, server_state=self.server_state, app_state=self.app_state)
        protocol.connection_made(self.transport)
        self.transport.set_protocol(protocol)
        protocol.data_received(b"".join(head) + rest)
