"""The console in a real browser: headless Chromium (Debian's chromium and chromium-driver, installed by
`make test` where missing) logs in through Airflow's own login form, follows the Airflow navigation entry
to the HJS settlement view, opens the exceptions queue and a held product's report, and keeps a
screenshot of each page under .local/test-artifacts/console/ (git-ignored; the path is printed)."""

from __future__ import annotations

import json
import shutil
from dataclasses import dataclass
from pathlib import Path

import psycopg
import pytest

from stack.paths import REPO_ROOT

pytestmark = [pytest.mark.stack, pytest.mark.postgres, pytest.mark.sandbox, pytest.mark.airflow]

ARTEFACTS = REPO_ROOT / ".local" / "test-artifacts" / "console"
WAIT_SECONDS = 60  # pages are rendered server-side from a small zw; this only bounds a hang
NAV_ENTRY = "HJS settlement"
NAV_ENTRY_XPATH = f"//a[normalize-space(.)='{NAV_ENTRY}'] | //button[normalize-space(.)='{NAV_ENTRY}']"


@pytest.fixture(scope="module")
def artefacts() -> Path:
    shutil.rmtree(ARTEFACTS, ignore_errors=True)
    ARTEFACTS.mkdir(parents=True)
    print(f"\nconsole screenshots: {ARTEFACTS}")
    return ARTEFACTS


@pytest.fixture(scope="module")
def browser():
    from selenium import webdriver

    binary, driver = shutil.which("chromium"), shutil.which("chromedriver")
    assert binary and driver, "Chromium and chromedriver are missing: `make test` installs them (make browser)"
    options = webdriver.ChromeOptions()
    options.binary_location = binary
    for argument in ("--headless=new", "--no-sandbox", "--disable-dev-shm-usage", "--window-size=1400,1000",
                     "--lang=en-US"):
        options.add_argument(argument)
    # explicit paths: Selenium Manager never looks for (or downloads) a browser of its own
    chrome = webdriver.Chrome(options=options, service=webdriver.ChromeService(executable_path=driver))
    chrome.implicitly_wait(0)
    yield chrome
    chrome.quit()


@dataclass(frozen=True)
class Held:
    code: str
    maturity_date: str
    classes: frozenset[str]


@pytest.fixture(scope="module")
def held_products(stack, held_trial_run) -> list[Held]:
    """The products the stack's T-3 run held, with the classes of their exceptions, read from zw."""
    with psycopg.connect(host=str(stack.data_dir / "pg"), dbname="zw", user="postgres") as zw:
        rows = zw.execute("SELECT p.product_code, p.maturity_date::text, array_agg(DISTINCT e.class) "
                          "FROM trial_product_result r JOIN hjs_product p ON p.id = r.product_id "
                          "JOIN reconciliation_exception e ON e.run_id = r.run_id AND e.product_id = r.product_id "
                          "WHERE r.run_id = %s AND r.outcome = 'HOLD' GROUP BY 1, 2 ORDER BY 1",
                          (held_trial_run,)).fetchall()
    assert rows, "the demo's T-3 run holds a product"
    return [Held(code, day, frozenset(classes)) for code, day, classes in rows]


def _wait(browser, condition, what: str):
    from selenium.webdriver.support.ui import WebDriverWait

    return WebDriverWait(browser, WAIT_SECONDS, poll_frequency=0.25).until(condition, message=what)


def _text_shown(browser, text: str) -> None:
    from selenium.webdriver.common.by import By

    _wait(browser, lambda b: text in b.find_element(By.TAG_NAME, "body").text,
          f"{text!r} shown on {browser.current_url}")


def _snap(browser, folder: Path, name: str) -> None:
    path = folder / f"{name}.png"
    assert browser.save_screenshot(str(path)), f"screenshot {path} not written"


def _into_the_view(browser) -> None:
    """The view is embedded in the Airflow UI: switch into its frame (a no-op when opened on its own)."""
    from selenium.webdriver.common.by import By

    browser.switch_to.default_content()
    frames = browser.find_elements(By.TAG_NAME, "iframe")
    if frames:
        browser.switch_to.frame(frames[0])


def test_a_person_logs_in_and_reads_the_view_the_queue_and_a_report(stack, browser, artefacts, held_products):
    from selenium.webdriver.common.by import By
    from selenium.webdriver.support import expected_conditions as seen

    password = json.loads((stack.data_dir / "airflow" / "stack-secrets.json").read_text())["admin_password"]

    # Airflow's own login form: an anonymous visitor of the UI is sent there
    browser.get(f"{stack.api}/")
    user = _wait(browser, seen.visibility_of_element_located((By.CSS_SELECTOR, "input[name=username]")),
                 "the login form")
    user.send_keys("admin")
    browser.find_element(By.CSS_SELECTOR, "input[type=password]").send_keys(password)
    _snap(browser, artefacts, "01-login")
    browser.find_element(By.CSS_SELECTOR, "button[type=submit]").click()

    # the navigation entry the plugin adds, in the Airflow UI after login
    entry = _wait(browser, seen.element_to_be_clickable((By.XPATH, NAV_ENTRY_XPATH)), f"the {NAV_ENTRY!r} entry")
    _snap(browser, artefacts, "02-airflow-home")
    entry.click()
    _wait(browser, lambda b: b.find_elements(By.TAG_NAME, "iframe") or "/hjs/" in b.current_url, "the view")
    _into_the_view(browser)
    _text_shown(browser, "Maturity dates")
    for held in held_products:
        _text_shown(browser, held.maturity_date)
    browser.switch_to.default_content()
    _snap(browser, artefacts, "03-view")

    # the exceptions queue, from the view's own menu: a row per exception of each held product
    _into_the_view(browser)
    _wait(browser, seen.element_to_be_clickable((By.LINK_TEXT, "Exceptions queue")), "the queue link").click()
    _text_shown(browser, "Exceptions queue")
    for held in held_products:
        _text_shown(browser, held.code)
        shown = {row.text for row in browser.find_elements(By.XPATH, f"//tr[td[normalize-space(.)='{held.code}']]")}
        assert all(any(cls in row for row in shown) for cls in held.classes), (held, shown)
    browser.switch_to.default_content()
    _snap(browser, artefacts, "04-exceptions-queue")

    # a held product's report, through the queue's link (served by the api-server, not file://)
    _into_the_view(browser)
    first = held_products[0]
    row = browser.find_element(By.XPATH, f"//tr[td[normalize-space(.)='{first.code}']]")
    report = row.find_element(By.LINK_TEXT, "report")
    assert report.get_attribute("href").startswith(stack.api + "/hjs/reports/"), report.get_attribute("href")
    report.click()
    _text_shown(browser, f"maturity date {first.maturity_date}")
    for cls in first.classes:
        _text_shown(browser, cls)
    _text_shown(browser, first.code)
    browser.switch_to.default_content()
    _snap(browser, artefacts, "05-report")

    assert sorted(p.name for p in artefacts.glob("*.png")) == [
        "01-login.png", "02-airflow-home.png", "03-view.png", "04-exceptions-queue.png", "05-report.png"]
