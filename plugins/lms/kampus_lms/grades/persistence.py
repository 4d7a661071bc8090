"""Keeping the persistent grade rows equal to the computed grades: idempotent, race-safe upserts.

:func:`sync_grade` writes a learner's course row and their attempted subsections' rows in one
transaction, and only what differs: the same grade again writes nothing. Each row is unique per
learner (and subsection); a row a concurrent writer inserted first is updated instead (the insert
runs in a savepoint). A writer that graded older scores than the row already holds (its latest score
change is earlier) leaves the row alone, so a slow recompute never undoes a newer one.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from datetime import datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from kampus.db import utcnow
from kampus_lms.grades.compute import visible_blocks_hash
from kampus_lms.grades.data import CourseGrade, SubsectionGrade
from kampus_lms.grades.models import PersistentCourseGrade, PersistentSubsectionGrade

#: Float comparisons of stored points: the databases keep doubles, but be tolerant of round trips.
EPSILON = 1e-9


@dataclass(frozen=True)
class GradeInputs:
    """What a course grade was computed from, stored with it to tell when it is stale."""

    course_version: str
    policy_hash: str
    visibility: str
    scores_count: int
    scores_modified: datetime | None


@dataclass(frozen=True)
class SyncResult:
    """What :func:`sync_grade` wrote: whether the course row changed, the subsections written."""

    course_changed: bool
    subsections_written: tuple[SubsectionGrade, ...]
    skipped_as_older: bool = False
    passed_timestamp: datetime | None = None
    #: :func:`sync_grades` only: the row was written after the batch read its inputs; nothing written
    changed_meanwhile: bool = False


def _subsection_values(grade: SubsectionGrade, version: str) -> dict[str, Any]:
    return {"course_version": version, "earned_all": grade.all_total.earned, "possible_all": grade.all_total.possible,
            "earned_graded": grade.graded_total.earned, "possible_graded": grade.graded_total.possible,
            "first_attempted": grade.all_total.first_attempted, "visible_blocks_hash": visible_blocks_hash(grade)}


def subsections_digest(grade: CourseGrade) -> str:
    """A hash of the stored values of the grade's attempted subsections (kept in the course row, so a
    course row that matches proves its subsection rows match without reading them)."""
    parts = []
    for sub in grade.subsections:
        if sub.attempted:
            values = _subsection_values(sub, grade.course_version)
            parts.append(f"{sub.usage_id}|{values['earned_all']!r}|{values['possible_all']!r}|"
                         f"{values['earned_graded']!r}|{values['possible_graded']!r}|"
                         f"{values['first_attempted'].isoformat() if values['first_attempted'] else ''}|"
                         f"{values['visible_blocks_hash']}")
    return hashlib.sha1("\n".join(parts).encode("utf-8")).hexdigest()


def _course_values(grade: CourseGrade, inputs: GradeInputs) -> dict[str, Any]:
    summary = {"grade_breakdown": grade.grade_breakdown, "section_breakdown": grade.section_breakdown,
               "subsections_digest": subsections_digest(grade)}
    return {"course_version": inputs.course_version, "grading_policy_hash": inputs.policy_hash,
            "percent_grade": grade.percent, "letter_grade": grade.letter_grade or "", "passed": grade.passed,
            "visibility": inputs.visibility, "scores_count": inputs.scores_count,
            "scores_modified": inputs.scores_modified, "summary": json.dumps(summary, sort_keys=True, default=str)}


def _same(row: Any, values: dict[str, Any]) -> bool:
    for name, value in values.items():
        stored = getattr(row, name)
        if isinstance(value, float) and isinstance(stored, (float, int)):
            if abs(float(stored) - value) > EPSILON:
                return False
        elif stored != value:
            return False
    return True


#: The statements of :func:`course_row`, built once (the progress page reads the row on every view).
_COURSE_ROW = sa.select(PersistentCourseGrade).where(PersistentCourseGrade.user_id == sa.bindparam("user_id"),
                                                     PersistentCourseGrade.course_id == sa.bindparam("course_id"))
_LOCKED_COURSE_ROW = _COURSE_ROW.with_for_update()


def course_row(db_session: Session, user_id: int, course_id: str, *,
               lock: bool = False) -> PersistentCourseGrade | None:
    """The learner's stored course grade row, or ``None``."""
    return db_session.scalar(_LOCKED_COURSE_ROW if lock else _COURSE_ROW,
                             {"user_id": user_id, "course_id": course_id})


