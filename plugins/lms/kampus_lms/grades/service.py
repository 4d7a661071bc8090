"""Grades of learners: computed from their scores, kept in the persistent rows, announced.

The flow of one learner's course grade (:func:`update_course_grade`):

1. the published structure and its :class:`~kampus_lms.grades.structure.GradingStructure` (cached per
   version), the possible points of its blocks (cached, stored once per version);
2. the learner's score rows, **one query**, and who they are to the course (staff see every block,
   beta testers early releases, learners released blocks only: Open edX grades what a learner can see);
3. the grade, computed in memory (:mod:`kampus_lms.grades.compute`: the grader from
   ``kampus_course_grader``, then ``kampus_grade_computed``);
4. the stored rows compared and written only where they differ, in one transaction of their own, the
   one step 2 read the scores in (:mod:`kampus_lms.grades.persistence`); then, after the commit, Open edX's
   ``edx.grades.subsection.grade_calculated`` / ``edx.grades.course.grade_calculated`` events for what
   changed and the certificates area's ``update_certificate``.

**When.** ``kampus_score_changed`` fires after the score's commit; the LMS recomputes that learner's
course grade right there, synchronously, rather than in a Celery task: it is one query and a few
milliseconds of arithmetic (``bench/lms.py`` holds it to 10x reading the score rows), the learner sees
the new grade on their very next page with no broker round trip, and nothing is lost if no worker runs.
A failure there is logged and never fails the learner's answer: every read of a grade recomputes from
the scores and repairs the rows (:func:`course_grade`). Proving a stored row fresh needs the same
score query as recomputing it, so a read recomputes and writes only when something differs.

A change of the grading policy (or of which subsections are graded, their format, or the problems'
possible points) on publish regrades every enrolled learner in a background task (:mod:`.tasks`).
"""

from __future__ import annotations

import logging
import uuid
from dataclasses import dataclass, replace
from datetime import UTC, datetime
from typing import Any

from kampus_content.api import CourseNotFound, ScoreRecord, VersionNotFound, course_scores, get_structure
from sqlalchemy.exc import OperationalError

from kampus import current_kampus, db
from kampus.db import is_deadlock, utcnow
from kampus.events.emit import emit
from kampus.identity.models import User
from kampus.identity.permissions import course_roles, course_roles_of, permission_table
from kampus_lms.certificates.api import certificate_config, update_certificate
from kampus_lms.cohorts.api import partition_groups_of, user_partition_groups
from kampus_lms.grades.compute import compute_grade, visible_blocks_hash
from kampus_lms.grades.data import CourseGrade
from kampus_lms.grades.overrides import SubsectionOverride, overrides_of
from kampus_lms.grades.persistence import (
    BatchConflict,
    GradeInputs,
    SyncResult,
    course_row,
    is_current,
    sync_grade,
    sync_grades,
)
from kampus_lms.grades.structure import GradingStructure, Viewer, grading_structure, max_scores

log = logging.getLogger(__name__)

#: Open edX's ``event_transaction_type`` values for the grade events.
PROBLEM_SUBMITTED = "edx.grades.problem.submitted"
GRADING_POLICY_CHANGED = "edx.grades.grading_policy_changed"
GRADE_READ = "edx.grades.course.read"


class NoGrades(LookupError):
    """The course is not published (or unknown): there is nothing to grade."""


@dataclass(frozen=True)
class GradeComputation:
    """A learner's grade with what it was computed from."""

    grade: CourseGrade
    inputs: GradeInputs
    grading: GradingStructure
    scores: dict[str, ScoreRecord]
    viewer: Viewer


def published_grading(course_id: str) -> GradingStructure:
    """The grading facts of the course's published version; raises :class:`NoGrades`."""
    try:
        structure = get_structure(course_id)
    except (CourseNotFound, VersionNotFound):
        raise NoGrades(course_id) from None
    return grading_structure(structure)


