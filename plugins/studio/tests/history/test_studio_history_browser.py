"""The history in Chromium: an author reads what a version changed and reverts with the keyboard; axe-core
finds no serious violation on the history, diff, import and export pages."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from kampus_content.api import DRAFT, Block, get_structure, update_fields
from kampus_content.testing.xblocks import publish_course

from kampus.testing import make_user
from kampus.testing.browser import chromium_browser, log_in

SHOTS = Path(os.environ.get("KAMPUS_SCREENSHOTS", "/tmp/kampus-screenshots")) / "studio-history"
COURSE = "course-v1:KampusX+HistWeb+1"
SERIOUS = ("serious", "critical")


def serious_violations(page) -> list[str]:
    from_axe = pytest.importorskip("axe_playwright_python.sync_playwright")
    results = from_axe.Axe().run(page)
    return [f"{v['id']} ({v['impact']}): {[n['target'] for n in v['nodes']][:3]}"
            for v in results.response["violations"] if v["impact"] in SERIOUS]


@pytest.mark.e2e
def test_author_reads_a_diff_and_reverts_with_the_keyboard(app, served):
    SHOTS.mkdir(parents=True, exist_ok=True)
    publish_course(app, COURSE, {"unit_a": [Block("html", "intro", {"display_name": "Intro",
                                                                       "data": "<p>Hello</p>\n<p>world</p>"})]})
    staff = make_user(app, "staff", course_id=COURSE)
    with app.app_context():
        first = get_structure(COURSE, DRAFT).version
        update_fields(COURSE, ("html", "intro"), {"data": "<p>Hello</p>\n<p>everyone</p>", "display_name": "Welcome"},
                      user_id=staff.id, expected_version=first)
    with chromium_browser() as browser:
        page = browser.new_page(viewport={"width": 1280, "height": 1000})
        log_in(page, served, staff.username)
        errors: list[str] = []
        page.on("pageerror", lambda error: errors.append(str(error)))
        problems: dict[str, list[str]] = {}
        for name in ("import", "export", "history"):
            page.goto(f"{served}/studio/course/{COURSE}/{name}")
            found = serious_violations(page)
            if found:
                problems[name] = found
        rows = page.locator("#studio-history tbody tr")
        assert rows.count() == 2
        assert staff.username in rows.nth(0).inner_text() and "Current draft" in rows.nth(0).inner_text()
        assert "Live" in rows.nth(1).inner_text()
        page.get_by_role("link", name="Changes of version " + rows.nth(0).get_attribute("data-version")[:8]).click()
        page.wait_for_load_state()
        page.screenshot(path=str(SHOTS / "diff.png"), full_page=True)
        changes = page.locator("#diff-changed").locator("..").inner_text()
        assert "-<p>world</p>" in changes and "+<p>everyone</p>" in changes and "Welcome" in changes
        found = serious_violations(page)
        if found:
            problems["diff"] = found
        page.go_back()
        page.wait_for_load_state()
        # Revert to the first version with the keyboard; the confirmation is accepted.
        page.once("dialog", lambda dialog: dialog.accept())
        page.get_by_role("button", name=f"Revert to this version {first[:8]}").focus()
        with page.expect_navigation():
            page.keyboard.press("Enter")
        page.screenshot(path=str(SHOTS / "reverted.png"), full_page=True)
        assert "Publish it to show it to learners" in page.inner_text("main")
        assert errors == []
    assert problems == {}
    with app.app_context():
        assert get_structure(COURSE, DRAFT).blocks[("html", "intro")].fields["data"] == "<p>Hello</p>\n<p>world</p>"