def is_current(row: PersistentCourseGrade | None, grade: CourseGrade, inputs: GradeInputs) -> bool:
    """Whether the stored course row already holds exactly this grade, from these inputs."""
    return row is not None and _same(row, _course_values(grade, inputs))


def _insert_or_get(db_session: Session, model: type, unique: dict[str, Any],
                   values: dict[str, Any]) -> tuple[Any, bool]:
    """(row, inserted): insert the row in a savepoint; when a concurrent writer was first, lock and return theirs."""
    now = utcnow()
    try:
        with db_session.begin_nested():
            row = model(**unique, **values, created=now, modified=now)
            db_session.add(row)
        return row, True
    except IntegrityError:
        query = sa.select(model).filter_by(**unique).with_for_update()
        existing = db_session.scalar(query)
        if existing is None:
            raise
        return existing, False


def sync_grade(db_session: Session, grade: CourseGrade, inputs: GradeInputs) -> SyncResult:
    """Make the stored rows equal ``grade`` inside ``db_session`` (the caller commits)."""
    user_id, course_id = grade.user_id, grade.course_id
    values = _course_values(grade, inputs)
    row = course_row(db_session, user_id, course_id, lock=True)
    kept = _kept_as_is(row, values, inputs)
    if kept is not None:
        return kept
    now = utcnow()
    if row is None:
        row, inserted = _insert_or_get(db_session, PersistentCourseGrade,
                                       {"user_id": user_id, "course_id": course_id},
                                       {**values, "passed_timestamp": now if grade.passed else None})
        if inserted:
            written = _sync_subsections(db_session, grade)
            return SyncResult(True, written, passed_timestamp=row.passed_timestamp)
    _update_course_row(row, grade, values, now)
    db_session.flush()
    return SyncResult(True, _sync_subsections(db_session, grade), passed_timestamp=row.passed_timestamp)


def _kept_as_is(row: PersistentCourseGrade | None, values: dict[str, Any], inputs: GradeInputs) -> SyncResult | None:
    """The result when the stored course row must stay as it is (it holds this grade already, or it was computed
    from newer scores: a slow recompute never undoes a newer one); ``None`` when it is to be written."""
    if row is None:
        return None
    if _same(row, values):
        return SyncResult(False, (), passed_timestamp=row.passed_timestamp)
    if (row.scores_modified is not None and inputs.scores_modified is not None
            and row.scores_modified > inputs.scores_modified):
        return SyncResult(False, (), skipped_as_older=True, passed_timestamp=row.passed_timestamp)
    return None


def _update_course_row(row: PersistentCourseGrade, grade: CourseGrade, values: dict[str, Any], now: datetime) -> None:
    _assign(row, values, now)
    if grade.passed and row.passed_timestamp is None:
        row.passed_timestamp = now  # Open edX keeps the first passing time, never clears it


def _subsection_changes(grade: CourseGrade, existing: dict[str, PersistentSubsectionGrade], now: datetime,
                        ) -> tuple[list[tuple[SubsectionGrade, dict[str, Any]]], set[str], list[str]]:
    """The grade's attempted subsections against their stored rows ``existing`` (by usage id): rows that differ
    are updated in place. Returns the subsections with no row yet (with their values), the usage ids updated,
    and the stored rows' usage ids no longer attempted."""
    missing: list[tuple[SubsectionGrade, dict[str, Any]]] = []
    updated: set[str] = set()
    attempted: set[str] = set()
    for sub in grade.subsections:
        if not sub.attempted:
            continue
        attempted.add(sub.usage_id)
        values = _subsection_values(sub, grade.course_version)
        row = existing.get(sub.usage_id)
        if row is None:
            missing.append((sub, values))
        elif not _same(row, values):
            _assign(row, values, now)
            updated.add(sub.usage_id)
    return missing, updated, [key for key in existing if key not in attempted]


_COURSE_TABLE = PersistentCourseGrade.__table__
_SUBSECTION_TABLE = PersistentSubsectionGrade.__table__