def natural_mode(user: Any, course_id: str, grading: GradingStructure, roles: set[str] | None = None) -> str:
    """How much of the course ``user``'s own grade counts: ``staff``, ``beta`` or ``learner`` (``roles``:
    their course roles when already read)."""
    if user is None or not getattr(user, "is_active", False):
        return "learner"
    if user.is_staff or user.is_superuser:
        return "staff"
    if roles is None:
        roles = course_roles(user, course_id)
    table = permission_table()
    if roles & table.get("course.view_staff", set()):
        return "staff"
    if grading.release.has_beta_days and roles & table.get("course.view_beta", set()):
        return "beta"
    return "learner"


def viewer_of(user: Any, course_id: str, grading: GradingStructure, mode: str | None = None,
              groups: dict[int, int] | None = None) -> Viewer:
    """Whose grade and what it counts: ``user``'s mode (``mode`` when given) and, in a course that
    restricts blocks to content groups, their groups (``groups`` when already read, else one query)."""
    mode = mode or natural_mode(user, course_id, grading)
    held: tuple[tuple[int, int], ...] = ()
    if mode != "staff" and grading.release.groups:
        if groups is None:
            groups = user_partition_groups(int(user.id), course_id)
        held = tuple(sorted(groups.items()))
    return Viewer(int(user.id), mode, held)


def read_score_rows(user_id: int, course_id: str, *, db_session: Any = None) -> dict[str, ScoreRecord]:
    """The learner's score rows in the course, ``{usage_id: ScoreRecord}`` (one query)."""
    return course_scores(course_id, [user_id], db_session=db_session)[user_id]


def compute(user: Any, course_id: str, *, mode: str | None = None, now: datetime | None = None,
            db_session: Any = None, grading: GradingStructure | None = None,
            scores: dict[str, ScoreRecord] | None = None,
            overrides: dict[str, SubsectionOverride] | None = None,
            groups: dict[int, int] | None = None) -> GradeComputation:
    """The learner's grade from their scores and subsection grade overrides now (nothing written). ``mode``
    overrides who they are (a staff member viewing the course as a learner); ``scores``, ``overrides`` and
    ``groups`` (their content groups) are their rows when already read."""
    grading = grading or published_grading(course_id)
    now = now or datetime.now(UTC)
    viewer = viewer_of(user, course_id, grading, mode, groups)
    if scores is None:
        scores = read_score_rows(viewer.user_id, course_id, db_session=db_session)
    if overrides is None:
        overrides = overrides_of(course_id, [viewer.user_id], db_session=db_session)[viewer.user_id]
    grade = compute_grade(grading, viewer, scores, max_scores(grading), now, overrides)
    latest = max((row.modified for row in scores.values()), default=None)
    inputs = GradeInputs(grading.version, grading.policy_hash, viewer.visibility_key(grading, now),
                         len(scores), latest)
    return GradeComputation(grade, inputs, grading, scores, viewer)


def persist(computation: GradeComputation, *, reason: str = GRADE_READ, user: Any = None,
            read_first: bool = False) -> CourseGrade:
    """Store a computed grade (one transaction, only what differs), then announce what changed.

    Returns the grade with its ``passed_timestamp``. ``read_first`` (a page showing a grade, which has
    mostly not changed since it was stored): a plain read in the app context's session finds a stored
    grade that is already this one, and nothing else is done; only a grade that differs takes the row's
    lock in a transaction of its own (and is compared again there).
    """
    grade = computation.grade
    if read_first:
        request_session = db.session()
        stored = course_row(request_session, grade.user_id, grade.course_id)
        if stored is not None and is_current(stored, grade, computation.inputs):
            if stored.passed_timestamp != grade.passed_timestamp:
                grade = replace(grade, passed_timestamp=stored.passed_timestamp)
            return grade
        if stored is not None:
            request_session.expunge(stored)  # the locked transaction below may change it
    with current_kampus().db.session_scope() as db_session:
        result = sync_grade(db_session, computation.grade, computation.inputs)
    return _stored(computation, result, reason, user)


def _stored(computation: GradeComputation, result: SyncResult, reason: str, user: Any, *,
            certificates: bool = True) -> CourseGrade:
    """The grade as stored by ``result`` (committed), with what changed announced (``certificates=False``:
    the course is known to give no certificate)."""
    grade = computation.grade
    if result.passed_timestamp != grade.passed_timestamp:
        grade = replace(grade, passed_timestamp=result.passed_timestamp)
    if result.course_changed or result.subsections_written:
        _announce(grade, computation, result, reason, user, certificates)
    return grade


