"""In Chromium, as a new course staff member would: open the gradebook, pick a learner, override their grade
in a subsection with a reason, and find the override in the audit trail; filter on the course grade range,
remove the override with a reason and find the removal in the audit trail (screenshots kept in ``KAMPUS_SCREENSHOTS``
when set); the learner admin page finds that learner and shows their grade."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from kampus.testing import make_user
from kampus.testing.browser import log_in

from .conftest import COURSE, enrolled_learner

pytestmark = [pytest.mark.slow, pytest.mark.e2e]
SHOTS = os.environ.get("KAMPUS_SCREENSHOTS", "")


def test_override_a_grade_with_a_reason_and_see_it_audited(app, client_as, course, served, kampus_browser,
                                                           tmp_path) -> None:
    shots = Path(SHOTS) if SHOTS else tmp_path
    shots.mkdir(parents=True, exist_ok=True)
    learner = enrolled_learner(app, client_as)
    staff = make_user(app, "staff")
    page = kampus_browser.new_page(viewport={"width": 1280, "height": 900})
    log_in(page, served, staff.username)

    page.goto(f"{served}/courses/{COURSE}/instructor")
    page.get_by_role("link", name="Gradebook").click()
    page.wait_for_load_state()
    assert page.locator("#gradebook-table").is_visible()
    page.get_by_label(f"Select {learner.user.username}").check()
    page.select_option("#override-subsection", label="Late homework")
    page.fill("#override-earned", "1")
    page.fill("#override-possible", "1")
    page.fill("#override-reason", "Excused: documented illness")
    page.get_by_role("button", name="Override grade").click()
    page.wait_for_load_state()
    assert "1 grade(s) overridden" in page.content()
    audit = page.locator("#audit-table tbody tr").first
    assert learner.user.username in audit.inner_text()
    assert "Excused: documented illness" in audit.inner_text()
    assert staff.username in audit.inner_text()
    assert "Late homework" in audit.inner_text()
    row = page.locator("#gradebook-table tbody tr", has_text=learner.user.username)
    assert "50%" in row.inner_text() and "overridden" in row.inner_text()
    page.screenshot(path=str(shots / "gradebook-audit.png"), full_page=True)

    page.get_by_role("link", name="Learner admin").click()
    page.fill("#learner-identifier", learner.user.email)
    page.get_by_role("button", name="Find learner").click()
    page.wait_for_load_state()
    assert page.locator("#learner-percent").inner_text() == "50%"
    page.screenshot(path=str(shots / "learner-admin.png"), full_page=True)

    # the grade-range filters: 50% is within 40..60, not at least 60
    page.goto(f"{served}/courses/{COURSE}/instructor/gradebook")
    page.fill("#gradebook-course-min", "40")
    page.fill("#gradebook-course-max", "60")
    page.get_by_role("button", name="Filter").click()
    page.wait_for_load_state()
    assert page.locator("#gradebook-table tbody tr", has_text=learner.user.username).count() == 1
    page.fill("#gradebook-course-min", "60")
    page.fill("#gradebook-course-max", "")
    page.get_by_role("button", name="Filter").click()
    page.wait_for_load_state()
    assert page.locator("#gradebook-table tbody tr", has_text=learner.user.username).count() == 0
    assert page.locator("#gradebook-course-min").input_value() == "60"
    page.goto(f"{served}/courses/{COURSE}/instructor/gradebook")

    # remove the override (a button of the table submitting the removal form), with a reason
    page.fill("#remove-override-reason", "Illness not confirmed")
    page.get_by_role("button", name=f"Remove the override of {learner.user.username} in Late homework").click()
    page.wait_for_load_state()
    assert "The override was removed." in page.content()
    row = page.locator("#gradebook-table tbody tr", has_text=learner.user.username)
    assert "0%" in row.inner_text() and "overridden" not in row.inner_text()
    removal = page.locator("#audit-table tbody tr").first.inner_text()
    assert "override removed" in removal and "Illness not confirmed" in removal and staff.username in removal
    page.screenshot(path=str(shots / "gradebook-override-removed.png"), full_page=True)
