"""The public certificate page and the staff's certificate settings page in Chromium: axe-core finds no
serious or critical violation in them (the site's navbar is another area's and left out of the check),
and nothing is wider than a 375 px window."""

from __future__ import annotations

import io
import os
from pathlib import Path
from typing import Any

import pytest
from axe_playwright_python.sync_playwright import Axe
from kampus_lms.api import update_certificate
from PIL import Image
from playwright.sync_api import Page

from kampus.testing import make_user
from kampus.testing.browser import chromium_browser, log_in

pytestmark = [pytest.mark.slow, pytest.mark.e2e, pytest.mark.kampus_plugins("content", "problems", "lms")]

#: The site navbar belongs to the kernel (its colour contrast is being fixed there).
AXE_CONTEXT = {"exclude": [["nav.navbar"]]}
#: Where screenshots go (``KAMPUS_SCREENSHOTS`` to keep them), else the test's temporary folder.
SHOTS = os.environ.get("KAMPUS_SCREENSHOTS", "")


def png_bytes() -> bytes:
    buffer = io.BytesIO()
    Image.new("RGBA", (300, 100), (0, 0, 0, 0)).save(buffer, format="PNG")
    return buffer.getvalue()


def serious_violations(page: Page) -> list[dict[str, Any]]:
    """axe-core's serious and critical violations on the page (outside the site navbar)."""
    results = Axe().run(page, context=AXE_CONTEXT)
    return [{"id": violation["id"], "impact": violation["impact"],
             "targets": [node["target"] for node in violation["nodes"]]}
            for violation in results.response["violations"] if violation["impact"] in ("serious", "critical")]


def check_page(page: Page, shots: Path, name: str) -> None:
    """No serious violation, wide or narrow; nothing wider than 375 px; screenshots of both."""
    page.set_viewport_size({"width": 1280, "height": 900})
    assert serious_violations(page) == [], name
    page.screenshot(path=str(shots / f"{name}-wide.png"), full_page=True)
    page.set_viewport_size({"width": 375, "height": 800})
    page.wait_for_timeout(100)
    assert page.evaluate("document.documentElement.scrollWidth") <= 375, name
    assert serious_violations(page) == [], name
    page.screenshot(path=str(shots / f"{name}-narrow.png"), full_page=True)


def test_certificate_and_settings_pages_pass_axe(app, certs, served, tmp_path) -> None:
    shots = Path(SHOTS) if SHOTS else tmp_path
    shots.mkdir(parents=True, exist_ok=True)
    with app.app_context():
        app.extensions["kampus"].blob_store.put("tests/sig.png", png_bytes(), content_type="image/png")
    course = certs.publish(root_meta={"files": {"static/signature.png": "tests/sig.png"}})
    learner = certs.enrolled("honor", name="Zoë Ångström-Łukasiewicz")
    staff = make_user(app, "staff", course_id=course)
    with app.test_request_context():
        info = update_certificate(learner.id, course, certs.PASS)
    assert info.is_downloadable
    with chromium_browser() as browser:
        try:
            page = browser.new_page(viewport={"width": 1280, "height": 900})
            page.goto(f"{served}/certificates/{info.verify_uuid}")
            assert page.locator("#cert-learner-name").inner_text() == "Zoë Ångström-Łukasiewicz"
            check_page(page, shots, "certificate")

            log_in(page, served, staff.username)
            page.goto(f"{served}/courses/{course}/certificates/settings")
            assert page.locator("#cert-settings-save").is_visible()
            check_page(page, shots, "settings")

            # the form with errors: a signatory without a name
            page.set_viewport_size({"width": 1280, "height": 900})
            page.fill("#signatory-1-title", "Dean")
            with page.expect_navigation():
                page.locator("#cert-settings-save").click()
            assert page.locator("#signatory-1-name.is-invalid").count() == 1
            check_page(page, shots, "settings-errors")
        finally:
            browser.close()