def _announce(grade: CourseGrade, computation: GradeComputation, result: SyncResult, reason: str, user: Any,
              certificates: bool = True) -> None:
    transaction_id = str(uuid.uuid4())
    username = getattr(user, "username", None)
    common = {"user_id": grade.user_id, "course_id": grade.course_id, "course_version": grade.course_version,
              "event_transaction_id": transaction_id, "event_transaction_type": reason}
    for sub in result.subsections_written:
        emit("edx.grades.subsection.grade_calculated", {
            **common, "block_id": sub.usage_id,
            "weighted_total_earned": sub.all_total.earned, "weighted_total_possible": sub.all_total.possible,
            "weighted_graded_earned": sub.graded_total.earned, "weighted_graded_possible": sub.graded_total.possible,
            "first_attempted": sub.all_total.first_attempted.isoformat() if sub.all_total.first_attempted else None,
            "subtree_edited_timestamp": None, "visible_blocks_hash": visible_blocks_hash(sub),
        }, course_id=grade.course_id, user_id=grade.user_id, username=username)
    if result.course_changed:
        emit("edx.grades.course.grade_calculated", {
            **common, "percent_grade": grade.percent, "letter_grade": grade.letter_grade or "",
            "course_edited_timestamp": None, "grading_policy_hash": computation.inputs.policy_hash,
        }, course_id=grade.course_id, user_id=grade.user_id, username=username)
        if certificates:
            update_certificate(grade.user_id, grade.course_id, grade, report=False)


def load_user(user_id: int) -> User | None:
    """The account ``user_id`` (``None`` when it does not exist)."""
    return db.session().get(User, user_id)


def update_course_grade(user: Any, course_id: str, *, reason: str = GRADE_READ, now: datetime | None = None,
                        grading: GradingStructure | None = None,
                        scores: dict[str, ScoreRecord] | None = None) -> CourseGrade:
    """Recompute ``user``'s course grade from their committed scores and store it (no writes when
    unchanged). ``user`` is an account or a user id. Raises :class:`NoGrades` for an unpublished course
    and ``LookupError`` for an unknown user."""
    account = load_user(user) if isinstance(user, int) else user
    if account is None:
        raise LookupError(f"no user {user!r}")
    # One transaction reads the scores and writes what differs (a second session would cost another pooled
    # connection check-out, BEGIN and COMMIT on every score change); the grade is announced after its commit.
    # A transaction the database ended for a deadlock (InnoDB's gap locks, when two writers insert a learner's
    # first rows at once) is run again, at most twice.
    for attempt in range(3):
        try:
            with current_kampus().db.session_scope() as db_session:
                computation = compute(account, course_id, now=now, db_session=db_session, grading=grading,
                                      scores=scores)
                result = sync_grade(db_session, computation.grade, computation.inputs)
            break
        except OperationalError as error:
            if attempt == 2 or not is_deadlock(error):
                raise
            scores = None  # read again in the new transaction
    return _stored(computation, result, reason, account)


