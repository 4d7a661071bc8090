"""A worker's periodic check sends scheduled e-mail when its time comes; the Email page uses Studio's
TinyMCE when the Studio plugin serves it."""

from __future__ import annotations

import time
from datetime import timedelta

import pytest
from celery.signals import worker_ready, worker_shutdown
from kampus_content.testing.xblocks import publish_course
from kampus_instructor.bulk_email import service

from kampus.db import utcnow
from kampus.testing import client_as

from .conftest import COURSE, enroll_many


class Consumer:
    """What a worker's ``worker_ready`` signal sends: its consumer, whose ``app`` is the Celery app."""

    def __init__(self, app):
        self.app = app


@pytest.fixture
def kampus_settings():
    return {"instructor_bulk_email_schedule_check_seconds": 0.2}


def test_a_ready_worker_checks_for_due_email(app, course, mailbox):
    enroll_many(app, 2)
    with app.test_request_context():
        message = service.create_message(COURSE, None, "Later", "<p>later</p>", ["learners"],
                                         (utcnow() + timedelta(seconds=1)).isoformat())
    other_app = Consumer(object())
    worker_ready.send(sender=other_app)  # another app's worker: not ours to check
    time.sleep(1.5)
    assert mailbox == []
    worker_ready.send(sender=Consumer(app.extensions["kampus"].celery))
    try:
        deadline = time.monotonic() + 10
        with app.app_context():
            while service.get_message(message.id).status != "sent" and time.monotonic() < deadline:
                time.sleep(0.05)
    finally:
        worker_shutdown.send(sender=None)
    with app.app_context():
        assert service.get_message(message.id).status == "sent"
    assert len(mailbox) == 2


def test_the_page_uses_studios_tinymce_when_studio_is_enabled(make_app):
    app = make_app(plugins=["content", "problems", "lms", "studio", "instructor"])
    publish_course(app, COURSE, {"unit1": []})
    page = client_as(app, "instructor", COURSE).get(f"/courses/{COURSE}/instructor/bulk_email")
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    assert '<script src="/studio/static/unit/tinymce/tinymce.min.js"></script>' in html
    assert app.test_client().get("/studio/static/unit/tinymce/tinymce.min.js").status_code == 200
