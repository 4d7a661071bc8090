"""In Chromium, as a new instructor would: write an e-mail on the Email section, preview it, send it to a
cohort, watch the history's delivery counts, and find the messages in the console mailer's outbox."""

from __future__ import annotations

import os
from email.utils import getaddresses
from pathlib import Path

import pytest

from kampus.drivers.mailer import message_html, read_outbox
from kampus.testing import make_user
from kampus.testing.browser import log_in

from .conftest import COURSE, enroll_many, make_cohort

pytestmark = [pytest.mark.slow, pytest.mark.e2e]

SHOTS = os.environ.get("KAMPUS_SCREENSHOTS", "")


@pytest.fixture
def app(make_app, kampus_plugins, tmp_path):
    """The console mailer (its outbox folder) and a real Celery worker (in a thread) send the e-mail."""
    return make_app(plugins=kampus_plugins, celery="real",
                    settings={"mailer": "console", "mail_outbox": str(tmp_path / "outbox")})


def test_send_an_email_to_a_cohort(app, course, served, kampus_browser, tmp_path):
    shots = Path(SHOTS) if SHOTS else tmp_path
    shots.mkdir(parents=True, exist_ok=True)
    learners = enroll_many(app, 5)
    make_cohort(app, "Evening group", [learners[0].username, learners[2].username])
    instructor = make_user(app, "instructor", COURSE)
    page = kampus_browser.new_page(viewport={"width": 1280, "height": 1000})
    page.on("dialog", lambda dialog: dialog.accept())
    log_in(page, served, instructor.username)
    page.goto(f"{served}/courses/{COURSE}/instructor")
    page.get_by_role("link", name="Email", exact=True).click()
    page.wait_for_selector("#bulk-email-form")
    page.get_by_label("Cohort: Evening group").check()
    page.fill("#bulk-email-subject", "Evening session moved")
    page.fill("#bulk-email-message", '<p>The session moves to <b>8 pm</b>.</p><script>alert("x")</script>')
    page.click("#bulk-email-preview")
    frame = page.frame_locator("#bulk-email-preview-frame")
    assert "8 pm" in frame.locator("body").inner_text()
    page.locator("#bulk-email-preview-box").screenshot(path=str(shots / "bulk-email-preview.png"))
    page.click("#bulk-email-send")
    page.wait_for_selector("#bulk-email-status.alert-success")
    row = page.wait_for_selector("#bulk-email-history tr[data-email-id]:has(td:text('sent'))", timeout=30000)
    cells = [cell.inner_text() for cell in row.query_selector_all("td")]
    assert cells[0] == "Evening session moved" and cells[1] == instructor.username
    assert cells[2] == "cohort:Evening group" and cells[5:9] == ["2", "0", "0", "0"]
    page.screenshot(path=str(shots / "bulk-email.png"), full_page=True)
    outbox = read_outbox(tmp_path / "outbox")
    got = sorted(address for message in outbox for _n, address in getaddresses(message.get_all("To", [])))
    assert got == sorted([learners[0].email, learners[2].email])
    for message in outbox:
        assert message["Subject"] == "Evening session moved"
        assert "<b>8 pm</b>" in message_html(message) and "<script" not in message_html(message)
        assert message["List-Unsubscribe"]
    # the first learner follows the unsubscribe link of their message and confirms
    mine = next(m for m in outbox if learners[0].email in m["To"])
    path = "/bulk_email/" + mine["List-Unsubscribe"].strip("<>").split("/bulk_email/", 1)[1]
    learner_page = kampus_browser.new_page(viewport={"width": 900, "height": 500})
    learner_page.goto(served + path)
    learner_page.click("#unsubscribe-confirm")
    learner_page.wait_for_selector(".alert-success")
    assert "no longer receive e-mail from the team of Mail course" in learner_page.inner_text(".alert-success")
    learner_page.screenshot(path=str(shots / "bulk-email-unsubscribed.png"))



def test_global_staff_turn_the_course_email_off_with_the_switch(app, course, served, kampus_browser, tmp_path):
    shots = Path(SHOTS) if SHOTS else tmp_path
    shots.mkdir(parents=True, exist_ok=True)
    admin = make_user(app, "global_staff", COURSE)
    page = kampus_browser.new_page(viewport={"width": 1280, "height": 900})
    log_in(page, served, admin.username)
    page.goto(f"{served}/courses/{COURSE}/instructor/bulk_email")
    assert page.is_checked("#bulk-email-enabled") and not page.is_visible("#bulk-email-off")
    page.uncheck("#bulk-email-enabled")  # saved as soon as it is flipped
    page.wait_for_selector("#bulk-email-off")
    assert not page.is_checked("#bulk-email-enabled") and page.is_disabled("#bulk-email-send")
    page.screenshot(path=str(shots / "bulk-email-off.png"), full_page=True)
    staff = make_user(app, "staff", COURSE)
    other = kampus_browser.new_page(viewport={"width": 1280, "height": 900})
    log_in(other, served, staff.username)
    other.goto(f"{served}/courses/{COURSE}/instructor")
    assert other.get_by_role("link", name="Email", exact=True).count() == 0