def update_course_grades(users: list[Any], grading: GradingStructure, *, reason: str,
                         now: datetime | None = None) -> list[CourseGrade]:
    """:func:`update_course_grade` for a batch of learners (accounts) of ``grading``'s course, as a background
    regrade does: their scores, subsection overrides and content groups read in one query each, every grade
    computed, and the rows that differ stored in **one** transaction (:func:`~.persistence.sync_grades`); then
    what changed is announced, learner by learner, as for one. When another writer inserted one of the
    batch's rows first (or the database ended the batch's transaction in a deadlock), the batch's transaction
    is rolled back and its learners are graded one at a time.
    Returns the grades in the order of ``users``."""
    if not users:
        return []
    course_id = grading.course_id
    now = now or datetime.now(UTC)
    user_ids = [int(user.id) for user in users]
    read_at = utcnow()  # a row written after this was not seen by the reads below (sync_grades leaves it)
    try:
        with current_kampus().db.session_scope() as db_session:
            scores = course_scores(course_id, user_ids, db_session=db_session)
            overrides = overrides_of(course_id, user_ids, db_session=db_session)
            groups = partition_groups_of(user_ids, course_id) if grading.release.groups else {}
            roles = course_roles_of(users, course_id)
            computations = [compute(user, course_id, now=now, db_session=db_session, grading=grading,
                                    mode=natural_mode(user, course_id, grading, roles.get(int(user.id), set())),
                                    scores=scores[int(user.id)], overrides=overrides[int(user.id)],
                                    groups=groups.get(int(user.id))) for user in users]
            results = sync_grades(db_session, [(c.grade, c.inputs) for c in computations], inputs_read_at=read_at)
    except (BatchConflict, OperationalError) as error:
        # another writer inserted one of the rows first, or the database ended the batch in a deadlock: the
        # batch's transaction is rolled back; one learner at a time takes small locks
        log.info("grading a batch in %s learner by learner: %s", course_id, error)
        return [update_course_grade(user, course_id, reason=reason, now=now, grading=grading) for user in users]
    certificates = certificate_config(course_id) is not None
    return [update_course_grade(user, course_id, reason=reason, now=now, grading=grading)
            if result.changed_meanwhile else _stored(computation, result, reason, user, certificates=certificates)
            for computation, result, user in zip(computations, results, users, strict=True)]


def course_grade(user_id: int, course_id: str) -> CourseGrade:
    """The learner's current course grade (stored rows repaired when stale). Raises :class:`NoGrades`."""
    return update_course_grade(user_id, course_id)


def subsection_grades(user_id: int, course_id: str) -> dict[str, Any]:
    """The learner's subsection grades by usage id, in course order."""
    return {sub.usage_id: sub for sub in course_grade(user_id, course_id).subsections}


def on_score_changed(user_id: int, course_id: str) -> None:
    """``kampus_score_changed``: recompute the learner's grade now (after the score's commit)."""
    try:
        update_course_grade(user_id, course_id, reason=PROBLEM_SUBMITTED)
    except NoGrades:
        return
    except Exception:  # the answer is stored; the next read of the grade repairs it
        log.exception("recomputing the grade of user %s in %s failed", user_id, course_id)


def course_grades_of(course_id: str, users: list[Any]) -> dict[int, CourseGrade]:
    """The course grades of several learners (accounts) as learners see the course, computed from their
    scores read in **one query**, their subsection overrides in another and, in a course that restricts
    blocks to content groups, their groups in a third (nothing is written: lists, reports and the gradebook
    read many learners at once). Raises :class:`NoGrades` for a course that is not published."""
    grading = published_grading(course_id)
    user_ids = [int(user.id) for user in users]
    scores = course_scores(course_id, user_ids)
    overrides = overrides_of(course_id, user_ids)
    groups = partition_groups_of(user_ids, course_id) if grading.release.groups and user_ids else {}
    now = datetime.now(UTC)
    return {int(user.id): compute(user, course_id, mode="learner", now=now, grading=grading,
                                  scores=scores[int(user.id)], overrides=overrides[int(user.id)],
                                  groups=groups.get(int(user.id), {})).grade
            for user in users}


def graded_subsections(course_id: str) -> list[dict[str, Any]]:
    """The subsections of the published course in order: dicts with ``usage_id``, ``display_name``,
    ``format``, ``graded``, ``due`` and ``chapter_id``. Raises :class:`NoGrades`."""
    return [{"usage_id": sub.usage_id, "display_name": sub.display_name, "format": sub.format,
             "graded": sub.graded, "due": sub.due, "chapter_id": sub.chapter_id}
            for sub in published_grading(course_id).subsections]


def course_problems(course_id: str) -> list[dict[str, Any]]:
    """The scorable blocks of the published course in order: dicts with ``usage_id``, ``display_name``,
    ``block_type``, ``subsection_id``, ``subsection_name`` and ``graded``. Raises :class:`NoGrades`."""
    return [{"usage_id": s.usage_id, "display_name": s.display_name, "block_type": s.key[0],
             "subsection_id": sub.usage_id, "subsection_name": sub.display_name, "graded": s.graded}
            for sub in published_grading(course_id).subsections for s in sub.scorables]