class BatchConflict(Exception):
    """A concurrent writer inserted a row of :func:`sync_grades`'s batch first (its transaction must be rolled
    back; the caller grades those learners one at a time with :func:`sync_grade`, which merges with theirs)."""


def _subsection_row_values(grade: CourseGrade, sub: SubsectionGrade, values: dict[str, Any],
                           now: datetime) -> dict[str, Any]:
    return {"user_id": grade.user_id, "course_id": grade.course_id, "usage_key": sub.usage_id, **values,
            "created": now, "modified": now}


def sync_grades(db_session: Session, computed: list[tuple[CourseGrade, GradeInputs]], *,
                inputs_read_at: datetime | None = None) -> list[SyncResult]:
    """:func:`sync_grade` for several learners of one course at once (a background regrade's batch), with
    its rules (only what differs is written, an older computation never overwrites a newer row, the first
    passing time is kept): the stored rows are read in three queries, new rows are inserted with one statement
    per table and changed ones updated in one flush. Returns one result per item, in order. The caller commits.

    Only rows that exist are locked, by primary key: a locking read of missing rows would take InnoDB gap
    locks over the whole batch, on which a learner's own grade write (a page, an answer) would deadlock. A
    row another writer inserts meanwhile makes the batch's INSERT fail: :class:`BatchConflict` is raised (roll
    back and use :func:`sync_grade` for each). A course row written after ``inputs_read_at`` (when the batch
    began reading scores, overrides and groups: e.g. a grade override's own regrade) is left alone and its
    result says ``changed_meanwhile``: the caller grades that learner again, alone."""
    if not computed:
        return []
    course_id = computed[0][0].course_id
    if any(grade.course_id != course_id for grade, _inputs in computed):
        raise ValueError("sync_grades: grades of one course only")
    user_ids = sorted({grade.user_id for grade, _inputs in computed})
    existing_ids = list(db_session.scalars(sa.select(PersistentCourseGrade.id).where(
        PersistentCourseGrade.course_id == course_id, PersistentCourseGrade.user_id.in_(user_ids))))
    course_rows = {row.user_id: row for row in db_session.scalars(
        sa.select(PersistentCourseGrade).where(PersistentCourseGrade.id.in_(existing_ids))
        .with_for_update().execution_options(populate_existing=True))} if existing_ids else {}
    stored_subsections: dict[int, dict[str, PersistentSubsectionGrade]] = {user_id: {} for user_id in user_ids}
    for sub_row in db_session.scalars(sa.select(PersistentSubsectionGrade).where(
            PersistentSubsectionGrade.course_id == course_id, PersistentSubsectionGrade.user_id.in_(user_ids))):
        stored_subsections[sub_row.user_id][sub_row.usage_key] = sub_row
    now = utcnow()
    new_courses: list[dict[str, Any]] = []
    new_subsections: list[dict[str, Any]] = []
    gone: dict[int, list[str]] = {}
    results: list[SyncResult] = []
    for grade, inputs in computed:
        values = _course_values(grade, inputs)
        row = course_rows.get(grade.user_id)
        if row is not None and inputs_read_at is not None and row.modified > inputs_read_at:
            results.append(SyncResult(False, (), passed_timestamp=row.passed_timestamp, changed_meanwhile=True))
            continue
        kept = _kept_as_is(row, values, inputs)
        if kept is not None:
            results.append(kept)
            continue
        if row is None:
            passed_timestamp = now if grade.passed else None
            new_courses.append({"user_id": grade.user_id, "course_id": course_id, **values,
                                "passed_timestamp": passed_timestamp, "created": now, "modified": now})
        else:
            _update_course_row(row, grade, values, now)
            passed_timestamp = row.passed_timestamp
        missing, written, dropped = _subsection_changes(grade, stored_subsections[grade.user_id], now)
        new_subsections.extend(_subsection_row_values(grade, sub, sub_values, now) for sub, sub_values in missing)
        written.update(sub.usage_id for sub, _values in missing)
        if dropped:
            gone[grade.user_id] = dropped
        results.append(SyncResult(True, tuple(sub for sub in grade.subsections if sub.usage_id in written),
                                  passed_timestamp=passed_timestamp))
    db_session.flush()  # the updates
    if new_courses or new_subsections:
        try:
            with db_session.begin_nested():
                # the tables' own INSERTs, executemany on the session's connection (no ORM bookkeeping)
                connection = db_session.connection()
                if new_courses:
                    connection.execute(_COURSE_TABLE.insert(), new_courses)
                if new_subsections:
                    connection.execute(_SUBSECTION_TABLE.insert(), new_subsections)
        except IntegrityError as error:
            raise BatchConflict(str(error)) from error
    for user_id, keys in gone.items():
        db_session.execute(sa.delete(PersistentSubsectionGrade).where(
            PersistentSubsectionGrade.user_id == user_id, PersistentSubsectionGrade.course_id == course_id,
            PersistentSubsectionGrade.usage_key.in_(keys)))
    return results


