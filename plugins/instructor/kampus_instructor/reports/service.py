"""Running a report into the blob store, and listing and opening a course's report files."""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import IO, Any

import sqlalchemy as sa
from kampus_lms.api import NoGrades
from opaque_keys import InvalidKeyError
from opaque_keys.edx.keys import CourseKey

from kampus.current import current_kampus
from kampus.tasks.api import TaskContext, get_record
from kampus_instructor.reports import generators
from kampus_instructor.reports.csv_stream import CsvBlobWriter
from kampus_instructor.reports.models import ReportFile

#: Where report files live in the blob store: ``<prefix>/<course>/<task id>/<name>``.
BLOB_PREFIX = "instructor/reports"
#: Learners per batch (the setting ``instructor_report_batch_size``'s default).
DEFAULT_BATCH_SIZE = 500


@dataclass(frozen=True)
class ReportType:
    """A kind of report: its slug, task name, file name part, title, and row generator."""

    slug: str
    task: str
    file_part: str
    title: str
    generate: Callable[[generators.ReportRun, CsvBlobWriter], None]


REPORT_TYPES: dict[str, ReportType] = {t.slug: t for t in (
    ReportType("profiles", "instructor.reports.profiles", "student_profile_info", "Enrolled learners' profiles",
               generators.profiles_report),
    ReportType("grade_report", "instructor.reports.grade_report", "grade_report", "Grade report",
               generators.grade_report),
    ReportType("problem_grade_report", "instructor.reports.problem_grade_report", "problem_grade_report",
               "Problem grade report", generators.problem_grade_report),
    ReportType("problem_responses", "instructor.reports.problem_responses", "student_state_from_blocks",
               "Problem responses", generators.problem_responses_report),
    ReportType("answer_distribution", "instructor.reports.answer_distribution", "answer_distribution",
               "Answer distribution", generators.answer_distribution_report),
)}


class ReportError(ValueError):
    """A report cannot be made (a message for people)."""


def course_file_prefix(course_id: str) -> str:
    """``Org_Course_Run`` of a course, safe in a file name (Open edX's report file prefix)."""
    try:
        key = CourseKey.from_string(course_id)
        text = f"{key.org}_{key.course}_{key.run}"
    except InvalidKeyError:
        text = course_id
    return re.sub(r"[^A-Za-z0-9._-]+", "_", text)


def blob_key(course_id: str, task_id: str, name: str) -> str:
    """The blob key of a report file."""
    return f"{BLOB_PREFIX}/{re.sub(r'[^A-Za-z0-9._+-]+', '_', course_id)}/{task_id}/{name}"


def run_report(task: TaskContext, slug: str, options: dict[str, Any]) -> dict[str, Any]:
    """Write the report ``slug`` of ``task.course_id`` to the blob store and list it; idempotent: a run
    again (after a worker died) rewrites the same blob and the same listing row."""
    report = REPORT_TYPES[slug]
    kampus = current_kampus()
    record = get_record(task.record_id)
    stamp = (record.created_at if record is not None else None)
    name = f"{course_file_prefix(task.course_id)}_{report.file_part}_{stamp:%Y-%m-%d-%H%M}.csv" if stamp \
        else f"{course_file_prefix(task.course_id)}_{report.file_part}.csv"
    batch_size = int(kampus.settings.instructor_report_batch_size)
    run = generators.ReportRun(kampus.app, task.course_id, max(1, batch_size), task.progress, options,
                               message=f"{report.title}: learners")
    writer = CsvBlobWriter()
    try:
        report.generate(run, writer)
    except NoGrades:
        writer.close()
        raise ReportError("The course is not published: it has no grades to report.") from None
    except BaseException:
        writer.close()
        raise
    key = blob_key(task.course_id, task.record_id, name)
    info = writer.save(kampus.blob_store, key)
    with kampus.db.session_scope() as db_session:
        row = db_session.scalar(sa.select(ReportFile).where(ReportFile.task_id == task.record_id))
        if row is None:
            row = ReportFile(task_id=task.record_id, course_id=task.course_id, created_by=task.user_id)
            db_session.add(row)
        row.report_type, row.name, row.blob_key = slug, name, key
        row.size, row.rows = info.size, writer.rows
    return {"report_type": slug, "name": name, "rows": writer.rows, "size": info.size}


def list_reports(course_id: str) -> list[ReportFile]:
    """The course's report files, newest first."""
    with current_kampus().db.session_scope() as db_session:
        rows = list(db_session.scalars(sa.select(ReportFile).where(ReportFile.course_id == course_id)
                                       .order_by(ReportFile.created_at.desc(), ReportFile.id.desc())))
        db_session.expunge_all()
    return rows


def report_file(course_id: str, report_id: int) -> ReportFile | None:
    """The report ``report_id`` of the course (``None`` when it is not one of the course's)."""
    with current_kampus().db.session_scope() as db_session:
        row = db_session.get(ReportFile, report_id)
        if row is None or row.course_id != course_id:
            return None
        db_session.expunge(row)
    return row


def open_report(row: ReportFile) -> IO[bytes]:
    """The report's bytes, as a stream from the blob store (``KeyError`` when the blob is gone)."""
    return current_kampus().blob_store.open(row.blob_key)  # type: ignore[no-any-return]


def files_of_tasks(task_ids: list[str]) -> dict[str, list[ReportFile]]:
    """The report files written by the tasks ``task_ids``, by task id (one query)."""
    found: dict[str, list[ReportFile]] = {}
    if not task_ids:
        return found
    with current_kampus().db.session_scope() as db_session:
        for row in db_session.scalars(sa.select(ReportFile).where(ReportFile.task_id.in_(sorted(set(task_ids))))):
            found.setdefault(row.task_id, []).append(row)
        db_session.expunge_all()
    return found
