"""The courses area's pages in Chromium: rerun form, and the team page (add, change role, remove, the last
Admin refused with a message)."""

from __future__ import annotations

import pytest
from kampus_content.api import content_store
from playwright.sync_api import expect

from kampus.testing import make_user
from kampus.testing.browser import chromium_browser, log_in

pytestmark = [pytest.mark.e2e]

COURSE = "course-v1:TeamX+T1+2027"


def test_team_and_rerun_pages_in_a_browser(app, served, tmp_path):
    admin = make_user(app, "global_staff", username="boss")
    make_user(app, "user", username="carol", email="carol@example.com")
    with chromium_browser() as browser:
        page = browser.new_page(viewport={"width": 1280, "height": 900})
        page.on("dialog", lambda dialog: dialog.accept())
        log_in(page, served, admin.username)
        page.goto(served + "/studio/")
        page.get_by_role("button", name="New course").click()
        page.get_by_label("Course name").fill("Team course")
        page.get_by_label("Organization").fill("TeamX")
        page.get_by_label("Course number").fill("T1")
        page.get_by_label("Course run").fill("2027")
        with page.expect_navigation():
            page.get_by_role("button", name="Create", exact=True).click()
        # a duplicate is refused on the form
        page.goto(served + "/studio/")
        page.get_by_role("button", name="New course").click()
        page.get_by_label("Course name").fill("Again")
        page.get_by_label("Organization").fill("teamx")
        page.get_by_label("Course number").fill("t1")
        page.get_by_label("Course run").fill("2027")
        page.get_by_role("button", name="Create", exact=True).click()
        expect(page.locator("#new-run-error")).to_contain_text("already a course")
        # the team page
        page.goto(served + f"/studio/course/{COURSE}/team")
        page.get_by_label("Username or e-mail address").fill("nobody")
        page.get_by_role("button", name="Add user").click()
        expect(page.locator("#member-email-error")).to_contain_text("Could not find user")
        page.get_by_label("Username or e-mail address").fill("carol@example.com")
        with page.expect_navigation():
            page.get_by_role("button", name="Add user").click()
        expect(page.locator("#team-table")).to_contain_text("carol")
        with page.expect_response(lambda r: r.request.method == "PUT"):
            page.get_by_label("Role of carol").select_option("admin")
        page.screenshot(path=str(tmp_path / "team.png"), full_page=True)
        with page.expect_navigation():
            page.get_by_role("button", name="Remove carol").click()
        expect(page.locator("#team-table")).not_to_contain_text("carol")
        page.get_by_role("button", name="Remove boss").click()
        expect(page.locator("#team-error")).to_contain_text("last Admin")
        # rerun
        page.goto(served + f"/studio/course/{COURSE}/rerun")
        page.get_by_label("Course run").fill("2028")
        with page.expect_navigation():
            page.get_by_role("button", name="Create re-run").click()
        assert page.url.endswith("/studio/course/course-v1:TeamX+T1+2028/")
        page.close()
    with app.app_context():
        assert {c.course_key for c in content_store().list_courses()} == {COURSE, "course-v1:TeamX+T1+2028"}
