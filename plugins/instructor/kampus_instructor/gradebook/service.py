"""What the gradebook section does, for its page and REST endpoints (one code path with the LMS's
gradebook API: overrides are written by :func:`kampus_lms.api.apply_overrides`).

* :func:`gradebook_page`: a keyset page of the course's learners (filters: user name or e-mail, enrollment
  mode, cohort, and the gradebook API's grade ranges: course grade, one assignment's grade, in percent) with
  their graded subsection grades, computed at once from two queries;
* :func:`bulk_override`: override one subsection's grade of several learners with a reason;
  :func:`remove_override`: delete one learner's override of a subsection (the audit trail keeps it);
* :func:`export_rows` / :func:`import_csv`: Open edX's bulk grades CSV (``bulk_grades``): per graded
  subsection ``name-<id>``, ``grade-<id>`` (points as computed, overrides applied), ``previous_override-<id>``
  and ``new_override-<id>``; an import writes every ``new_override-<id>`` given, all or none, with its row's
  ``reason``. The export reads learners in batches (memory flat as the course grows).
"""

from __future__ import annotations

import csv
import io
import math
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

from flask_babel import gettext as _
from kampus_lms.api import (
    NoGrades,
    OverrideError,
    apply_overrides,
    assignment_grade_between,
    clean_request,
    cohort_member_ids_query,
    cohort_names_of,
    count_enrolled_matching,
    course_grade_between,
    course_grades_of,
    course_modes,
    enrolled_learners_page,
    graded_subsections,
    list_cohorts,
    override_history,
    overrides_of,
    validate_overrides,
)
from kampus_lms.api import remove_override as remove_lms_override
from opaque_keys.edx.keys import UsageKey

from kampus_instructor.reports.api import safe_cell, unsafe_cell

PAGE_SIZE = 25
EXPORT_BATCH = 200
#: The largest CSV import accepted (bytes).
MAX_IMPORT_BYTES = 2 * 1024 * 1024
MAX_IMPORT_ROWS = 10000
ID_COLUMNS = ("user_id", "username", "email", "course_id", "track", "cohort")


class GradebookError(ValueError):
    """A gradebook action that cannot be done; ``errors`` lists per-row messages for imports."""

    def __init__(self, message: str, errors: list[dict[str, Any]] | None = None, status: int = 400):
        super().__init__(message)
        self.message = message
        self.errors = errors or []
        self.status = status


@dataclass
class GradebookPage:
    """One page of the gradebook."""

    subsections: list[dict[str, Any]]
    rows: list[dict[str, Any]]
    total: int
    filtered: int
    next_after: int | None
    previous_before: int | None
    modes: list[str] = field(default_factory=list)
    cohorts: list[Any] = field(default_factory=list)


def graded(course_id: str) -> list[dict[str, Any]]:
    """The course's graded subsections, in order (each with ``short_id``, its block id)."""
    try:
        subs = graded_subsections(course_id)
    except NoGrades:
        raise GradebookError(_("The course is not published."), status=404) from None
    return [{**sub, "short_id": UsageKey.from_string(sub["usage_id"]).block_id} for sub in subs if sub["graded"]]


def _cohort_user_ids(course_id: str, cohort_id: int | None) -> Any:
    """The filter of a cohort's members: a query of their ids (``None``: no cohort chosen)."""
    if cohort_id is None:
        return None
    return cohort_member_ids_query(course_id, cohort_id)


def _cohorts(course_id: str) -> list[Any]:
    try:
        return list_cohorts(course_id)
    except Exception:  # a course without cohorts (or the cohorts area unavailable) filters by none
        return []


def _rows(course_id: str, learners: list[Any], subsections: list[dict[str, Any]]) -> list[dict[str, Any]]:
    users = [learner.user for learner in learners]
    grades = course_grades_of(course_id, users) if users else {}
    overrides = overrides_of(course_id, [int(u.id) for u in users]) if users else {}
    rows = []
    for learner in learners:
        grade = grades[int(learner.user.id)]
        by_id = {sub.usage_id: sub for sub in grade.subsections}
        cells = []
        for sub in subsections:
            computed = by_id.get(sub["usage_id"])
            override = overrides[int(learner.user.id)].get(sub["usage_id"])
            cells.append({
                "usage_id": sub["usage_id"],
                "earned": computed.graded_total.earned if computed else 0.0,
                "possible": computed.graded_total.possible if computed else 0.0,
                "attempted": bool(computed and computed.attempted),
                "overridden": override is not None,
                "override": override.earned_graded_override if override else None,
            })
        rows.append({"user_id": int(learner.user.id), "username": learner.user.username,
                     "email": learner.user.email, "full_name": learner.user.name or "", "mode": learner.mode,
                     "percent": grade.percent, "letter_grade": grade.letter_grade, "cells": cells})
    return rows


