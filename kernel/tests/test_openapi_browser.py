"""/api/docs renders the API reference in Chromium (Swagger UI from the site itself, under its CSP)."""

from __future__ import annotations

import pytest

from kampus.testing import client_as
from kampus.testing.browser import chromium_browser

pytestmark = pytest.mark.e2e


def test_api_docs_load_in_chromium(app, served, tmp_path) -> None:
    errors: list[str] = []
    with chromium_browser() as browser:
        page = browser.new_page(viewport={"width": 375, "height": 800})
        page.on("console", lambda message: errors.append(message.text) if message.type == "error" else None)
        page.goto(served + "/api/docs")
        page.wait_for_selector(".opblock-tag", timeout=15000)
        tags = page.locator(".opblock-tag").all_inner_texts()
        assert any("oauth2" in tag for tag in tags) and any("tasks" in tag for tag in tags)
        width = page.evaluate("document.documentElement.scrollWidth")
        page.screenshot(path=str(tmp_path / "api-docs.png"), full_page=False)
        browser.close()
    assert not [error for error in errors if "Content Security Policy" in error], errors
    assert width <= 375 + 1


def test_staff_clients_page_fits_a_phone(app, served, tmp_path) -> None:
    staff = client_as(app, "global_staff")
    cookie = staff.get_cookie("kampus_session")
    with chromium_browser() as browser:
        context = browser.new_context(viewport={"width": 375, "height": 800})
        context.add_cookies([{"name": "kampus_session", "value": cookie.value, "url": served}])
        page = context.new_page()
        page.goto(served + "/staff/oauth2/clients")
        assert page.locator("h1").inner_text() == "OAuth2 clients"
        assert page.evaluate("document.documentElement.scrollWidth") <= 376
        page.screenshot(path=str(tmp_path / "clients.png"), full_page=True)
        browser.close()
