"""The Airflow UI's default time zone, set by the api-server.

Airflow 3 removed `[webserver] default_ui_timezone`: the 3.3 UI shows times in the zone stored in the
browser's localStorage under "timezone" (JSON text, written by the user menu's time-zone choice) and,
until a user chooses, in the browser's own zone. So a server can only give a default by writing that
key before the UI starts: this middleware adds a one-line script to the UI's HTML page that stores the
zone configured as `[hjs] ui_default_timezone` when the browser holds no choice yet. A user's own
choice is never overwritten. Unset (the default), the middleware changes nothing.
"""

from __future__ import annotations

import json
from zoneinfo import ZoneInfo

from airflow.plugins_manager import AirflowPlugin

CONFIG_SECTION = "hjs"
CONFIG_OPTION = "ui_default_timezone"
STORAGE_KEY = "timezone"  # the UI bundle's localStorage key for the chosen zone


def default_zone_script(zone: str) -> bytes:
    """The script that makes `zone` the UI's zone unless the browser already holds a choice."""
    ZoneInfo(zone)  # a misspelt zone fails the api-server's start, not silently every browser
    key, value = json.dumps(STORAGE_KEY), json.dumps(json.dumps(zone))
    return (f"<script>try{{localStorage.getItem({key})===null&&localStorage.setItem({key},{value})}}"
            f"catch(e){{}}</script>").encode()


class DefaultUiTimezone:
    """ASGI middleware: puts default_zone_script before </head> of every HTML page the api-server sends."""

    def __init__(self, app, zone: str | None = None) -> None:
        self.app = app
        self._zone = zone
        self._script: bytes | None = None

    def _configured_script(self) -> bytes:
        if self._script is None:
            zone = self._zone
            if zone is None:
                from airflow.configuration import conf

                zone = conf.get(CONFIG_SECTION, CONFIG_OPTION, fallback="")
            self._script = default_zone_script(zone) if zone else b""
        return self._script

    async def __call__(self, scope, receive, send) -> None:
        if scope["type"] != "http" or scope["method"] != "GET" or not self._configured_script():
            await self.app(scope, receive, send)
            return
        start: dict | None = None
        body: list[bytes] = []

        async def send_with_script(message) -> None:
            nonlocal start
            if message["type"] == "http.response.start":
                headers = dict(message.get("headers") or [])
                if not headers.get(b"content-type", b"").startswith(b"text/html"):
                    await send(message)
                    return
                start = message  # held until the whole page is here, so Content-Length can be set
                return
            if start is None:
                await send(message)
                return
            body.append(message.get("body", b""))
            if message.get("more_body"):
                return
            page = b"".join(body).replace(b"</head>", self._configured_script() + b"</head>", 1)
            headers = [(k, v) for k, v in start.get("headers") or [] if k.lower() != b"content-length"]
            await send({**start, "headers": [*headers, (b"content-length", str(len(page)).encode())]})
            await send({"type": "http.response.body", "body": page})

        await self.app(scope, receive, send_with_script)


class UiTimezonePlugin(AirflowPlugin):
    name = "hjs_ui_timezone"
    fastapi_root_middlewares = [{"name": "hjs_ui_default_timezone", "middleware": DefaultUiTimezone}]