@dataclass(frozen=True)
class GradeRanges:
    """The gradebook API's grade filters, percentages 0..100 (``None``: no bound): the course grade
    (``course_grade_min``/``course_grade_max``) and one assignment's (``assignment`` with
    ``assignment_grade_min``/``assignment_grade_max``; without a bound it filters nothing, as Open edX)."""

    course_min: float | None = None
    course_max: float | None = None
    assignment: str | None = None
    assignment_min: float | None = None
    assignment_max: float | None = None


def percent_bound(value: Any, name: str) -> float | None:
    """A percentage bound of a filter (``None`` when empty); :class:`GradebookError` when it is not a finite
    number."""
    if value is None or str(value).strip() == "":
        return None
    try:
        number = float(str(value).strip())
    except ValueError:
        number = math.nan
    if not math.isfinite(number):
        raise GradebookError(_("%(name)s must be a number (a percentage), not '%(value)s'.", name=name,
                                value=value))
    return number


def _grade_conditions(course_id: str, subsections: list[dict[str, Any]], ranges: GradeRanges) -> list[Any]:
    """The LMS's SQL conditions on stored grades (the gradebook API's own) for ``ranges``."""
    conditions = []
    if ranges.course_min is not None or ranges.course_max is not None:
        conditions.append(course_grade_between(course_id, ranges.course_min, ranges.course_max))
    if ranges.assignment and (ranges.assignment_min is not None or ranges.assignment_max is not None):
        if ranges.assignment not in {sub["usage_id"] for sub in subsections}:
            raise GradebookError(_("%(subsection)s is not a graded subsection of the course.",
                                    subsection=ranges.assignment))
        conditions.append(assignment_grade_between(course_id, ranges.assignment, ranges.assignment_min,
                                                   ranges.assignment_max))
    return conditions


def gradebook_page(course_id: str, *, text: str | None = None, mode: str | None = None,
                   cohort_id: int | None = None, after: int | None = None, before: int | None = None,
                   page_size: int = PAGE_SIZE, ranges: GradeRanges | None = None) -> GradebookPage:
    """A page of learners with their graded subsection grades (keyset paging by enrollment); ``ranges``
    keeps the learners whose stored grades are in range (in the page's query, so every page is full)."""
    subsections = graded(course_id)
    text = (text or "").replace("\x00", "").strip() or None
    user_ids = _cohort_user_ids(course_id, cohort_id)
    conditions = _grade_conditions(course_id, subsections, ranges or GradeRanges())
    learners, more = enrolled_learners_page(course_id, after_id=after, before_id=before, limit=page_size,
                                            user_contains=text, mode=mode or None, user_ids=user_ids,
                                            conditions=conditions)
    has_next = more if before is None else True
    has_previous = (after is not None) if before is None else more
    total = count_enrolled_matching(course_id)
    filtered = count_enrolled_matching(course_id, None, text, mode or None, user_ids, conditions) \
        if (text or mode or user_ids is not None or conditions) else total
    return GradebookPage(
        subsections=subsections, rows=_rows(course_id, learners, subsections), total=total, filtered=filtered,
        next_after=learners[-1].enrollment_id if learners and has_next else None,
        previous_before=learners[0].enrollment_id if learners and has_previous else None,
        modes=[m.slug for m in course_modes(course_id, include_expired=True)], cohorts=_cohorts(course_id))


def _number(value: Any, name: str) -> float | None:
    if value is None or str(value).strip() == "":
        return None
    try:
        return float(str(value).strip())
    except ValueError:
        raise GradebookError(_("%(name)s must be a number.", name=name)) from None


def bulk_override(course_id: str, user_ids: list[int], usage_id: str, earned: Any, possible: Any, reason: str,
                  *, by_user_id: int | None) -> int:
    """Override the graded points of subsection ``usage_id`` for every learner of ``user_ids`` (all or none)."""
    reason = (reason or "").strip()
    if not reason:
        raise GradebookError(_("Give a reason for the override."))
    if not user_ids:
        raise GradebookError(_("Choose at least one learner."))
    earned_value = _number(earned, _("The new score"))
    if earned_value is None:
        raise GradebookError(_("Give the new score."))
    possible_value = _number(possible, _("The points possible"))
    requests = [clean_request(user_id, usage_id, {"earned_graded_override": earned_value,
                                                  "possible_graded_override": possible_value}, reason)
                for user_id in user_ids]
    try:
        applied = apply_overrides(course_id, requests, by_user_id=by_user_id)
    except OverrideError as err:
        messages = sorted({e for e in err.errors if e})
        raise GradebookError("; ".join(messages)) from None
    return len(applied)


def remove_override(course_id: str, user_id: int, usage_id: str, reason: str, *, by_user_id: int) -> None:
    """Delete a learner's override of a graded subsection, the learner's grade recomputed; the audit trail
    records the removal (``DELETE``) with its reason. :class:`GradebookError` (404) when there is none."""
    if usage_id not in {sub["usage_id"] for sub in graded(course_id)}:
        raise GradebookError(_("Choose a graded subsection of the course."), status=404)
    reason = (reason or "").replace("\x00", "").strip()
    if not remove_lms_override(course_id, int(user_id), usage_id, by_user_id=by_user_id, comment=reason):
        raise GradebookError(_("This learner's grade in this subsection is not overridden."), status=404)


