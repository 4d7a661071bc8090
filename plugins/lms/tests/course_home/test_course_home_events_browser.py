"""The course outline's browser events in Chromium: following an outline link sends Open edX's
``edx.ui.lms.outline.selected`` (``widget_placement`` "accordion"), the Start/Resume button
``edx.course.home.resume_course.clicked``, both through the courseware's one event script; the course
tools link to the bookmarks; nothing is wider than a 375 px window."""

from __future__ import annotations

import json

import pytest

from kampus.testing import client_as
from kampus.testing.browser import chromium_browser, log_in

pytestmark = [pytest.mark.slow, pytest.mark.e2e, pytest.mark.kampus_plugins("content", "problems", "lms")]


def _browser_events(events, event_type):
    return [json.loads(event["event"]) for event in events.of_type(event_type) if event["event_source"] == "browser"]


def test_outline_and_resume_events_in_a_browser(app, olx_course, served, events):
    course = olx_course()
    learner = client_as(app, "learner", course)
    home = f"{served}/courses/{course}/course/"
    with chromium_browser() as browser:
        try:
            page = browser.new_page(viewport={"width": 1280, "height": 900})
            log_in(page, served, learner.user.username)
            page.goto(home)
            assert page.locator("#lms-bookmarks-link").get_attribute("href") == "/bookmarks"
            with page.expect_navigation():
                page.locator("#lms-resume").click()  # "Start course": never visited
            page.goto(home)
            unit = page.get_by_role("link", name="Unit 1.2.2")
            target = unit.get_attribute("href")
            with page.expect_navigation():
                unit.click()
            page.goto(home)
            with page.expect_navigation():
                page.locator("#lms-resume").click()  # "Resume course" now
            page.goto(home)
            page.set_viewport_size({"width": 375, "height": 800})
            page.reload()
            assert page.evaluate("document.documentElement.scrollWidth") <= 375
            page.screenshot(path="/tmp/polish/outline-375.png", full_page=True)
            page.wait_for_timeout(300)
        finally:
            browser.close()

    [selected] = _browser_events(events, "edx.ui.lms.outline.selected")
    assert selected == {"current_url": home, "target_url": served + target, "target_name": "Unit 1.2.2",
                        "widget_placement": "accordion"}
    start, resume = _browser_events(events, "edx.course.home.resume_course.clicked")
    assert start["event_type"] == "start" and resume["event_type"] == "resume"
    assert start["courserun_key"] == course and start["org_key"] == "HomeX"
    assert resume["url"].startswith(served + f"/courses/{course}/")
    assert all(event["context"]["course_id"] == course
               for event in events.of_type("edx.course.home.resume_course.clicked"))
    assert not _browser_events(events, "edx.ui.lms.link_clicked")  # the outline is not the courseware
