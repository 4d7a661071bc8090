"""In Chromium: with the Studio plugin enabled, the Email section's message is written in TinyMCE (Studio's
HTML editor, served from the django-tinymce package through Studio's public path)."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from kampus.drivers.mailer import message_html, read_outbox
from kampus.testing import make_user
from kampus.testing.browser import log_in

from .conftest import COURSE, enroll_many

pytestmark = [pytest.mark.slow, pytest.mark.e2e]

SHOTS = os.environ.get("KAMPUS_SCREENSHOTS", "")


@pytest.fixture
def app(make_app, tmp_path):
    return make_app(plugins=["content", "problems", "lms", "studio", "instructor"],
                    settings={"mailer": "console", "mail_outbox": str(tmp_path / "outbox")})


def test_compose_in_studios_visual_editor(app, course, served, kampus_browser, tmp_path):
    shots = Path(SHOTS) if SHOTS else tmp_path
    shots.mkdir(parents=True, exist_ok=True)
    learners = enroll_many(app, 2)
    instructor = make_user(app, "instructor", COURSE)
    page = kampus_browser.new_page(viewport={"width": 1280, "height": 1000})
    page.on("dialog", lambda dialog: dialog.accept())
    log_in(page, served, instructor.username)
    page.goto(f"{served}/courses/{COURSE}/instructor/bulk_email")
    page.wait_for_selector(".tox-edit-area iframe", timeout=20000)
    page.get_by_label("All learners").check()
    page.fill("#bulk-email-subject", "Visual")
    page.frame_locator(".tox-edit-area iframe").locator("body").click()
    page.keyboard.type("Written in the visual editor")
    page.keyboard.press("Control+A")
    page.keyboard.press("Control+B")
    page.click("#bulk-email-send")
    page.wait_for_selector("#bulk-email-history tr[data-email-id]:has(td:text('sent'))", timeout=30000)
    page.screenshot(path=str(shots / "bulk-email-tinymce.png"), full_page=True)
    outbox = read_outbox(tmp_path / "outbox")
    assert len(outbox) == len(learners)
    assert "<strong>Written in the visual editor</strong>" in message_html(outbox[0])
