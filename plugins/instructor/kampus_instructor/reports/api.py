"""The reports area's API (for the other areas of the dashboard): start a report, list a course's files.

* :func:`start_report`: submit the background task of a report type (``REPORT_TYPES``) for a course;
  raises ``AlreadyRunningError`` when the same report (same options) is running;
* :func:`list_reports` / :func:`report_file` / :func:`open_report`: the course's report files.
"""

from __future__ import annotations

import hashlib
import json
from typing import Any

from kampus.tasks.api import TaskRecord, submit
from kampus_instructor.reports.csv_stream import safe_cell, unsafe_cell
from kampus_instructor.reports.models import ReportFile
from kampus_instructor.reports.service import (
    REPORT_TYPES,
    ReportError,
    ReportType,
    list_reports,
    open_report,
    report_file,
)
from kampus_instructor.reports.service import files_of_tasks as _files_of_tasks
from kampus_instructor.reports.tasks import REPORTS_PERMISSION


def files_of_tasks(task_ids: list[str]) -> dict[str, list[ReportFile]]:
    """The report files written by the tasks ``task_ids``, by task id (one query)."""
    return _files_of_tasks(task_ids)


def start_report(slug: str, course_id: str, user_id: int | None, **options: Any) -> TaskRecord:
    """Submit the report ``slug`` of ``course_id`` for ``user_id``; the record of its task."""
    report = REPORT_TYPES[slug]
    digest = hashlib.sha1(json.dumps(options, sort_keys=True).encode()).hexdigest()[:12]
    return submit(report.task, user_id=user_id, key=f"{slug}:{course_id}:{digest}", course_id=course_id,
                  **{name: value for name, value in options.items() if value is not None})


__all__ = ["REPORTS_PERMISSION", "REPORT_TYPES", "ReportError", "ReportFile", "ReportType", "files_of_tasks",
           "list_reports", "open_report", "report_file", "safe_cell", "start_report", "unsafe_cell"]
