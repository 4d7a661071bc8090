"""Background work of the search area: re-indexing a course after a publish.

``lms.search.reindex_course`` (Celery, ``acks_late`` like every Kampus task) rebuilds the course's
``course_info`` and ``courseware_content`` documents from the published version it finds when it
runs, so it is idempotent and a late run never indexes an older version. Course staff may start it
from the task API (``course.edit_content``).
"""

from __future__ import annotations

import logging
from typing import Any

from kampus.tasks.api import TaskContext, startable_with, submit, task_name
from kampus_lms.search.api import reindex_course, remove_course

log = logging.getLogger(__name__)


@task_name("lms.search.reindex_course")
@startable_with("course.edit_content")
def reindex_course_task(task: TaskContext, course_id: str | None = None) -> dict[str, Any]:
    """Rebuild the search documents of ``course_id`` (or of the course the task API checked)."""
    course = course_id or task.course_id
    task.progress(0, 1, "Indexing")
    count = reindex_course(course)
    task.progress(1, 1, "Indexed")
    return {"course_id": course, "documents": count}


def on_published(course_id: str) -> None:
    """``kampus_content_published``: re-index the course in the background."""
    submit(reindex_course_task, course_id=course_id)


def on_deleted(course_id: str) -> None:
    """``kampus_content_deleted``: the course's documents leave the index at once."""
    remove_course(course_id)


#: The tasks of the search area (``kampus_celery_tasks``).
TASKS = [reindex_course_task]
