"""In headless Chromium: when the mail server fails while batch-enrolling, the page says which learner's
message was not sent, and every learner is enrolled (a screenshot is kept)."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from kampus_lms.api import is_enrolled

from kampus.testing import make_user
from kampus.testing.browser import log_in

SHOTS = Path(os.environ.get("KAMPUS_SCREENSHOTS", "/tmp/instr_shots"))


@pytest.mark.e2e
def test_the_page_shows_a_message_that_could_not_be_sent(app, course, served, kampus_browser, monkeypatch):
    instructor = make_user(app, "instructor", course, username="mailprof")
    first, second = make_user(app, "user", username="mail_one"), make_user(app, "user", username="mail_two")
    kampus = app.extensions["kampus"]
    original = kampus.mailer.send

    def send(to, *args, **kwargs):
        if to == second.email:
            raise OSError("SMTP down")
        return original(to, *args, **kwargs)

    monkeypatch.setattr(kampus.mailer, "send", send)
    page = kampus_browser.new_page(viewport={"width": 1280, "height": 900})
    log_in(page, served, instructor.username)
    page.goto(f"{served}/courses/{course}/instructor/membership")
    page.get_by_label("E-mail addresses or usernames").first.fill("mail_one, mail_two")
    page.get_by_role("button", name="Enroll", exact=True).click()
    result = page.locator("form .instructor-result").first
    result.wait_for(state="visible")
    text = result.inner_text()
    assert "mail_one: enrolled" in text and "mail_one: enrolled (" not in text
    assert "mail_two: enrolled (the e-mail could not be sent)" in text
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SHOTS / "membership_mail_failure.png"), full_page=True)
    with app.test_request_context():
        assert is_enrolled(first.id, course) and is_enrolled(second.id, course)
