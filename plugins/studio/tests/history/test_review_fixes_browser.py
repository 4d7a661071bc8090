"""The diff page in Chromium lists changed course files with their line diff (issue 18, finding 8), and the
advanced settings page keeps a value with quotes inside its field (finding 1)."""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest
from kampus_content.api import DRAFT, Block, edit_course, get_structure
from kampus_content.testing.xblocks import publish_course

from kampus.testing import make_user
from kampus.testing.browser import chromium_browser, log_in

SHOTS = Path(os.environ.get("KAMPUS_SCREENSHOTS", "/tmp/kampus-screenshots")) / "studio-review"
COURSE = "course-v1:KampusX+HistFilesWeb+1"


@pytest.mark.e2e
def test_file_changes_on_the_diff_page_and_quoted_advanced_values(app, served):
    SHOTS.mkdir(parents=True, exist_ok=True)
    publish_course(app, COURSE, {"unit": [Block("html", "intro", {"display_name": "Intro", "data": "<p>x</p>"})]})
    staff = make_user(app, "staff", course_id=COURSE)
    quoted = 'Say "hi" \' <b>'
    with app.app_context():
        edit_course(COURSE, user_id=staff.id, files={"info/handouts.html": b"<p>old</p>"}, message="one")
        version = edit_course(COURSE, user_id=staff.id, files={"info/handouts.html": b"<p>new</p>"},
                              fields={"cert_name_short": quoted}, message="two").version
    with chromium_browser() as browser:
        page = browser.new_page(viewport={"width": 1280, "height": 900})
        errors: list[str] = []
        page.on("pageerror", lambda error: errors.append(str(error)))
        log_in(page, served, staff.username)
        page.goto(f"{served}/studio/course/{COURSE}/history/{version}")
        files = page.locator("#diff-files").locator("..")
        assert "info/handouts.html" in files.inner_text()
        assert "+<p>new</p>" in files.inner_text() and "-<p>old</p>" in files.inner_text()
        page.screenshot(path=str(SHOTS / "diff-files.png"), full_page=True)
        page.goto(f"{served}/studio/course/{COURSE}/settings/advanced")
        field = page.locator("#adv-cert_name_short")
        assert json.loads(field.input_value()) == quoted
        assert json.loads(field.get_attribute("data-initial")) == quoted
        field.scroll_into_view_if_needed()
        page.screenshot(path=str(SHOTS / "advanced-quoted.png"))
        # Saving without a change sends nothing for it: the value is not seen as changed.
        page.get_by_role("button", name="Save changes").click()
        page.wait_for_timeout(500)
        with app.app_context():
            assert get_structure(COURSE, DRAFT).version == version
        assert errors == []
