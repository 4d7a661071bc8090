"""In headless Chromium: course staff allowlist a learner with a note and generate certificates from the
certificates section (a screenshot is kept)."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from kampus_lms.api import certificate_status

from kampus.testing import make_user
from kampus.testing.browser import log_in

COURSE = "course-v1:KampusX+Cert201+2026"  #: the ``course`` fixture
SHOTS = Path(os.environ.get("KAMPUS_SCREENSHOTS", "/tmp/instr_shots"))


@pytest.mark.e2e
def test_staff_allowlist_a_learner_and_generate_certificates(app, course, served, kampus_browser, enrolled):
    staff = make_user(app, "staff", COURSE, username="certstaff")
    lucky = enrolled("lucky_one")
    page = kampus_browser.new_page(viewport={"width": 1280, "height": 1000})
    log_in(page, served, staff.username)
    page.goto(f"{served}/courses/{COURSE}/instructor/certificates")
    page.get_by_label("Username or e-mail", exact=True).first.fill("lucky_one")
    page.get_by_label("Notes", exact=True).first.fill("Finished the work offline")
    page.get_by_role("button", name="Add to exception list").click()
    page.get_by_role("cell", name="Finished the work offline").wait_for()
    page.get_by_role("button", name="Generate certificates for all eligible learners").click()
    page.get_by_text("Certificate generation task for all students").wait_for()
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SHOTS / "certificates.png"), full_page=True)
    with app.test_request_context():
        assert certificate_status(lucky.id, COURSE).status == "downloadable"
