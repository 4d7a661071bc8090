"""In headless Chromium, as a new instructor would: batch-enroll three learners (one without an account
yet), make a cohort and add two of them; the page shows the results (a screenshot is kept)."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from kampus_lms.api import cohort_of, is_enrolled, list_cohorts
from playwright.sync_api import expect

from kampus.testing import make_user
from kampus.testing.browser import log_in

SHOTS = Path(os.environ.get("KAMPUS_SCREENSHOTS", "/tmp/instr_shots"))


@pytest.mark.e2e
def test_an_instructor_batch_enrolls_three_learners_and_makes_a_cohort(app, groups_course, served, kampus_browser,
                                                                        mailbox):
    instructor = make_user(app, "instructor", groups_course, username="prof")
    first, second = make_user(app, "user", username="learner_one"), make_user(app, "user", username="learner_two")
    page = kampus_browser.new_page(viewport={"width": 1280, "height": 1000})
    log_in(page, served, instructor.username)
    page.goto(f"{served}/courses/{groups_course}/instructor")
    assert page.get_by_role("heading", name="Course info", exact=True).is_visible()
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SHOTS / "course_info.png"), full_page=True)
    page.get_by_role("link", name="Membership").click()
    page.get_by_label("E-mail addresses or usernames").first.fill(
        "learner_one\nlearner_two@example.com, third.person@example.com")
    page.get_by_role("button", name="Enroll", exact=True).click()
    result = page.locator("form .instructor-result").first
    result.wait_for(state="visible")
    assert "learner_one: enrolled" in result.inner_text()
    assert "third.person@example.com: will be enrolled once registered" in result.inner_text()
    page.screenshot(path=str(SHOTS / "membership_batch_enroll.png"), full_page=True)

    page.get_by_role("link", name="Cohorts").click()
    page.get_by_label("Enable cohorts").check()
    page.get_by_role("button", name="Save").click()
    page.get_by_label("Cohort name").wait_for()
    page.get_by_label("Cohort name").fill("Morning group")
    page.get_by_label("Content group").last.select_option(label="Group A")
    page.get_by_role("button", name="Save cohort").click()
    page.get_by_role("heading", name="Morning group").wait_for()
    page.get_by_label("Add learners to Morning group").fill("learner_one, learner_two")
    page.get_by_role("button", name="Add learners").click()
    page.locator(".instructor-cohort").filter(has_text="learner_two").wait_for()
    # the reloaded page's script shows the flash: wait for its text (the previous page's flash was visible too)
    expect(page.locator("#instructor-flash")).to_contain_text("learner_one: added; learner_two: added")
    page.screenshot(path=str(SHOTS / "cohorts.png"), full_page=True)

    with app.test_request_context():
        assert is_enrolled(first.id, groups_course) and is_enrolled(second.id, groups_course)
        cohort = next(c for c in list_cohorts(groups_course) if c.name == "Morning group")
        assert cohort.group_id == 1 and cohort.user_count == 2
        assert cohort_of(first.id, groups_course).name == "Morning group"
    assert len(mailbox) == 3
