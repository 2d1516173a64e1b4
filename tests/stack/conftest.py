"""The suite's headless Chromium (tests/console_browser), for the UI's time-zone test."""

from tests.console_browser.test_console_in_chromium import browser  # noqa: F401 - shared fixture
