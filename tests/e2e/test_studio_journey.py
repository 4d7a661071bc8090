"""Issue 18's acceptance journey in headless Chromium, on a real site (`kampus init` + `kampus serve`).

A new course author (global staff): creates a course on Studio's home, builds an outline of two sections
with a subsection and a unit, adds an HTML component in the unit editor, sets the course start on the
schedule page, publishes; an enrolled learner sees the unit in the LMS (``jump_to``); the author renames
the unit without publishing (the learner still sees the live name, Studio shows "Draft (unpublished
changes)"), publishes again (the learner sees the new name); and the sections are reordered with the
keyboard alone (Alt+Up on a focused row, announced in the live region, kept after a reload).
"""

from __future__ import annotations

import uuid

import pytest
from playwright.sync_api import expect

pytestmark = pytest.mark.e2e

ACCOUNTS = r"""
from kampus.app import create_app
from kampus.identity.accounts import create_user

app = create_app()
with app.app_context(), app.extensions["kampus"].db.session_scope() as db_session:
    create_user(db_session, %(author)r, %(author)r + "@example.com", %(password)r, confirmed=True, is_staff=True)
    create_user(db_session, %(learner)r, %(learner)r + "@example.com", %(password)r, confirmed=True)
print("ready")
"""

ENROLL = r"""
from kampus.app import create_app
from kampus.identity.models import User
from kampus import db
from kampus_lms.api import enroll
import sqlalchemy as sa

app = create_app()
with app.test_request_context():
    user = db.session().scalar(sa.select(User).where(User.username == %(learner)r))
    enroll(user, %(course)r, check_access=False)
print("enrolled")
"""

UNIT_CHILDREN = r"""
from kampus.app import create_app
from kampus_content.api import DRAFT, get_structure

app = create_app()
with app.app_context():
    structure = get_structure(%(course)r, DRAFT)
    print(",".join(child[0] for child in structure.blocks[("vertical", %(unit)r)].children))
"""


def outline_names(page) -> list[str]:
    return [name.strip() for name in
            page.locator("ol.outline-sections > li > .outline-row .outline-name").all_inner_texts()]


def rename(page, item, name: str) -> None:
    item.locator("> .outline-row [data-action=rename]").click()
    page.keyboard.press("Control+A")
    page.keyboard.type(name)
    page.keyboard.press("Enter")
    expect(page.locator("#outline-live")).to_contain_text(f"Renamed to {name}")


