"""Course reruns as a background task (Open edX's ``rerun_course`` task and ``CourseRerunState``): the key
is taken while the rerun runs, the course list shows it being created or its failure, a failure leaves no
course behind and can be dismissed."""

from __future__ import annotations

from datetime import timedelta

import pytest
import sqlalchemy as sa
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from kampus_content.api import DRAFT, CourseNotFound, content_store, get_structure
from kampus_studio.courses import reruns
from kampus_studio.courses.models import FAILED, IN_PROGRESS, SUCCEEDED, StudioCourseRerun

from kampus.db import Base, utcnow
from kampus.identity.permissions import course_roles
from kampus.tasks.api import get_record
from kampus.testing import make_user

NEW = {"org": "TestX", "number": "CS101", "run": "2027_T1", "display_name": "Computer Science"}
COURSE = "course-v1:TestX+CS101+2027_T1"
RERUN = "course-v1:TestX+CS101+2028"


@pytest.fixture
def kampus_settings() -> dict:
    """Every documented answer is checked against its response model (a mismatch is a 500)."""
    return {"api_validate_responses": True}


@pytest.fixture
def staff(client_as):
    client = client_as("global_staff")
    assert client.post("/api/studio/v1/courses/", json=NEW).status_code == 201
    return client


def rerun_row(app, course_id: str) -> StudioCourseRerun | None:
    with app.app_context():
        with app.extensions["kampus"].db.session_scope() as session:
            row = session.scalars(sa.select(StudioCourseRerun).where(StudioCourseRerun.course_key == course_id)
                                  .order_by(StudioCourseRerun.id.desc())).first()
            session.expunge_all()
            return row


def test_a_rerun_runs_as_a_task_and_its_author_becomes_admin(app, staff):
    answer = staff.post(f"/api/studio/v1/courses/{COURSE}/rerun", json={**NEW, "run": "2028", "display_name": "CS 2"})
    assert answer.status_code == 202, answer.json
    assert answer.json["course_id"] == RERUN
    row = rerun_row(app, RERUN)
    assert row.state == SUCCEEDED and row.source_course_key == COURSE and row.message == ""
    with app.app_context():
        record = get_record(row.task_id)
        assert record.name == reruns.RERUN_TASK and record.state == "SUCCESS" and record.course_id == RERUN
        assert get_structure(RERUN, DRAFT).blocks[("course", "course")].fields["display_name"] == "CS 2"
        assert content_store().history(RERUN, 5)[-1].message.startswith(f"rerun of {COURSE}")
    with app.test_request_context():
        assert course_roles(staff.user, RERUN) >= {"instructor", "staff"}
    assert staff.get("/api/studio/v1/course_reruns/").json == {"results": []}  # succeeded: a course of the list
    page = staff.get("/studio/").get_data(as_text=True)
    assert "being created" not in page and f"/studio/course/{RERUN}/" in page


def test_a_failed_rerun_leaves_no_course_shows_its_message_and_is_dismissed(app, staff, monkeypatch):
    def refuse(user_id, course_id):
        raise LookupError("the author of the re-run no longer exists")

    monkeypatch.setattr(reruns, "_make_admin", refuse)  # fails after the copy was written
    answer = staff.post(f"/api/studio/v1/courses/{COURSE}/rerun", json={**NEW, "run": "2028"})
    assert answer.status_code == 202
    status = staff.get(f"/api/studio/v1/course_reruns/{RERUN}").json
    assert status["state"] == FAILED and status["outline_url"] is None
    assert status["message"] == "The re-run failed: the author of the re-run no longer exists"
    with app.app_context():
        with pytest.raises(CourseNotFound):
            content_store().get_course_index(RERUN)  # the copy was deleted again
        assert get_record(status["task_id"]).state == "FAILURE"
    with app.test_request_context():
        assert course_roles(staff.user, RERUN) == set()
    page = staff.get("/studio/").get_data(as_text=True)
    assert "The re-run could not be created." in page and "the author of the re-run no longer exists" in page
    assert [r["course_id"] for r in staff.get("/api/studio/v1/course_reruns/").json["results"]] == [RERUN]

    assert staff.delete(f"/api/studio/v1/course_reruns/{RERUN}").status_code == 204
    assert staff.get("/api/studio/v1/course_reruns/").json == {"results": []}
    assert "could not be created" not in staff.get("/studio/").get_data(as_text=True)
    monkeypatch.undo()  # the key is free again: a new try succeeds
    again = staff.post(f"/api/studio/v1/courses/{COURSE}/rerun", json={**NEW, "run": "2028"})
    assert again.status_code == 202 and again.json["state"] == SUCCEEDED


def test_a_source_gone_before_the_task_ran_is_a_failure_with_its_message(app, staff, monkeypatch):
    real = reruns.submit

    def delete_source_then_submit(*args, **kwargs):
        with app.app_context():
            content_store().delete_course(COURSE)
        return real(*args, **kwargs)

    monkeypatch.setattr(reruns, "submit", delete_source_then_submit)
    answer = staff.post(f"/api/studio/v1/courses/{COURSE}/rerun", json={**NEW, "run": "2028"})
    assert answer.status_code == 202
    assert answer.json["state"] == FAILED
    assert answer.json["message"] == f"The course to re-run, {COURSE}, no longer exists."


