"""The notifications page in Chromium: the bell in the navigation, marking one and all read without a reload
(the page's script and the REST API), a course's settings turning its bell off, and no error under the
site's Content-Security-Policy."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from kampus.testing.browser import log_in

from .notify_kit import member, post, publish, thread_by

pytestmark = [pytest.mark.slow, pytest.mark.e2e]


def test_the_bell_and_marking_read(app, served, kampus_browser) -> None:
    publish(app)
    author, helper = member(app, username="asker"), member(app, username="helper")
    thread_id = thread_by(app, author, title="Loops")
    for number in range(3):
        post(app, helper, thread_id, f"Answer {number}")
    page = kampus_browser.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    page.on("console", lambda message: errors.append(message.text) if message.type == "error" else None)
    log_in(page, served, "asker")
    page.get_by_role("link", name="Notifications (3)").click()
    expect(page).to_have_url(served + "/notifications/")
    badge = page.locator("[data-notifications-unread]")
    expect(badge).to_have_text("3")
    items = page.locator("[data-notification-id]")
    expect(items).to_have_count(3)
    items.first.get_by_role("button", name="Mark as read").click()
    expect(badge).to_have_text("2")
    expect(page.locator("[data-notification-id][data-unread]")).to_have_count(2)
    assert page.url == served + "/notifications/"  # no reload, no redirect
    page.get_by_role("button", name="Mark all as read").click()
    expect(badge).to_be_hidden()
    expect(page.locator("[data-notification-id][data-unread]")).to_have_count(0)
    page.reload()
    expect(page.get_by_role("link", name="Notifications", exact=True)).to_be_visible()
    # each notification links to its course's settings: the learner turns that course's bell off
    page.locator("[data-course-preferences]").first.click()
    expect(page.get_by_role("heading", name="Notification settings")).to_be_visible()
    bell = page.get_by_role("checkbox", name="Under the bell")
    expect(bell).to_be_checked()
    bell.uncheck()
    page.get_by_role("button", name="Save").click()
    expect(page.get_by_text("Your notification settings for this course are saved.")).to_be_visible()
    expect(page.get_by_role("checkbox", name="Under the bell")).not_to_be_checked()
    post(app, helper, thread_id, "One more answer")
    page.reload()
    expect(page.get_by_role("link", name="Notifications", exact=True)).to_be_visible()  # none under the bell
    assert errors == []