def _sync_subsections(db_session: Session, grade: CourseGrade) -> tuple[SubsectionGrade, ...]:
    """Write the attempted subsections' rows that differ; drop rows of subsections no longer attempted."""
    existing = {row.usage_key: row for row in db_session.scalars(
        sa.select(PersistentSubsectionGrade).where(PersistentSubsectionGrade.user_id == grade.user_id,
                                                   PersistentSubsectionGrade.course_id == grade.course_id))}
    missing, written, gone = _subsection_changes(grade, existing, utcnow())
    if missing:
        written.update(sub.usage_id for sub in _insert_subsections(db_session, grade, missing))
    if gone:
        db_session.execute(sa.delete(PersistentSubsectionGrade).where(
            PersistentSubsectionGrade.user_id == grade.user_id, PersistentSubsectionGrade.course_id == grade.course_id,
            PersistentSubsectionGrade.usage_key.in_(gone)))
    db_session.flush()
    return tuple(sub for sub in grade.subsections if sub.usage_id in written)  # in the course's order


def _assign(row: Any, values: dict[str, Any], now: datetime) -> None:
    """Set a stored row's values, and its ``modified`` time."""
    for name, value in values.items():
        setattr(row, name, value)
    row.modified = now


def _insert_subsections(db_session: Session, grade: CourseGrade,
                        missing: list[tuple[SubsectionGrade, dict[str, Any]]]) -> list[SubsectionGrade]:
    """Store the rows of ``missing`` subsections, inserted in one savepoint (a first grade writes a row for
    each attempted subsection, and a savepoint each was half of a course regrade's time); when a concurrent
    writer was first for one of them, again one at a time, updating theirs. Returns the subsections written."""
    now = utcnow()
    try:
        with db_session.begin_nested():
            db_session.add_all([PersistentSubsectionGrade(**_subsection_row_values(grade, sub, values, now))
                                for sub, values in missing])
        return [sub for sub, _values in missing]
    except IntegrityError:
        pass
    for sub, values in missing:
        row, inserted = _insert_or_get(db_session, PersistentSubsectionGrade,
                                       {"user_id": grade.user_id, "course_id": grade.course_id,
                                        "usage_key": sub.usage_id}, values)
        if not inserted and not _same(row, values):
            _assign(row, values, now)
    return [sub for sub, _values in missing]


def stored_course_grades(db_session: Session, course_id: str,
                         user_ids: list[int] | None = None) -> list[PersistentCourseGrade]:
    """The stored course grade rows of a course (of ``user_ids`` when given), in one query."""
    query = sa.select(PersistentCourseGrade).where(PersistentCourseGrade.course_id == course_id)
    if user_ids is not None:
        query = query.where(PersistentCourseGrade.user_id.in_(sorted(set(user_ids))))
    return list(db_session.scalars(query.order_by(PersistentCourseGrade.user_id)))


def learner_course_grades(db_session: Session, user_id: int,
                          course_ids: list[str]) -> list[PersistentCourseGrade]:
    """One learner's stored course grade rows in the courses ``course_ids``, in one query."""
    wanted = sorted(set(course_ids))
    if not wanted:
        return []
    return list(db_session.scalars(sa.select(PersistentCourseGrade).where(
        PersistentCourseGrade.user_id == user_id, PersistentCourseGrade.course_id.in_(wanted))))
