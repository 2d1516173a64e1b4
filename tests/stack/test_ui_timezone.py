"""The UI's default time zone: Airflow 3.3 has no server option for it (the UI reads the browser's
localStorage key "timezone", else the browser's own zone), so the api-server's page stores
Asia/Shanghai there until a user picks another zone."""

from __future__ import annotations

import json
import re

import pytest
from starlette.applications import Starlette
from starlette.responses import HTMLResponse, JSONResponse
from starlette.routing import Route
from starlette.testclient import TestClient

from hjs_operators.ui_timezone import STORAGE_KEY, DefaultUiTimezone

PAGE = "<html><head><title>x</title></head><body></body></html>"
SCRIPT = re.compile(r"<script>try\{localStorage\.getItem\((.+?)\)===null&&localStorage\.setItem\((.+?),(.+?)\)\}"
                    r"catch\(e\)\{\}</script></head>")


def stored_default(html: str) -> tuple[str, str]:
    """(key, value) the page stores when the browser holds no choice, as the browser would read them."""
    match = SCRIPT.search(html)
    assert match, "no default-time-zone script before </head>"
    key, same_key, value = (json.loads(group) for group in match.groups())
    assert key == same_key
    return key, json.loads(value)  # the UI JSON-parses what it stored


def client(zone: str | None) -> TestClient:
    app = Starlette(routes=[Route("/", lambda _: HTMLResponse(PAGE)),
                            Route("/api", lambda _: JSONResponse({"page": PAGE}))])
    return TestClient(DefaultUiTimezone(app, zone=zone))


def test_the_page_stores_the_zone_unless_the_browser_has_one():
    answer = client("Asia/Shanghai").get("/")
    assert stored_default(answer.text) == (STORAGE_KEY, "Asia/Shanghai")
    assert int(answer.headers["content-length"]) == len(answer.content)


def test_only_html_pages_change_and_nothing_when_unset():
    assert client("Asia/Shanghai").get("/api").json() == {"page": PAGE}
    assert client("").get("/").text == PAGE


def test_a_misspelt_zone_is_refused():
    with pytest.raises(Exception, match="Shanghia"):
        client("Asia/Shanghia").get("/")


@pytest.mark.stack
def test_under_make_run_the_ui_defaults_to_shanghai(stack):
    page = stack.session.get(f"{stack.api}/", timeout=30)
    assert page.status_code == 200
    assert stored_default(page.text) == (STORAGE_KEY, "Asia/Shanghai")
    # the UI bundle really keeps its zone under that key, JSON-encoded, with the browser's zone as fallback
    bundle = re.search(r'src="\./(static/assets/index-[^"]+\.js)"', page.text).group(1)
    code = stack.session.get(f"{stack.api}/{bundle}", timeout=30).text
    assert f"=`{STORAGE_KEY}`" in code and "Intl.DateTimeFormat().resolvedOptions()" in code
    assert "window.localStorage.getItem(e)" in code and "JSON.parse(e)" in code


@pytest.mark.stack
def test_a_browser_in_utc_gets_shanghai_and_keeps_a_users_own_choice(stack, browser):
    # the browser's own zone is UTC, as on the machines where the UI showed UTC
    browser.execute_cdp_cmd("Emulation.setTimezoneOverride", {"timezoneId": "UTC"})
    browser.get(f"{stack.api}/")
    assert browser.execute_script("return Intl.DateTimeFormat().resolvedOptions().timeZone") == "UTC"
    assert json.loads(browser.execute_script(f"return localStorage.getItem('{STORAGE_KEY}')")) == "Asia/Shanghai"
    browser.execute_script(f"localStorage.setItem('{STORAGE_KEY}', JSON.stringify('Europe/Berlin'))")
    browser.get(f"{stack.api}/")
    assert json.loads(browser.execute_script(f"return localStorage.getItem('{STORAGE_KEY}')")) == "Europe/Berlin"
