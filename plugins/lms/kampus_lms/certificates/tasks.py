"""Background work of the certificates area: certificates after a change of the course's configuration.

Learners are given certificates when their grade changes (the grades area calls ``update_certificate``);
a learner who passed before the course's certificate configuration was made active would get nothing
until ``kampus certificates generate`` ran. So, when a course is published:

* :func:`on_published` reads the signature of the published version's active configuration
  (:func:`~kampus_lms.certificates.config.config_signature`, "" when none is active) and compares it with
  the one the course was last published with (``lms_certificate_config_state``). When it differs and a
  configuration is active, it starts ``lms.certificates.update_course``; the new signature is stored
  either way (one read, and one write only on a change);
* ``lms.certificates.update_course`` (Celery, ``acks_late`` like every Kampus task; its record shows
  progress) runs ``update_certificate`` for every learner with a stored course grade, and for every
  allowlisted learner, in batches of :data:`BATCH` (the grades of a batch read in one query). Updating
  is idempotent (an unchanged certificate writes nothing), so a task that runs again after a worker
  died just finishes the job. Course staff may start it from the task API (``course.edit_content``).
"""

from __future__ import annotations

import logging
from typing import Any

import sqlalchemy as sa
from kampus_content.api import ContentStoreError, get_structure
from sqlalchemy.exc import IntegrityError

from kampus import current_kampus
from kampus.tasks.api import AlreadyRunningError, TaskContext, startable_with, submit, task_name
from kampus_lms.certificates.config import certificate_config, config_signature
from kampus_lms.certificates.generation import update_certificate
from kampus_lms.certificates.models import CertificateAllowlist, CertificateConfigState
from kampus_lms.grades.api import stored_course_grades

log = logging.getLogger(__name__)

#: Learners updated per batch (their stored grades read in one query).
BATCH = 200
#: The grade of an allowlisted learner who has none stored yet (the allowlist gives the certificate).
NO_GRADE = {"percent": 0.0, "letter_grade": None, "passed": False}


def stored_signature(course_id: str) -> str | None:
    """The configuration signature the course was last published with (``None``: never seen)."""
    with current_kampus().db.session_scope() as db_session:
        return db_session.scalar(sa.select(CertificateConfigState.signature).where(
            CertificateConfigState.course_id == course_id))


def remember_signature(course_id: str, signature: str, version: str) -> bool:
    """Store the course's configuration signature; returns whether it differs from the stored one
    (a course seen for the first time counts as changed when it has an active configuration)."""
    for attempt in (1, 2):
        try:
            with current_kampus().db.session_scope() as db_session:
                row = db_session.get(CertificateConfigState, course_id, with_for_update=True)
                if row is None:
                    db_session.add(CertificateConfigState(course_id=course_id, signature=signature, version=version))
                    return signature != ""
                changed = row.signature != signature
                if changed or row.version != version:
                    row.signature, row.version = signature, version
                return changed
        except IntegrityError:  # another process stored the course's first row meanwhile: read it again
            if attempt == 2:
                raise
    return False  # pragma: no cover - the loop returns or raises


def learners_to_update(course_id: str) -> list[int]:
    """Everyone with a stored course grade in the course, and every allowlisted learner, by id."""
    with current_kampus().db.session_scope() as db_session:
        allowlisted = set(db_session.scalars(sa.select(CertificateAllowlist.user_id).where(
            CertificateAllowlist.course_id == course_id, CertificateAllowlist.allowlist.is_(True))))
    graded = {row["user_id"] for row in stored_course_grades(course_id)}
    return sorted(graded | allowlisted)


def update_learners(course_id: str, user_ids: list[int], task: TaskContext | None = None) -> dict[str, int]:
    """Run ``update_certificate`` for ``user_ids`` from their stored grades, in batches; returns how many
    learners ended in each status ("none": no certificate, e.g. not enrolled any more)."""
    counts: dict[str, int] = {}
    done = 0
    for start in range(0, len(user_ids), BATCH):
        batch = user_ids[start:start + BATCH]
        grades = {row["user_id"]: row for row in stored_course_grades(course_id, batch)}
        for user_id in batch:
            info = update_certificate(user_id, course_id, grades.get(user_id, NO_GRADE), generation_mode="batch")
            status = info.stored_status if info is not None else "none"
            counts[status] = counts.get(status, 0) + 1
            done += 1
        if task is not None:
            task.progress(done, len(user_ids), "Updating certificates")
    return counts


@task_name("lms.certificates.update_course")
@startable_with("course.edit_content")
def update_course_certificates(task: TaskContext, course_id: str | None = None) -> dict[str, Any]:
    """Create or refresh the certificates of ``course_id``'s graded and allowlisted learners (see the
    module's documentation)."""
    course = course_id or task.course_id
    if certificate_config(course) is None:
        return {"course_id": course, "updated": 0, "reason": "no active certificate configuration"}
    user_ids = learners_to_update(course)
    task.progress(0, len(user_ids), "Updating certificates")
    counts = update_learners(course, user_ids, task)
    return {"course_id": course, "updated": len(user_ids), "statuses": counts}


def on_published(course_id: str) -> None:
    """``kampus_content_published``: when the course's active certificate configuration appeared or changed,
    update its learners' certificates in the background (one task per course at a time). Never fails the
    publish, which has committed already: a failure is logged (``kampus certificates generate`` catches up)."""
    try:
        structure = get_structure(course_id)
    except ContentStoreError:
        return
    try:
        if not remember_signature(course_id, config_signature(structure), structure.version):
            return
        if certificate_config(course_id) is None:
            return
        submit(update_course_certificates, key=course_id, course_id=course_id)
    except AlreadyRunningError:
        log.info("certificates of %s are being updated; the running task reads the new configuration", course_id)
    except Exception:
        log.exception("could not start the certificate update of %s", course_id)


#: The tasks of the certificates area (``kampus_celery_tasks``).
TASKS = [update_course_certificates]
