"""Chromium for browser tests: one Playwright per test process, shared by every test that drives a browser.

Playwright's sync API refuses to start a second time inside a running one, so tests must not call
``sync_playwright()`` themselves: a session fixture (the e2e tests' ``browser``) and a plugin's test
in the same worker would collide. Use :func:`chromium_browser` (or the ``kampus_browser`` fixture)::

    from kampus.testing.browser import chromium_browser

    def test_page(served):
        with chromium_browser() as browser:
            page = browser.new_page()
            ...

The test is skipped with the reason when Debian's chromium or Playwright is missing.

Log a page in with :func:`log_in`, which waits for the login's redirect: a test that clicks "Log in" and
goes on at once races the form post (its next ``goto`` can leave before the session cookie is set).
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import pytest

from kampus.testing import TEST_PASSWORD

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync"]

_running: dict[str, Any] = {}


def shared_playwright() -> Any:
    """This process's Playwright (started on first use, stopped at the end of the test session)."""
    if not os.path.exists(CHROMIUM):
        pytest.skip(f"{CHROMIUM} is missing (apt-get install chromium; `make test` does it as root)")
    if "playwright" not in _running:
        sync_api = pytest.importorskip("playwright.sync_api",
                                       reason="playwright is not installed (pip install playwright)")
        _running["playwright"] = sync_api.sync_playwright().start()
    return _running["playwright"]


@contextmanager
def chromium_browser(**launch: Any) -> Iterator[Any]:
    """A new headless Chromium (closed afterwards) from the process's Playwright."""
    browser = shared_playwright().chromium.launch(
        executable_path=CHROMIUM, args=launch.pop("args", CHROMIUM_ARGS), headless=True, **launch)
    try:
        yield browser
    finally:
        browser.close()


def log_in(page: Any, base_url: str, username: str, password: str | None = None) -> None:
    """Log ``page`` in as ``username`` through the login form at ``base_url``, waiting for the redirect.

    Fails with the form's error message when the login is refused.
    """
    password = TEST_PASSWORD if password is None else password
    page.goto(base_url.rstrip("/") + "/login")
    page.fill("#username", username)
    page.fill("#password", password)
    with page.expect_navigation():
        page.locator("main").get_by_role("button", name="Log in").click()
    page.wait_for_load_state()
    if "/login" in page.url.split("?")[0]:
        alert = page.locator(".alert")
        said = alert.first.inner_text() if alert.count() else "no message"
        raise AssertionError(f"logging in as {username!r} was refused: {said}")


def stop_playwright() -> None:
    """Stop this process's Playwright, if a test started it."""
    playwright = _running.pop("playwright", None)
    if playwright is not None:
        playwright.stop()
