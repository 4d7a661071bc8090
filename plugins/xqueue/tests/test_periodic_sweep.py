"""The workers' periodic sweep: a grader that took a submission and never answers ends, past the queue's
timeout, in Open edX's "could not be graded" without any grader, staff or learner request."""

from __future__ import annotations

import json
import time
from datetime import timedelta

import pytest
import sqlalchemy as sa
from kampus_xqueue.models import FAILED, Submission
from kampus_xqueue.periodic import SWEEP_TASK

from kampus.db import utcnow
from kampus.tasks.periodic import periodic_tasks, start_beat

from .conftest import pull, submit_code

pytestmark = pytest.mark.kampus_plugins("content", "problems", "xqueue")


@pytest.fixture
def kampus_settings():
    return {"xqueue_sweep_seconds": 0.2}


def the_submission(app) -> Submission:
    with app.app_context(), app.extensions["kampus"].db.session_scope() as db_session:
        submission = db_session.scalars(sa.select(Submission)).one()
        db_session.expunge(submission)
        return submission


def test_the_workers_scheduler_retires_a_submission_whose_grader_never_answers(app, course, grader, client_as):
    kampus = app.extensions["kampus"]
    assert [(entry.name, entry.task, entry.every_seconds) for entry in periodic_tasks(kampus)] == [
        (SWEEP_TASK, SWEEP_TASK, 0.2)]
    learner = client_as("learner")
    submit_code(learner, course["code"])
    assert json.loads(pull(grader)["content"])["xqueue_header"]  # taken, then the grader dies
    with app.app_context(), kampus.db.session_scope() as db_session:  # its last allowed hand-out, timed out
        db_session.execute(sa.update(Submission).values(pull_time=utcnow() - timedelta(seconds=31),
                                                        num_failures=1))
    scheduler = start_beat(kampus)
    try:
        deadline = time.monotonic() + 15
        while not the_submission(app).lms_ack and time.monotonic() < deadline:  # retired, then delivered
            time.sleep(0.05)
    finally:
        scheduler.stopped.set()
    submission = the_submission(app)
    assert submission.retired and submission.retire_reason == FAILED and submission.lms_ack
    html = learner.post(f"/xblock/{course['code']}/handler/problem_get").get_json()["html"]
    assert "Your submission could not be graded." in html and "status-incomplete" not in html


def test_no_periodic_sweep_when_its_interval_is_zero(make_app):
    app = make_app(plugins=["content", "problems", "xqueue"], settings={"xqueue_sweep_seconds": 0})
    assert periodic_tasks(app.extensions["kampus"]) == []
