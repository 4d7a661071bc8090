"""Background work of the search area: keeping a course's documents equal to its draft.

Every edit of a course (one new draft version, ``kampus_content_changed``) submits
``studio.search.reindex_course`` with the version it made. When the task runs and the draft has moved on,
it does nothing: the later edit's own task indexes the newer draft, so a burst of edits is indexed once, by
the last task, and no edit is ever left out. Each course keeps the records of its last
:data:`RECORDS_KEPT` runs. Deleting a course drops its documents at once.
"""

from __future__ import annotations

from typing import Any

from kampus_content.api import DRAFT, CourseNotFound, VersionNotFound, get_structure

from kampus.tasks.api import TaskContext, prune_finished, startable_with, submit, task_name
from kampus_studio.search.api import indexed_state, reindex_course, remove_course

TASK = "studio.search.reindex_course"
#: Finished records of the task kept per course (it runs after every edit).
RECORDS_KEPT = 5
#: Times a run indexes again when the draft moved on while it ran.
MAX_CATCH_UP = 3


def _draft_version(course_id: str) -> str | None:
    try:
        return get_structure(course_id, DRAFT).version
    except (CourseNotFound, VersionNotFound):
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
    count = reindex_course(course)
    for _again in range(MAX_CATCH_UP):
        # Another task may have written an older draft's documents after this one started: whoever finishes
        # last leaves the index at the newest draft.
        state = indexed_state(course)
        if state is None or state.get("version") == _draft_version(course):
            break
        count = reindex_course(course)
    task.progress(1, 1, "Indexed")
    return {"course_id": course, "documents": count}


def on_changed(course_id: str, version: str) -> None:
    """``kampus_content_changed``: index the new draft in the background."""
    submit(reindex_course_task, course_id=course_id, version=version)
    prune_finished(TASK, keep=RECORDS_KEPT, course_id=course_id)


def on_deleted(course_id: str) -> None:
    """``kampus_content_deleted``: the course's documents leave the index at once."""
    remove_course(course_id)


TASKS = [reindex_course_task]
