"""The workers' periodic check (a periodic task) sends scheduled e-mail when its time comes; the Email page
uses Studio's TinyMCE when the Studio plugin serves it."""

from __future__ import annotations

import time
from datetime import timedelta

import pytest
from kampus_content.testing.xblocks import publish_course
from kampus_instructor.bulk_email import service

from kampus.db import utcnow
from kampus.tasks.periodic import periodic_tasks, start_beat
from kampus.testing import client_as

from .conftest import COURSE, enroll_many


@pytest.fixture
def kampus_settings():
    return {"instructor_bulk_email_schedule_check_seconds": 0.2}


def test_the_workers_scheduler_sends_due_email(app, course, mailbox):
    """The check is a periodic task (every ``instructor_bulk_email_schedule_check_seconds``) that the
    worker's scheduler runs."""
    kampus = app.extensions["kampus"]
    assert [(entry.name, entry.task, entry.every_seconds) for entry in periodic_tasks(kampus)
            if entry.name.startswith("instructor.")] == [
        ("instructor.bulk_email.schedule_check", service.DISPATCH_TASK, 0.2)]
    enroll_many(app, 2)
    with app.test_request_context():
        message = service.create_message(COURSE, None, "Later", "<p>later</p>", ["learners"],
                                         (utcnow() + timedelta(seconds=1)).isoformat())
    scheduler = start_beat(kampus)
    try:
        time.sleep(0.5)
        with app.app_context():
            assert service.get_message(message.id).status == "scheduled"  # not before its time
        deadline = time.monotonic() + 10
        with app.app_context():
            while service.get_message(message.id).status != "sent" and time.monotonic() < deadline:
                time.sleep(0.05)
    finally:
        scheduler.stopped.set()
    with app.app_context():
        assert service.get_message(message.id).status == "sent"
    assert len(mailbox) == 2


def test_no_periodic_check_when_its_interval_is_zero(make_app):
    app = make_app(plugins=["content", "problems", "lms", "instructor"],
                   settings={"instructor_bulk_email_schedule_check_seconds": 0})
    assert [entry.name for entry in periodic_tasks(app.extensions["kampus"])] == ["lms.goal_reminders"]


def test_the_page_uses_studios_tinymce_when_studio_is_enabled(make_app):
    app = make_app(plugins=["content", "problems", "lms", "studio", "instructor"])
    publish_course(app, COURSE, {"unit1": []})
    page = client_as(app, "instructor", COURSE).get(f"/courses/{COURSE}/instructor/bulk_email")
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    assert '<script src="/studio/static/unit/tinymce/tinymce.min.js"></script>' in html
    assert app.test_client().get("/studio/static/unit/tinymce/tinymce.min.js").status_code == 200