def test_author_builds_publishes_and_a_learner_sees_it(live_site, browser):
    suffix = uuid.uuid4().hex[:6]
    author, learner = f"author_{suffix}", f"learner_{suffix}"
    live_site.run_python(ACCOUNTS % {"author": author, "learner": learner, "password": live_site.password})
    course = f"course-v1:Journey{suffix}+J101+2027"
    studio = browser.new_context(viewport={"width": 1280, "height": 1000})
    page = studio.new_page()
    page.on("dialog", lambda dialog: dialog.accept())
    live_site.log_in(page, author)

    # 1. create the course on Studio's home
    page.get_by_role("link", name="Studio").click()
    page.get_by_role("button", name="New course").click()
    page.get_by_label("Course name").fill("Journey course")
    page.get_by_label("Organization").fill(f"Journey{suffix}")
    page.get_by_label("Course number").fill("J101")
    page.get_by_label("Course run").fill("2027")
    with page.expect_navigation():
        page.get_by_role("button", name="Create", exact=True).click()
    assert page.url == f"{live_site.url}/studio/course/{course}/"
    expect(page.get_by_text("This course has no content yet")).to_be_visible()

    # 2. two sections, a subsection, a unit
    for _ in range(2):
        with page.expect_navigation():
            page.get_by_role("button", name="+ New section").click()
    sections = page.locator("ol.outline-sections > li.outline-chapter")
    rename(page, sections.nth(0), "Week 1")
    rename(page, sections.nth(1), "Week 2")
    with page.expect_navigation():
        sections.nth(0).locator("button.outline-add").click()
    with page.expect_navigation():
        page.locator("li.outline-sequential").first.locator("button.outline-add").click()
    unit = page.locator("li.outline-vertical").first
    rename(page, unit, "Welcome")
    unit_usage = unit.get_attribute("data-usage-id")
    expect(unit.locator("> .outline-row .outline-state")).to_have_text("Draft (never published)")

    # 3. the unit editor: add an HTML component
    with page.expect_navigation():
        unit.locator("> .outline-row a.outline-name").click()
    assert f"/studio/course/{course}/unit/" in page.url
    add_html = page.locator("#add-html")
    add_html.click()
    if add_html.get_attribute("data-bs-toggle") == "dropdown":
        page.locator('[aria-labelledby="add-html"] [data-add-type="html"]').first.click()
    unit_id = unit_usage.rsplit("@", 1)[1]
    for _ in range(20):
        children = live_site.run_python(UNIT_CHILDREN % {"course": course, "unit": unit_id})
        if "html" in children:
            break
        page.wait_for_timeout(250)
    assert "html" in children.split(",")

    # 4. the schedule: the course starts in the past (a new course starts in 2030, as Open edX's)
    page.goto(f"{live_site.url}/studio/course/{course}/settings/details")
    page.locator("#f-start_date").fill("2020-01-01T00:00")
    with page.expect_response(lambda r: r.request.method == "PUT" and "/details" in r.url) as answer:
        page.get_by_role("button", name="Save changes").click()
    assert answer.value.ok
    page.wait_for_load_state("networkidle")  # the settings page may reload itself after saving

    # 5. publish
    page.goto(f"{live_site.url}/studio/course/{course}/")
    with page.expect_navigation():
        page.get_by_role("button", name="Publish all changes").click()
    expect(page.locator("li.outline-vertical").first.locator("> .outline-row .outline-state")).to_have_text(
        "Published")
    expect(page.locator("#outline-publish-status")).to_contain_text("Everything is published")

    # 6. an enrolled learner sees it in the LMS
    live_site.run_python(ENROLL % {"learner": learner, "course": course})
    lms = browser.new_context(viewport={"width": 1280, "height": 900})
    learner_page = lms.new_page()
    live_site.log_in(learner_page, learner)
    learner_page.goto(f"{live_site.url}/courses/{course}/jump_to/{unit_usage}")
    expect(learner_page.locator("main")).to_contain_text("Welcome")

    # 7. draft versus live: a rename shows as unpublished changes and stays out of the LMS until published
    rename(page, page.locator("li.outline-vertical").first, "Welcome back")
    expect(page.locator("li.outline-vertical").first.locator("> .outline-row .outline-state")).to_have_text(
        "Draft (unpublished changes)")
    expect(page.locator("#outline-publish-status")).to_contain_text("unpublished changes")
    learner_page.reload()
    expect(learner_page.locator("main")).to_contain_text("Welcome")
    expect(learner_page.locator("main")).not_to_contain_text("Welcome back")
    with page.expect_navigation():
        page.get_by_role("button", name="Publish all changes").click()
    learner_page.reload()
    expect(learner_page.locator("main")).to_contain_text("Welcome back")

    # 8. keyboard only: Week 2 moves above Week 1 with Alt+Up on its focused row
    assert outline_names(page) == ["Week 1", "Week 2"]
    page.locator("ol.outline-sections > li.outline-chapter").nth(1).locator("> .outline-row").focus()
    page.keyboard.press("Alt+ArrowUp")
    expect(page.locator("#outline-live")).to_contain_text("Week 2 moved to position 1 of 2")
    assert page.evaluate("document.activeElement.closest('li').dataset.name") == "Week 2"
    page.wait_for_timeout(300)
    page.reload()
    assert outline_names(page) == ["Week 2", "Week 1"]
    # Tab reaches the row's "Move down" button; Enter moves it back
    page.locator("ol.outline-sections > li.outline-chapter").first.locator("> .outline-row").focus()
    for _ in range(3):  # the row, its toggle, "Move up", "Move down"
        page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.dataset.action") == "down"
    page.keyboard.press("Enter")
    expect(page.locator("#outline-live")).to_contain_text("Week 2 moved to position 2 of 2")
    page.wait_for_timeout(300)
    page.reload()
    assert outline_names(page) == ["Week 1", "Week 2"]
    studio.close()
    lms.close()
