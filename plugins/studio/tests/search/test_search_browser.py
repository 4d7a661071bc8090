"""Studio's search in Chromium: an author searches from Studio's home, narrows to problems with the keyboard,
opens a result in the unit editor; axe-core finds no serious violation on the search page."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from kampus_content.api import Block
from kampus_content.testing.xblocks import publish_course

from kampus.testing import make_user
from kampus.testing.browser import chromium_browser, log_in

SHOTS = Path(os.environ.get("KAMPUS_SCREENSHOTS", "/tmp/kampus-screenshots")) / "studio-search"
COURSE = "course-v1:KampusX+FindWeb+1"
PROBLEM = ("<problem><multiplechoiceresponse><label>Which organelle holds chlorophyll?</label><choicegroup>"
           '<choice correct="true">Chloroplast</choice><choice correct="false">Nucleus</choice></choicegroup>'
           "</multiplechoiceresponse></problem>")


def serious_violations(page) -> list[str]:
    from_axe = pytest.importorskip("axe_playwright_python.sync_playwright")
    results = from_axe.Axe().run(page)
    return [f"{v['id']} ({v['impact']}): {[n['target'] for n in v['nodes']][:3]}"
            for v in results.response["violations"] if v["impact"] in ("serious", "critical")]


@pytest.mark.e2e
def test_author_finds_a_problem_and_opens_it(app, served):
    SHOTS.mkdir(parents=True, exist_ok=True)
    ids = publish_course(app, COURSE, {"cells": [
        Block("html", "reading", {"display_name": "Chlorophyll reading", "data": "<p>Chlorophyll is green.</p>"}),
        Block("problem", "quiz", {"display_name": "Organelle quiz", "data": PROBLEM})]},
        course_fields={"display_name": "Cell biology"})
    author = make_user(app, "staff", course_id=COURSE)
    with chromium_browser() as browser:
        page = browser.new_page(viewport={"width": 1280, "height": 900})
        errors: list[str] = []
        page.on("pageerror", lambda error: errors.append(str(error)))
        log_in(page, served, author.username)
        page.goto(f"{served}/studio/")
        page.get_by_label("Search my courses").fill("chlorophyll")
        page.keyboard.press("Enter")
        page.wait_for_load_state()
        assert page.locator("#studio-search-results-title").inner_text() == "2 blocks found"
        assert serious_violations(page) == []
        problem_box = page.get_by_label("Problem (1)")
        problem_box.focus()
        page.keyboard.press("Space")
        page.get_by_role("button", name="Apply filters").click()
        page.wait_for_load_state()
        results = page.locator("#studio-search-results > li")
        assert results.count() == 1 and page.get_by_label("Problem (1)").is_checked()
        assert "Cell biology" in results.first.inner_text() and "Cells" in results.first.inner_text()
        assert results.first.locator("b").first.inner_text().lower() == "chlorophyll"
        page.screenshot(path=str(SHOTS / "search.png"), full_page=True)
        results.first.get_by_role("link", name="Organelle quiz").click()
        page.wait_for_load_state()
        assert page.url.endswith(f"/studio/course/{COURSE}/unit/{ids['cells']}")
        assert errors == []
