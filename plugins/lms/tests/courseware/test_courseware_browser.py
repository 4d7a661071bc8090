"""The unit page's script in Chromium: Open edX's navigation events reach POST /event, and the bookmark
toggle works without a reload; nothing is wider than a 375 px window."""

from __future__ import annotations

import json

import pytest
from playwright.sync_api import expect

from kampus.testing.browser import chromium_browser, log_in

pytestmark = [pytest.mark.slow, pytest.mark.e2e]


def _browser_events(events, event_type):
    return [json.loads(event["event"]) for event in events.of_type(event_type) if event["event_source"] == "browser"]


def test_navigation_events_and_the_bookmark_toggle_in_a_browser(cw, served, events):
    cw.publish()
    client = cw.learner(username="lin")
    sequence = cw.usage("sequential", "c1s1")
    with chromium_browser() as browser:
        try:
            page = browser.new_page(viewport={"width": 1280, "height": 900})
            log_in(page, served, client.user.username)
            page.goto(served + cw.url("c1", "c1s1", 1))
            with page.expect_navigation():
                page.locator('a[data-seq-tab="2"]').click()
            with page.expect_navigation():
                page.locator('a[data-seq-nav="next"]').last.click()  # across the subsection boundary
            assert page.url.endswith(cw.url("c1", "c1s2", 1))
            with page.expect_navigation():
                page.locator('a[data-seq-nav="previous"]').first.click()
            with page.expect_navigation():
                page.locator('a[data-seq-nav="previous"]').first.click()  # inside the subsection
            button = page.locator("[data-bookmark-form] button")
            button.click()
            # (a locator's wait, not wait_for_function: its polling evaluates strings, which the page's CSP forbids)
            expect(button).to_have_attribute("aria-pressed", "true")
            assert page.url.endswith(cw.url("c1", "c1s1", 1))  # no reload, no redirect
            assert "Bookmarked" in button.inner_text()
            page.set_viewport_size({"width": 375, "height": 800})
            page.reload()
            assert page.evaluate("document.documentElement.scrollWidth") <= 375
            page.wait_for_timeout(300)
        finally:
            browser.close()

    [goto] = _browser_events(events, "seq_goto")
    assert goto == {"old": 1, "new": 2, "current_tab": 1, "target_tab": 2, "tab_count": 2, "id": sequence,
                    "widget_placement": "top"}
    [crossing] = _browser_events(events, "edx.ui.lms.sequence.next_selected")
    assert crossing == {"current_tab": 2, "tab_count": 2, "id": sequence, "widget_placement": "bottom"}
    [crossing_back] = _browser_events(events, "edx.ui.lms.sequence.previous_selected")
    assert crossing_back["id"] == cw.usage("sequential", "c1s2") and crossing_back["current_tab"] == 1
    [previous] = _browser_events(events, "seq_prev")
    assert previous["old"] == 2 and previous["new"] == 1 and previous["id"] == sequence
    assert all(event["context"]["course_id"] == cw.COURSE for event in events.of_type("seq_goto"))
    assert len(events.of_type("edx.bookmark.added")) == 1
