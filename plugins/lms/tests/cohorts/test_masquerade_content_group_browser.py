"""In Chromium, as course staff would: in the course's "View this course as" toolbar pick "Learner in Group
A", and see the outline and the subsection's units of group A only; back to Staff, every unit."""

from __future__ import annotations

import pytest
from kampus_lms.api import set_cohorted

from kampus.testing import make_user
from kampus.testing.browser import log_in

pytestmark = [pytest.mark.slow, pytest.mark.e2e]


def test_staff_view_the_course_as_a_content_group(app, groups_course, served, kampus_browser) -> None:
    with app.test_request_context():
        set_cohorted(groups_course, True)
    staff = make_user(app, "staff", groups_course)
    page = kampus_browser.new_page(viewport={"width": 1280, "height": 900})
    log_in(page, served, staff.username)
    page.goto(f"{served}/courses/{groups_course}/courseware/ch/seq/1")
    assert page.locator("[data-seq-tab]").count() == 3
    page.select_option("#masquerade-role", label="Learner in Group A")
    page.get_by_role("button", name="Apply").click()
    page.wait_for_load_state()
    assert "You are viewing this course as a learner in Group A." in page.content()
    assert page.locator("[data-seq-tab]").count() == 2
    assert page.locator("#masquerade-role").input_value() == "group:50:1"  # the choice stays selected
    page.goto(f"{served}/courses/{groups_course}/course/")
    outline = page.content()
    assert "For group A" in outline and "For group B" not in outline
    page.select_option("#masquerade-role", label="Staff")
    page.get_by_role("button", name="Apply").click()
    page.wait_for_load_state()
    assert "For group B" in page.content()