def history(course_id: str, limit: int = 200) -> list[dict[str, Any]]:
    """The audit trail of the course's overrides, newest first, with subsection names."""
    names = {sub["usage_id"]: sub["display_name"] for sub in graded(course_id)}
    return [{**entry, "subsection_name": names.get(entry["usage_id"], entry["usage_id"])}
            for entry in override_history(course_id, limit=limit)]


def _header(subsections: list[dict[str, Any]]) -> list[str]:
    header = list(ID_COLUMNS)
    for sub in subsections:
        short = sub["short_id"]
        header += [f"name-{short}", f"grade-{short}", f"previous_override-{short}", f"new_override-{short}"]
    return [*header, "reason"]


def _fmt(value: float | None) -> str:
    return "" if value is None else f"{value:g}"


def export_rows(course_id: str) -> Iterator[list[str]]:
    """The gradebook as CSV rows (header first), learners read :data:`EXPORT_BATCH` at a time."""
    subsections = graded(course_id)
    yield _header(subsections)
    after: int | None = None
    while True:
        learners, more = enrolled_learners_page(course_id, after_id=after, limit=EXPORT_BATCH)
        if not learners:
            return
        cohorts = cohort_names_of(course_id, [int(learner.user.id) for learner in learners])
        for row in _rows(course_id, learners, subsections):
            line = [str(row["user_id"]), row["username"], row["email"], course_id, row["mode"],
                    cohorts.get(int(row["user_id"]), "")]
            for sub, cell in zip(subsections, row["cells"], strict=True):
                line += [sub["display_name"], _fmt(cell["earned"]), _fmt(cell["override"]), ""]
            yield [*line, ""]
        if not more:
            return
        after = learners[-1].enrollment_id


def csv_text(rows: Iterator[list[str]]) -> Iterator[str]:
    """CSV lines of ``rows``, one string per row (for a streamed download)."""
    for row in rows:
        buffer = io.StringIO()
        csv.writer(buffer).writerow([safe_cell(value) for value in row])
        yield buffer.getvalue()


def import_csv(course_id: str, data: bytes, *, by_user_id: int | None) -> dict[str, Any]:
    """Apply the ``new_override-<id>`` cells of a bulk grades CSV: every row is checked first; any error
    raises :class:`GradebookError` with the errors per row and writes nothing."""
    if len(data) > MAX_IMPORT_BYTES:
        raise GradebookError(_("The file is larger than %(size)s MB.", size=MAX_IMPORT_BYTES // (1024 * 1024)),
                             status=413)
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise GradebookError(_("The file is not UTF-8 text.")) from None
    if "\x00" in text:
        raise GradebookError(_("The file is not a CSV file."))
    try:
        rows = [{key: unsafe_cell(value) if isinstance(value, str) else value for key, value in row.items()}
                for row in csv.DictReader(io.StringIO(text))]
    except csv.Error as err:
        raise GradebookError(_("The file is not a valid CSV file: %(error)s", error=err)) from None
    if not rows:
        raise GradebookError(_("The file has no rows."))
    if len(rows) > MAX_IMPORT_ROWS:
        raise GradebookError(_("At most %(count)s rows at once.", count=MAX_IMPORT_ROWS), status=413)
    by_short = {sub["short_id"]: sub["usage_id"] for sub in graded(course_id)}
    columns = [name for name in (rows[0].keys() or []) if name and name.startswith("new_override-")]
    if "user_id" not in rows[0] or not columns:
        raise GradebookError(_("The file needs a user_id column and at least one new_override-<subsection> "
                              "column."))
    errors: list[dict[str, Any]] = []
    requests: list[Any] = []
    origins: list[int] = []
    for number, row in enumerate(rows, start=2):  # line numbers as a spreadsheet shows them (header = 1)
        reason = (row.get("reason") or "").strip()
        for column in columns:
            value = (row.get(column) or "").strip()
            if not value:
                continue
            short = column.removeprefix("new_override-")
            usage_id = by_short.get(short)
            if usage_id is None:
                errors.append({"row": number, "column": column,
                               "error": _("%(subsection)s is not a graded subsection", subsection=short)})
                continue
            if not reason:
                errors.append({"row": number, "column": "reason", "error": _("a reason is required")})
                continue
            requests.append(clean_request(row.get("user_id"), usage_id, {"earned_graded_override": value}, reason))
            origins.append(number)
    if not requests and not errors:
        raise GradebookError(_("The file sets no new override."))
    problems = validate_overrides(course_id, requests)
    errors += [{"row": origins[i], "column": "", "error": e} for i, e in enumerate(problems) if e]
    if errors:
        raise GradebookError(_("%(count)s error(s): nothing was imported.", count=len(errors)),
                             sorted(errors, key=lambda e: e["row"]))
    applied = apply_overrides(course_id, requests, by_user_id=by_user_id)
    return {"rows": len(rows), "overrides": len(applied)}

