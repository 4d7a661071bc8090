"""Course reruns as background tasks, as Open edX Studio makes them (``contentstore/views/course.py``
``_rerun_course``, ``contentstore/tasks.py`` ``rerun_course``, ``CourseRerunState``).

:func:`start_rerun` checks the request (the source exists, the new key is valid and free), records the
rerun ``in_progress`` (:class:`~kampus_studio.courses.models.StudioCourseRerun`) and starts the task
``studio.rerun_course``; the course list shows "This course re-run is being created" until the task
ends. The task copies the source's draft into the new key in **one** store write (the new root with its
display name and Open edX's default start, without the source's enrollment dates), then makes the
author Admin of the new run and records ``succeeded``. When anything fails, the new course is deleted
again (no half course is left), the rerun is recorded ``failed`` with its message, and the course list
shows it until the author dismisses it (Open edX's ``should_display``).

The task is idempotent: a finished rerun is not made again, and a rerun whose worker was lost after its
copy was written (its first history entry names the rerun) goes on from there. When the task record is
finished or gone but the rerun is still ``in_progress``, :func:`checked` finishes a written copy (Admin,
``succeeded``) or records the rerun failed with nothing left of it.
"""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa
from flask import current_app
from flask_babel import gettext as _
from kampus_content.api import DRAFT, ContentStoreError, CourseExists, CourseNotFound, content_store, get_structure

from kampus import db
from kampus.db import utcnow
from kampus.identity.models import User
from kampus.identity.permissions import grant_role
from kampus.identity.roles import INSTRUCTOR, STAFF
from kampus.tasks.api import FINISHED_STATES, AlreadyRunningError, TaskContext, get_record, submit, task_name
from kampus_studio.courses.api import DEFAULT_START, CourseFormError, validate_new_key
from kampus_studio.courses.models import FAILED, IN_PROGRESS, SUCCEEDED, StudioCourseRerun

RERUN_TASK = "studio.rerun_course"
#: Course fields a rerun does not keep (Open edX resets the dates of the new run).
DROPPED_FIELDS = ("advertised_start", "enrollment_start", "enrollment_end")
#: A rerun ``in_progress`` whose task record is gone or finished is shown failed after this many minutes.
STUCK_MINUTES = 10


def _copy_message(rerun_id: int, source_id: str) -> str:
    """The history message of the rerun's copy (it tells a retried task the copy was written)."""
    return f"rerun of {source_id} (studio rerun {rerun_id})"


def start_rerun(user: Any, source_id: str, org: str, number: str, run: str, display_name: str) -> StudioCourseRerun:
    """Record a rerun of ``source_id`` into the new key and start its task; returns the rerun (with eager
    tasks, as in tests, already finished). Raises :class:`CourseNotFound` (no source) or
    :class:`CourseFormError` (400 invalid, 409 taken, 503 the task queue is unavailable)."""
    content_store().get_course_index(source_id)
    course_id = validate_new_key(org, number, run, display_name)  # a key a rerun is making is taken
    session = db.session()
    rerun = StudioCourseRerun(course_key=course_id, source_course_key=source_id, display_name=display_name.strip(),
                              state=IN_PROGRESS, message="", should_display=True, user_id=user.id)
    session.add(rerun)
    session.commit()
    rerun_id = rerun.id
    try:
        record = submit(RERUN_TASK, rerun_id, user_id=user.id, key=f"studio-rerun:{course_id.lower()}",
                        course_id=course_id)
    except AlreadyRunningError:
        session.delete(rerun)
        session.commit()
        raise CourseFormError({"run": _("A re-run into this course key is already being created.")},
                              status=409) from None
    except Exception:
        session.rollback()
        state = session.scalar(sa.select(StudioCourseRerun.state).where(StudioCourseRerun.id == rerun_id))
        if state is not None and state != IN_PROGRESS:
            # The task ran (eager tasks raise its own error) and recorded how it ended: that is the answer.
            current_app.logger.warning("studio: the rerun into %s ended %s", course_id, state, exc_info=True)
            session.refresh(rerun)
            return rerun
        session.execute(sa.delete(StudioCourseRerun).where(StudioCourseRerun.id == rerun_id))
        session.commit()
        current_app.logger.exception("studio: the rerun into %s could not be queued", course_id)
        raise CourseFormError({"run": _("The re-run could not be started (the task queue is unavailable); nothing "
                                        "was changed. Try again in a moment.")}, status=503) from None
    session.execute(sa.update(StudioCourseRerun).where(StudioCourseRerun.id == rerun_id)
                    .values(task_id=record.id))
    session.commit()
    session.refresh(rerun)
    return rerun


