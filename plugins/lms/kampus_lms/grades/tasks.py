"""Background work of the grades area: regrading a course's learners when its grading changed.

``grades.regrade_course`` (Celery, ``acks_late`` like every Kampus task; its record shows progress):

* it first makes sure the published version's possible points are stored (the expensive part of a new
  version: every scorable block is asked its ``max_score()``), so that pages never pay for it;
* with ``only_if_changed`` (what a publish asks) it compares the version's grading signature with the
  signatures of the versions learners' stored grades came from, and stops when none differs;
* it recomputes the grade of every enrolled learner (and of everyone with a stored grade) in batches
  of :data:`BATCH`, reading each batch's scores in one query and storing its grades in one transaction
  (:func:`~kampus_lms.grades.service.update_course_grades`). Recomputing is idempotent (unchanged grades
  write nothing), so a task that runs again after a worker died just finishes the job;
* if the course was published again meanwhile, it goes round again with the newer version.

Course staff may start it from the task API (``course.edit_content``).
"""

from __future__ import annotations

import logging
from typing import Any

import sqlalchemy as sa

from kampus import current_kampus
from kampus.identity.models import User
from kampus.tasks.api import AlreadyRunningError, TaskContext, startable_with, submit, task_name
from kampus_lms.enrollment.api import enrolled_user_ids
from kampus_lms.grades.models import PersistentCourseGrade
from kampus_lms.grades.override_admin import regrade_after_override
from kampus_lms.grades.service import GRADING_POLICY_CHANGED, NoGrades, published_grading, update_course_grades
from kampus_lms.grades.structure import GradingStructure, grading_signature, max_scores, stored_signatures

log = logging.getLogger(__name__)

#: Learners regraded per batch (one transaction, and one query of each kind, per batch).
BATCH = 200
#: At most this many rounds when the course keeps being published while the task runs.
MAX_ROUNDS = 5


def graded_versions(course_id: str) -> list[str]:
    """The course versions that stored grades of the course were computed from."""
    with current_kampus().db.session_scope() as db_session:
        return list(db_session.scalars(sa.select(PersistentCourseGrade.course_version).where(
            PersistentCourseGrade.course_id == course_id).distinct()))


def grading_changed(grading: GradingStructure) -> bool:
    """Whether learners' stored grades came from a version that grades differently than ``grading``'s."""
    versions = [v for v in graded_versions(grading.course_id) if v != grading.version]
    if not versions:
        return False
    current = grading_signature(grading, max_scores(grading))
    stored = stored_signatures(grading.course_id, versions)
    return any(stored.get(version) != current for version in versions)


def learners_to_regrade(course_id: str) -> list[int]:
    """Enrolled learners and everyone holding a stored grade in the course, by id."""
    with current_kampus().db.session_scope() as db_session:
        graded = set(db_session.scalars(sa.select(PersistentCourseGrade.user_id).where(
            PersistentCourseGrade.course_id == course_id)))
    return sorted(graded | set(enrolled_user_ids(course_id)))


def regrade(grading: GradingStructure, user_ids: list[int], task: TaskContext | None = None) -> int:
    """Recompute and store the grades of ``user_ids`` against ``grading``; returns how many were graded."""
    done = 0
    for start in range(0, len(user_ids), BATCH):
        batch = user_ids[start:start + BATCH]
        with current_kampus().db.session_scope() as db_session:
            users = list(db_session.scalars(sa.select(User).where(User.id.in_(batch)).order_by(User.id)))
        update_course_grades(users, grading, reason=GRADING_POLICY_CHANGED)
        done += len(batch)
        if task is not None:
            task.progress(done, len(user_ids), "Regrading learners")
    return done


@task_name("grades.regrade_course")
@startable_with("course.edit_content")
def regrade_course(task: TaskContext, only_if_changed: bool = False) -> dict[str, Any]:
    """Regrade the learners of ``task.course_id`` (see the module's documentation)."""
    course_id = task.course_id
    graded_version = None
    regraded = 0
    for _round in range(MAX_ROUNDS):
        try:
            grading = published_grading(course_id)
        except NoGrades:
            return {"course_id": course_id, "regraded": regraded, "reason": "not published"}
        if grading.version == graded_version:
            break
        max_scores(grading)
        if only_if_changed and not grading_changed(grading):
            return {"course_id": course_id, "regraded": regraded, "version": grading.version, "changed": False}
        regraded += regrade(grading, learners_to_regrade(course_id), task)
        graded_version = grading.version
        only_if_changed = False  # a newer publish meanwhile: regrade against it too
    return {"course_id": course_id, "regraded": regraded, "version": graded_version, "changed": True}


def on_published(course_id: str) -> None:
    """``kampus_content_published``: start the regrade check in the background (one per course at a time;
    a running one goes round again when it sees the newer version)."""
    try:
        submit(regrade_course, only_if_changed=True, key=course_id, course_id=course_id)
    except AlreadyRunningError:
        log.info("a regrade of %s is running; it will see the new version", course_id)


#: The tasks of the grades area (``kampus_celery_tasks``).
TASKS = [regrade_course, regrade_after_override]