def test_a_key_being_rerun_is_taken_and_the_list_shows_the_rerun_being_created(app, staff, client_as):
    with app.app_context():
        author = make_user(app, "global_staff")
        with app.extensions["kampus"].db.session_scope() as session:
            session.add(StudioCourseRerun(course_key=RERUN, source_course_key=COURSE, display_name="CS 2",
                                          state=IN_PROGRESS, message="", should_display=True, user_id=author.id))
    taken = staff.post("/api/studio/v1/courses/", json={**NEW, "run": "2028"})
    assert taken.status_code == 409 and "being created by a re-run" in taken.json["field_errors"]["run"]["user_message"]
    assert staff.post(f"/api/studio/v1/courses/{COURSE}/rerun", json={**NEW, "run": "2028"}).status_code == 409
    page = staff.get("/studio/").get_data(as_text=True)  # global staff see every rerun
    assert "This course re-run is being created." in page and RERUN in page
    assert staff.delete(f"/api/studio/v1/course_reruns/{RERUN}").status_code == 409  # still running
    other = client_as("staff", course_id=COURSE)
    assert other.get(f"/api/studio/v1/course_reruns/{RERUN}").status_code == 404  # not theirs
    assert other.get("/api/studio/v1/course_reruns/").json == {"results": []}


def test_the_rerun_table_matches_its_model(app) -> None:
    with app.app_context():
        with app.extensions["kampus"].db.engine.connect() as connection:
            context = MigrationContext.configure(connection, opts={"compare_type": True})
            differences = [d for d in compare_metadata(context, Base.metadata) if "studio_course_rerun" in repr(d)]
    assert differences == []


def test_a_rerun_the_queue_refuses_is_not_recorded(app, staff, monkeypatch):
    def broker_down(*args, **kwargs):
        raise ConnectionError("broker down")

    monkeypatch.setattr(reruns, "submit", broker_down)
    answer = staff.post(f"/api/studio/v1/courses/{COURSE}/rerun", json={**NEW, "run": "2028"})
    assert answer.status_code == 503 and "task queue is unavailable" in answer.json["user_message"]
    assert rerun_row(app, RERUN) is None
    with app.app_context():
        with pytest.raises(CourseNotFound):
            content_store().get_course_index(RERUN)


def test_a_rerun_whose_task_raised_after_recording_its_failure_keeps_its_row(app, staff, monkeypatch):
    """With eager tasks ``submit`` raises the task's own error: the task already recorded the rerun failed,
    so the answer reports that failure (not "the queue is unavailable") and the row keeps its message."""
    def task_failed_then_raised(name, rerun_id, **kwargs):
        with app.app_context():
            reruns._finish(rerun_id, FAILED, "The re-run failed: the author of the re-run no longer exists")
        raise LookupError("the author of the re-run no longer exists")

    monkeypatch.setattr(reruns, "submit", task_failed_then_raised)
    answer = staff.post(f"/api/studio/v1/courses/{COURSE}/rerun", json={**NEW, "run": "2028"})
    assert answer.status_code == 202, answer.json
    assert answer.json["state"] == FAILED
    assert answer.json["message"] == "The re-run failed: the author of the re-run no longer exists"
    row = rerun_row(app, RERUN)
    assert row is not None and row.state == FAILED and row.message == answer.json["message"]
    assert [r["course_id"] for r in staff.get("/api/studio/v1/course_reruns/").json["results"]] == [RERUN]


def lost_rerun(app, author_id: int) -> int:
    """A rerun ``in_progress`` whose task record is gone (its worker died) an hour ago."""
    with app.app_context():
        with app.extensions["kampus"].db.session_scope() as session:
            row = StudioCourseRerun(course_key=RERUN, source_course_key=COURSE, display_name="CS 2",
                                    state=IN_PROGRESS, message="", should_display=True, user_id=author_id,
                                    task_id="lost-task", created_at=utcnow() - timedelta(hours=1))
            session.add(row)
            session.flush()
            return row.id


def test_a_worker_lost_after_the_copy_is_finished_when_the_rerun_is_checked(app, staff):
    rerun_id = lost_rerun(app, staff.user.id)
    with app.test_request_context():
        reruns._copy(rerun_id, COURSE, RERUN, "CS 2", staff.user.id)  # then the worker died
        assert course_roles(staff.user, RERUN) == set()
    status = staff.get(f"/api/studio/v1/course_reruns/{RERUN}").json
    assert status["state"] == SUCCEEDED and status["outline_url"] == f"/studio/course/{RERUN}/"
    with app.test_request_context():
        assert course_roles(staff.user, RERUN) >= {"instructor", "staff"}
        assert get_structure(RERUN, DRAFT).blocks[("course", "course")].fields["display_name"] == "CS 2"
    assert staff.get("/api/studio/v1/course_reruns/").json == {"results": []}


def test_a_worker_lost_before_the_copy_is_a_failure_that_created_nothing(app, staff):
    lost_rerun(app, staff.user.id)
    listed = staff.get("/api/studio/v1/course_reruns/").json["results"]
    assert [(r["course_id"], r["state"]) for r in listed] == [(RERUN, FAILED)]
    assert "Nothing was created" in staff.get("/studio/").get_data(as_text=True)
    with app.app_context():
        with pytest.raises(CourseNotFound):
            content_store().get_course_index(RERUN)


def test_a_lost_copy_that_cannot_be_finished_is_deleted(app, staff, monkeypatch):
    rerun_id = lost_rerun(app, staff.user.id)
    with app.test_request_context():
        reruns._copy(rerun_id, COURSE, RERUN, "CS 2", staff.user.id)

    def refuse(user_id, course_id):
        raise LookupError("the author of the re-run no longer exists")

    monkeypatch.setattr(reruns, "_make_admin", refuse)
    status = staff.get(f"/api/studio/v1/course_reruns/{RERUN}").json
    assert status["state"] == FAILED and "no longer exists" in status["message"]
    with app.app_context():
        with pytest.raises(CourseNotFound):
            content_store().get_course_index(RERUN)