# -- reading and dismissing ---------------------------------------------------------------------------------------


def visible_to(user: Any, rerun: StudioCourseRerun) -> bool:
    """Who sees a rerun's state: the author who started it, and global staff."""
    return bool(user.is_staff or user.is_superuser or rerun.user_id == user.id)


def get_rerun(user: Any, course_id: str) -> StudioCourseRerun | None:
    """The latest rerun into ``course_id`` that ``user`` may see, or ``None``."""
    rerun = db.session().scalars(sa.select(StudioCourseRerun).where(StudioCourseRerun.course_key == course_id)
                                 .order_by(StudioCourseRerun.id.desc()).limit(1)).first()
    return rerun if rerun is not None and visible_to(user, rerun) else None


def unfinished_reruns(user: Any) -> list[StudioCourseRerun]:
    """The reruns the course list shows ``user``: being created, or failed and not dismissed (Open edX's
    ``in_process_course_actions``), oldest first."""
    query = (sa.select(StudioCourseRerun)
             .where(StudioCourseRerun.state != SUCCEEDED, StudioCourseRerun.should_display.is_(True))
             .order_by(StudioCourseRerun.id))
    if not (user.is_staff or user.is_superuser):
        query = query.where(StudioCourseRerun.user_id == user.id)
    return [checked(rerun) for rerun in db.session().scalars(query)]


def checked(rerun: StudioCourseRerun) -> StudioCourseRerun:
    """A rerun ``in_progress`` whose task ended without recording it (killed, refused): when its worker
    died after the copy was written, the rerun is finished (its author made Admin, recorded succeeded);
    otherwise it is recorded failed, and nothing of it is left."""
    if rerun.state != IN_PROGRESS or rerun.task_id is None:
        return rerun
    record = get_record(rerun.task_id)
    age = (utcnow() - rerun.created_at).total_seconds() / 60
    if (record is None and age > STUCK_MINUTES) or (record is not None and record.state in FINISHED_STATES):
        state, message = _recover(rerun)
        session = db.session()
        session.execute(sa.update(StudioCourseRerun).where(StudioCourseRerun.id == rerun.id,
                                                           StudioCourseRerun.state == IN_PROGRESS)
                        .values(state=state, updated_at=utcnow(), message=message))
        session.commit()
        session.refresh(rerun)
    return rerun


def _recover(rerun: StudioCourseRerun) -> tuple[str, str]:
    """How a rerun whose task is gone ends: succeeded when its copy was written (the author is made Admin
    now), else failed (a copy that cannot be finished is deleted)."""
    if not _copied(rerun.id, rerun.source_course_key, rerun.course_key):
        return FAILED, "The re-run stopped on the server before it finished."
    try:
        if rerun.user_id is not None:
            _make_admin(rerun.user_id, rerun.course_key)
    except Exception as error:
        current_app.logger.exception("studio: the rerun into %s could not be finished", rerun.course_key)
        try:
            content_store().delete_course(rerun.course_key)
        except CourseNotFound:
            pass
        return FAILED, f"The re-run failed: {error}"
    return SUCCEEDED, ""


def dismiss(user: Any, course_id: str) -> StudioCourseRerun:
    """Hide a finished rerun's notice from the course list (Open edX's ``course_notifications`` DELETE).
    Raises :class:`CourseFormError` (404 none, 409 still running)."""
    rerun = get_rerun(user, course_id)
    if rerun is None:
        raise CourseFormError({"course_id": _("There is no re-run into this course.")}, status=404)
    if rerun.state == IN_PROGRESS:
        raise CourseFormError({"course_id": _("This re-run is still being created.")}, status=409)
    session = db.session()
    rerun.should_display = False
    rerun.updated_at = utcnow()
    session.commit()
    return rerun


