"""Background work of the search area: keeping a course's documents equal to its draft.

Every edit of a course (one new draft version, ``kampus_content_changed``) submits
``studio.search.reindex_course`` with the version it made. When the task runs and the draft has moved on,
it does nothing: the later edit's own task indexes the newer draft, so a burst of edits is indexed once, by
the last task. A run compares the index's copy of the course with the draft and writes the differences
(:func:`kampus_studio.search.api.reindex_course`); when the draft moved while it ran (another run, for an
older draft, may then have written after it), it runs again, so whichever run ends last leaves the index
equal to the newest draft. Each course keeps the records of its last :data:`RECORDS_KEPT` runs. Deleting a
course drops its documents at once.

Indexing never stands in the way of the edit: when the task cannot be sent (the broker is down), the edit
is kept and the failure logged; the next edit, or ``kampus reindex-studio``, brings the index up to date.
"""

from __future__ import annotations

import logging
from typing import Any

from kampus_content.api import CourseNotFound, content_store

from kampus.tasks.api import TaskContext, prune_finished, startable_with, submit, task_name
from kampus_studio.search.api import reindex_course, remove_course

log = logging.getLogger(__name__)

TASK = "studio.search.reindex_course"
#: Finished records of the task kept per course (it runs after every edit).
RECORDS_KEPT = 5
#: Times a run indexes again when the draft moved while it ran.
MAX_CATCH_UP = 3


def _draft_version(course_id: str) -> str | None:
    """The course's draft version, from its index row (the draft itself is not loaded)."""
    try:
        return content_store().get_course_index(course_id).draft_version
    except CourseNotFound:
        return None


@task_name(TASK)
@startable_with("studio.author")
def reindex_course_task(task: TaskContext, course_id: str | None = None, version: str | None = None) -> dict[str, Any]:
    """Index the draft of ``course_id`` (or of the course the task API checked), unless the draft is no longer
    ``version`` (a later task will)."""
    course = course_id or task.course_id
    if version is not None and _draft_version(course) not in (version, None):
        return {"course_id": course, "skipped": "a newer draft will be indexed by its own task"}
    task.progress(0, 1, "Indexing")
    for _run in range(1 + MAX_CATCH_UP):
        before = _draft_version(course)
        count = reindex_course(course)
        if _draft_version(course) == before:
            break
    task.progress(1, 1, "Indexed")
    return {"course_id": course, "documents": count}


def on_changed(course_id: str, version: str) -> None:
    """``kampus_content_changed``: index the new draft in the background."""
    try:
        submit(reindex_course_task, course_id=course_id, version=version)
        prune_finished(TASK, keep=RECORDS_KEPT, course_id=course_id)
    except Exception:
        log.exception("Studio search: could not send the indexing of %s at %s; the next edit will", course_id,
                      version)


def on_deleted(course_id: str) -> None:
    """``kampus_content_deleted``: the course's documents leave the index at once."""
    remove_course(course_id)


TASKS = [reindex_course_task]
