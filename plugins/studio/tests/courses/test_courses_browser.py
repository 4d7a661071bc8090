"""The courses area's pages in Chromium: rerun form, the course list's notices of reruns (being created, then
the course; failed, dismissed), and the team page (add, change role, remove, the last Admin refused with a
message)."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from kampus_content.api import Block, content_store
from kampus_studio.courses.models import IN_PROGRESS, SUCCEEDED, StudioCourseRerun
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
        assert page.url.endswith("/studio/")  # the course list, where the rerun shows (eager: done already)
        with page.expect_navigation():
            page.get_by_role("link", name="Team course", exact=True).nth(1).click()
        assert page.url.endswith("/studio/course/course-v1:TeamX+T1+2028/")
        page.close()
    with app.app_context():
        assert {c.course_key for c in content_store().list_courses()} == {COURSE, "course-v1:TeamX+T1+2028"}


def test_the_course_list_shows_a_rerun_being_created_then_the_course(app, served):
    """The notice of a rerun in progress; the page reloads by itself when the task finished."""
    shots = Path(os.environ.get("KAMPUS_SCREENSHOTS", "/tmp/kampus-screenshots")) / "studio-courses"
    shots.mkdir(parents=True, exist_ok=True)
    admin = make_user(app, "global_staff", username="boss")
    new = "course-v1:TeamX+T1+2029"
    with app.app_context():
        with app.extensions["kampus"].db.session_scope() as session:
            session.add(StudioCourseRerun(course_key=new, source_course_key=COURSE, display_name="Team course 2029",
                                          state=IN_PROGRESS, message="", should_display=True, user_id=admin.id))
    with chromium_browser() as browser:
        page = browser.new_page(viewport={"width": 1280, "height": 700})
        errors: list[str] = []
        page.on("pageerror", lambda error: errors.append(str(error)))
        log_in(page, served, admin.username)
        page.goto(served + "/studio/")
        expect(page.get_by_role("status")).to_contain_text("This course re-run is being created.")
        page.screenshot(path=str(shots / "rerun-in-progress.png"))
        with app.app_context():  # the task finishes
            root = Block("course", "course", {"display_name": "Team course 2029"})
            content_store().create_course(new, [root], root.key, user_id=admin.id)
            with app.extensions["kampus"].db.session_scope() as session:
                session.query(StudioCourseRerun).update({"state": SUCCEEDED})
        expect(page.get_by_role("link", name="Team course 2029", exact=True)).to_be_visible(timeout=10000)
        expect(page.get_by_text("This course re-run is being created.")).to_have_count(0)
        with app.app_context():
            with app.extensions["kampus"].db.session_scope() as session:
                session.add(StudioCourseRerun(course_key="course-v1:TeamX+T1+2030", source_course_key=COURSE,
                                              display_name="Team course 2030", state="failed", should_display=True,
                                              message="The course to re-run no longer exists.", user_id=admin.id))
        page.reload()
        expect(page.get_by_role("alert")).to_contain_text("The course to re-run no longer exists.")
        page.screenshot(path=str(shots / "rerun-failed.png"))
        page.get_by_role("button", name="Dismiss Team course 2030").click()
        expect(page.get_by_role("alert")).to_have_count(0)
        page.reload()
        expect(page.get_by_text("Team course 2030")).to_have_count(0)
        assert not errors, errors