def rerun_json(rerun: StudioCourseRerun) -> dict[str, Any]:
    """A rerun as the API and the course list show it."""
    return {"course_id": rerun.course_key, "source_course_id": rerun.source_course_key,
            "display_name": rerun.display_name, "state": rerun.state, "message": rerun.message,
            "should_display": rerun.should_display, "task_id": rerun.task_id,
            "outline_url": f"/studio/course/{rerun.course_key}/" if rerun.state == SUCCEEDED else None}


# -- the task ------------------------------------------------------------------------------------------------------


def _finish(rerun_id: int, state: str, message: str = "") -> None:
    with current_app.extensions["kampus"].db.session_scope() as session:
        session.execute(sa.update(StudioCourseRerun).where(StudioCourseRerun.id == rerun_id)
                        .values(state=state, message=message, updated_at=utcnow()))


def _copied(rerun_id: int, source_id: str, course_id: str) -> bool:
    """Whether the course ``course_id`` exists and was written by this rerun (its history says so)."""
    store = content_store()
    try:
        store.get_course_index(course_id)
    except CourseNotFound:
        return False
    return any(entry.message == _copy_message(rerun_id, source_id) for entry in store.history(course_id, 1000))


def _copy(rerun_id: int, source_id: str, course_id: str, display_name: str, user_id: int | None) -> None:
    """Write the new run: the source's draft with the new root fields, as one new course."""
    store = content_store()
    try:
        store.get_course_index(course_id)
    except CourseNotFound:
        pass
    else:
        if _copied(rerun_id, source_id, course_id):
            return  # written by an earlier attempt of this task
        raise CourseExists(course_id)
    source = get_structure(source_id, DRAFT)
    blocks = source.edit()
    root = blocks[source.root]
    for name in DROPPED_FIELDS:
        root.fields.pop(name, None)
    root.fields.update({"display_name": display_name, "start": DEFAULT_START})
    store.create_course(course_id, blocks.values(), source.root, user_id=user_id,
                        message=_copy_message(rerun_id, source_id))


def _make_admin(user_id: int, course_id: str) -> None:
    with current_app.extensions["kampus"].db.session_scope() as session:
        user = session.get(User, user_id)
        if user is None:
            raise LookupError("the author of the re-run no longer exists")
        grant_role(session, user, INSTRUCTOR, course_id)
        grant_role(session, user, STAFF, course_id)


@task_name(RERUN_TASK)
def rerun_course(task: TaskContext, rerun_id: int) -> dict[str, Any]:
    """Make the rerun ``rerun_id``: copy the source's draft into the new key, make its author Admin; on
    failure delete what was written and record the message."""
    with task.kampus.db.session_scope() as session:
        rerun = session.get(StudioCourseRerun, rerun_id)
        if rerun is None:
            raise ValueError(f"no course rerun {rerun_id}")
        if rerun.state != IN_PROGRESS:
            return {"course_id": rerun.course_key, "state": rerun.state}
        source_id, course_id, name, user_id = (rerun.source_course_key, rerun.course_key, rerun.display_name,
                                               rerun.user_id)
    task.progress(0, 2, "Copying the course")
    created = False
    try:
        _copy(rerun_id, source_id, course_id, name, user_id)
        created = True
        task.progress(1, 2, "Making the author Admin of the new run")
        if user_id is not None:
            _make_admin(user_id, course_id)
    except Exception as error:
        if isinstance(error, CourseExists) and not created:
            message = "There is already a course defined with the same organization, course number and course run."
        elif isinstance(error, CourseNotFound) and not created:
            message = f"The course to re-run, {source_id}, no longer exists."
        elif isinstance(error, ContentStoreError | LookupError):
            message = f"The re-run failed: {error}"
        else:
            message = "The re-run failed on the server; nothing was created."
        if created:
            try:
                content_store().delete_course(course_id)
            except CourseNotFound:
                pass
        _finish(rerun_id, FAILED, message)
        raise
    _finish(rerun_id, SUCCEEDED)
    task.progress(2, 2, "Done")
    return {"course_id": course_id, "state": SUCCEEDED}


__all__ = ["RERUN_TASK", "dismiss", "checked", "get_rerun", "rerun_course", "rerun_json", "start_rerun",
           "unfinished_reruns", "visible_to"]
