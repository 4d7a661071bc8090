"""Enrollment: who is enrolled in which course, in which mode; pre-enrollment by e-mail; course modes.

The rules are Open edX's (``student.models.CourseEnrollment.enroll`` and ``courseware.access``'s
``_can_enroll_courselike``):

* only a published course can be enrolled in (its catalog overview exists);
* with ``check_access`` (a learner enrolling themselves), the enrollment window
  (``enrollment_start``/``enrollment_end``, missing = open) must be open and an invitation-only course
  needs a pre-enrollment allowance for the learner's e-mail address; an allowance also opens a closed
  window. Course staff, instructors and global staff pass both. The enrollment limit
  (``max_student_enrollments_allowed``) counts the active enrollments of everyone but staff and refuses
  the learner once reached (staff are let in); a priced mode cannot be chosen (the commerce plugin sells
  it and enrolls with ``check_access=False``);
* a mode must be one the course offers (:func:`course_modes`; a course that sets none offers ``audit``);
* an enrollment row is unique per (user, course) and kept on unenrollment (``is_active`` false);
  enrolling again reactivates it. Enrolling twice (a double submit, two processes at once) writes one
  row and emits one event.

:func:`enroll` and :func:`unenroll` commit the session of the app context and then emit Open edX's
tracking events ``edx.course.enrollment.activated``, ``edx.course.enrollment.deactivated`` and
``edx.course.enrollment.mode_changed`` with ``event: {"course_id", "user_id", "mode"}``.

Lists of a course's learners (the grades REST API, the gradebook): :func:`enrolled_learners_page` (a keyset
page of active enrollments with their accounts, one query) and :func:`count_enrolled_matching`.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

import sqlalchemy as sa
from flask import g, has_request_context
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy.exc import IntegrityError, OperationalError
from sqlalchemy.orm import Session

from kampus import db
from kampus.course_keys import org_of
from kampus.current import current_kampus
from kampus.db import contains_text, utcnow
from kampus.errors import KampusError
from kampus.events.emit import emit
from kampus.identity.models import CourseAccessRole, User
from kampus.identity.permissions import course_roles, forget_course_roles
from kampus.identity.roles import INSTRUCTOR, LEARNER, STAFF
from kampus_lms.catalog.api import course_overview, lock_course_overview
from kampus_lms.enrollment.models import CourseEnrollment, CourseEnrollmentAllowed, CourseModeRecord

EVENT_ACTIVATED = "edx.course.enrollment.activated"
EVENT_DEACTIVATED = "edx.course.enrollment.deactivated"
EVENT_MODE_CHANGED = "edx.course.enrollment.mode_changed"

AUDIT = "audit"
HONOR = "honor"
VERIFIED = "verified"
#: Open edX's ``CourseMode.DEFAULT_MODE_SLUG`` (``COURSE_MODE_DEFAULTS['slug']``).
DEFAULT_MODE_SLUG = AUDIT

#: The codes of :class:`EnrollmentError`.
ERROR_CODES = ("closed", "full", "invitation_only", "not_found", "bad_mode")

#: Course roles that bypass the enrollment window and do not count towards the limit.
STAFF_ROLES = frozenset({STAFF, INSTRUCTOR})


class EnrollmentError(KampusError):
    """An enrollment refused: ``code`` is one of :data:`ERROR_CODES`, ``message`` a translated reason."""

    def __init__(self, code: str, message: str):
        super().__init__(message)
        self.code = code
        self.message = message


@dataclass(frozen=True)
class Enrollment:
    """A user's enrollment in a course (``is_active`` false once they unenrolled)."""

    user_id: int
    course_id: str
    mode: str
    is_active: bool
    created: datetime


@dataclass(frozen=True)
class CourseMode:
    """A mode (track) a course offers: ``min_price`` in whole ``currency`` units (0: free)."""

    slug: str
    name: str
    min_price: int = 0
    currency: str = "usd"
    expiration: datetime | None = None
    description: str = ""

    @property
    def is_free(self) -> bool:
        return self.min_price <= 0


@dataclass(frozen=True)
class Allowance:
    """An e-mail address allowed into a course before it has an account (``CourseEnrollmentAllowed``)."""

    email: str
    course_id: str
    auto_enroll: bool
    mode: str
    created: datetime
    user_id: int | None


def default_mode() -> CourseMode:
    """Open edX's ``CourseMode.DEFAULT_MODE``: free audit."""
    return CourseMode(slug=DEFAULT_MODE_SLUG, name=_("Audit"))


def _enrollment(row: Any) -> Enrollment:
    return Enrollment(user_id=row.user_id, course_id=row.course_id, mode=row.mode, is_active=row.is_active,
                      created=row.created)


def _allowance(row: CourseEnrollmentAllowed) -> Allowance:
    return Allowance(email=row.email, course_id=row.course_id, auto_enroll=row.auto_enroll, mode=row.mode,
                     created=row.created, user_id=row.user_id)


# -- reading ---------------------------------------------------------------------------------------------------


def get_enrollment(user_id: int, course_id: str) -> Enrollment | None:
    """The user's enrollment in the course, active or not; ``None`` when they never enrolled."""
    row = db.session().execute(
        sa.select(CourseEnrollment.user_id, CourseEnrollment.course_id, CourseEnrollment.mode,
                  CourseEnrollment.is_active, CourseEnrollment.created)
        .where(CourseEnrollment.user_id == user_id, CourseEnrollment.course_id == str(course_id))
    ).first()
    return _enrollment(row) if row is not None else None


def _enrolled_cache() -> dict[tuple[int, str], bool] | None:
    """The request's answers of :func:`is_enrolled` (``None`` outside a request)."""
    if not has_request_context():
        return None
    return g.setdefault("_lms_is_enrolled", {})  # type: ignore[no-any-return]


#: The statement of :func:`is_enrolled`, built once (every course page asks; parameters bound per call).
_IS_ENROLLED = sa.select(CourseEnrollment.id).where(CourseEnrollment.user_id == sa.bindparam("user_id"),
                                                    CourseEnrollment.course_id == sa.bindparam("course_id"),
                                                    CourseEnrollment.is_active.is_(True))


def is_enrolled(user_id: int | None, course_id: str) -> bool:
    """Whether the user has an active enrollment in the course (read once per request: enrolling and
    unenrolling through this module forget the answer)."""
    if user_id is None:
        return False
    cache = _enrolled_cache()
    key = (user_id, str(course_id))
    if cache is not None and key in cache:
        return cache[key]
    enrolled = db.session().scalar(_IS_ENROLLED, {"user_id": user_id, "course_id": str(course_id)}) is not None
    if cache is not None:
        cache[key] = enrolled
    return enrolled


_ENROLLMENT_COLUMNS = (CourseEnrollment.user_id, CourseEnrollment.course_id, CourseEnrollment.mode,
                       CourseEnrollment.is_active, CourseEnrollment.created)
#: :func:`enrollments_of`'s two statements, built once (the enrollment list API runs one on every call).
_ENROLLMENTS_OF = {
    active_only: sa.select(*_ENROLLMENT_COLUMNS)
    .where(CourseEnrollment.user_id == sa.bindparam("user_id"),
           *((CourseEnrollment.is_active.is_(True),) if active_only else ()))
    .order_by(CourseEnrollment.created.desc(), CourseEnrollment.id.desc())
    for active_only in (True, False)
}


def enrollments_of(user_id: int, *, active_only: bool = True) -> list[Enrollment]:
    """The user's enrollments (one query), the most recent first."""
    rows = db.session().execute(_ENROLLMENTS_OF[active_only], {"user_id": user_id})
    return [_enrollment(row) for row in rows]


def enrolled_user_ids(course_id: str) -> list[int]:
    """Ids of the users actively enrolled in the course, ascending."""
    return list(db.session().scalars(
        sa.select(CourseEnrollment.user_id)
        .where(CourseEnrollment.course_id == str(course_id), CourseEnrollment.is_active.is_(True))
        .order_by(CourseEnrollment.user_id)
    ))


def count_enrolled(course_id: str) -> int:
    """How many users are actively enrolled in the course (staff included; Open edX's ``num_enrolled_in``)."""
    return db.session().scalar(
        sa.select(sa.func.count()).select_from(CourseEnrollment)
        .where(CourseEnrollment.course_id == str(course_id), CourseEnrollment.is_active.is_(True))
    ) or 0


def count_enrolled_learners(course_id: str) -> int:
    """Active enrollments that count towards the enrollment limit: everyone but global staff and the
    course's staff and instructors (Open edX's ``num_enrolled_in_exclude_admins``)."""
    course_id = str(course_id)
    admins = sa.select(CourseAccessRole.user_id).where(
        CourseAccessRole.role.in_(sorted(STAFF_ROLES)),
        sa.or_(CourseAccessRole.course_id == course_id,
               sa.and_(CourseAccessRole.course_id == "", CourseAccessRole.org == org_of(course_id),
                       CourseAccessRole.org != "")),
    )
    return db.session().scalar(
        sa.select(sa.func.count()).select_from(CourseEnrollment)
        .join(User, User.id == CourseEnrollment.user_id)
        .where(CourseEnrollment.course_id == course_id, CourseEnrollment.is_active.is_(True),
               User.is_staff.is_(False), CourseEnrollment.user_id.not_in(admins))
    ) or 0


def learner_roles(user_id: int, course_id: str) -> list[str]:
    """The course roles an enrollment gives (``learner`` while active): the LMS's
    ``kampus_user_course_roles`` answer."""
    return [LEARNER] if is_enrolled(user_id, course_id) else []


def learner_roles_of(user_ids: list[int], course_id: str) -> dict[int, list[str]]:
    """:func:`learner_roles` of several users in one query (the LMS's ``kampus_users_course_roles`` answer):
    ``{user_id: ["learner"]}`` for those actively enrolled."""
    if not user_ids:
        return {}
    enrolled = db.session().scalars(sa.select(CourseEnrollment.user_id).where(
        CourseEnrollment.course_id == str(course_id), CourseEnrollment.is_active.is_(True),
        CourseEnrollment.user_id.in_(sorted(set(user_ids)))))
    return {user_id: [LEARNER] for user_id in enrolled}


# -- course modes ----------------------------------------------------------------------------------------------


def course_modes(course_id: str, *, include_expired: bool = False, now: datetime | None = None) -> list[CourseMode]:
    """The modes the course offers, cheapest first (Open edX's ``CourseMode.modes_for_course``): expired
    modes left out unless asked for; a course with none offers :func:`default_mode`."""
    stmt = sa.select(CourseModeRecord).where(CourseModeRecord.course_id == str(course_id))
    if not include_expired:
        stmt = stmt.where(sa.or_(CourseModeRecord.expiration_datetime.is_(None),
                                 CourseModeRecord.expiration_datetime > (now or utcnow())))
    rows = db.session().scalars(stmt.order_by(CourseModeRecord.min_price, CourseModeRecord.id)).all()
    if not rows:
        return [default_mode()]
    return [CourseMode(slug=row.mode_slug, name=row.mode_display_name, min_price=row.min_price,
                       currency=row.currency, expiration=row.expiration_datetime, description=row.description)
            for row in rows]


def default_mode_slug(modes: list[CourseMode]) -> str:
    """The mode of an enrollment that names none (Open edX's ``_default_course_mode``): audit, else
    honor, else the first free mode the course offers, else its cheapest."""
    slugs = [mode.slug for mode in modes]
    for slug in (DEFAULT_MODE_SLUG, AUDIT, HONOR):
        if slug in slugs:
            return slug
    free = [mode.slug for mode in modes if mode.is_free]
    return free[0] if free else (slugs[0] if slugs else DEFAULT_MODE_SLUG)


def set_course_mode(course_id: str, slug: str, name: str, *, min_price: int = 0, currency: str = "usd",
                    expiration: datetime | None = None, description: str = "") -> CourseMode:
    """Add or change a mode of the course (committed). Raises :class:`ValueError` on a bad slug or price."""
    slug = slug.strip()
    if not slug or len(slug) > 100 or not slug.replace("-", "").replace("_", "").isalnum():
        raise ValueError("a mode slug is 1 to 100 letters, digits, - and _")
    if min_price < 0:
        raise ValueError("a mode's price cannot be negative")
    db_session = db.session()
    row = db_session.scalar(sa.select(CourseModeRecord).where(CourseModeRecord.course_id == str(course_id),
                                                              CourseModeRecord.mode_slug == slug))
    if row is None:
        row = CourseModeRecord(course_id=str(course_id), mode_slug=slug)
        db_session.add(row)
    row.mode_display_name = name or slug
    row.min_price = min_price
    row.currency = currency.lower()
    row.expiration_datetime = expiration
    row.description = description
    db_session.commit()
    return CourseMode(slug=slug, name=row.mode_display_name, min_price=min_price, currency=row.currency,
                      expiration=expiration, description=description)


def _mode_of(row: Any) -> CourseMode:
    """The mode of a :class:`CourseModeRecord` or of a row of :data:`_MODE_COLUMNS`."""
    return CourseMode(slug=row.mode_slug, name=row.mode_display_name, min_price=row.min_price, currency=row.currency,
                      expiration=row.expiration_datetime, description=row.description)


#: What :func:`course_modes_for` reads of each mode (columns: no ORM objects to build for a page of courses).
_MODE_COLUMNS = (CourseModeRecord.course_id, CourseModeRecord.mode_slug, CourseModeRecord.mode_display_name,
                 CourseModeRecord.min_price, CourseModeRecord.currency, CourseModeRecord.expiration_datetime,
                 CourseModeRecord.description)


_MODES_OF_COURSES = (sa.select(*_MODE_COLUMNS)
                     .where(CourseModeRecord.course_id.in_(sa.bindparam("ids", expanding=True)))
                     .order_by(CourseModeRecord.min_price, CourseModeRecord.id))
#: :func:`course_modes_for`'s statements, built once: every mode, and those not expired at ``now``.
_COURSE_MODES_FOR = {
    True: _MODES_OF_COURSES,
    False: _MODES_OF_COURSES.where(sa.or_(CourseModeRecord.expiration_datetime.is_(None),
                                          CourseModeRecord.expiration_datetime > sa.bindparam("now"))),
}


def course_modes_for(course_ids: list[str], *, include_expired: bool = False,
                     now: datetime | None = None) -> dict[str, list[CourseMode]]:
    """:func:`course_modes` of several courses in one query, by course id (each id present; a course that
    sets none offers :func:`default_mode`)."""
    ids = sorted({str(course_id) for course_id in course_ids})
    found: dict[str, list[CourseMode]] = {course_id: [] for course_id in ids}
    if ids:
        params: dict[str, Any] = {"ids": ids}
        if not include_expired:
            params["now"] = now or utcnow()
        for row in db.session().execute(_COURSE_MODES_FOR[include_expired], params):
            found[row.course_id].append(_mode_of(row))
    if all(found.values()):
        return found
    default = default_mode()  # translated once for every course that sets no mode (it is immutable)
    return {course_id: modes or [default] for course_id, modes in found.items()}


def stored_course_modes(course_id: str) -> list[CourseMode]:
    """The modes the course itself sets, expired ones included (no default added), cheapest first."""
    rows = db.session().scalars(sa.select(CourseModeRecord).where(CourseModeRecord.course_id == str(course_id))
                                .order_by(CourseModeRecord.min_price, CourseModeRecord.id))
    return [_mode_of(row) for row in rows]


def delete_course_mode(course_id: str, slug: str) -> bool:
    """Remove a mode the course sets (committed); false when it sets no such mode. Enrollments in it stay."""
    result = db.session().execute(sa.delete(CourseModeRecord).where(CourseModeRecord.course_id == str(course_id),
                                                                    CourseModeRecord.mode_slug == slug))
    db.session().commit()
    return bool(result.rowcount)


def list_enrollments(*, course_ids: list[str] | None = None, user_ids: list[int] | None = None,
                     after: tuple[datetime, int] | None = None, before: tuple[datetime, int] | None = None,
                     limit: int = 100) -> list[tuple[int, Enrollment]]:
    """Enrollments (active or not) newest first, as ``(row id, enrollment)``, filtered by courses and users,
    one query: a keyset page of at most ``limit`` after (older than) or before (newer than) a
    ``(created, id)`` position; pages before a position come newest first too."""
    stmt = sa.select(CourseEnrollment.id, CourseEnrollment.user_id, CourseEnrollment.course_id,
                     CourseEnrollment.mode, CourseEnrollment.is_active, CourseEnrollment.created)
    if course_ids is not None:
        stmt = stmt.where(CourseEnrollment.course_id.in_(sorted({str(course_id) for course_id in course_ids}) or [""]))
    if user_ids is not None:
        stmt = stmt.where(CourseEnrollment.user_id.in_(sorted(set(user_ids)) or [-1]))
    newest_first = (CourseEnrollment.created.desc(), CourseEnrollment.id.desc())
    if after is not None:
        stmt = stmt.where(sa.or_(CourseEnrollment.created < after[0],
                                 sa.and_(CourseEnrollment.created == after[0], CourseEnrollment.id < after[1])))
    if before is not None:
        stmt = stmt.where(sa.or_(CourseEnrollment.created > before[0],
                                 sa.and_(CourseEnrollment.created == before[0], CourseEnrollment.id > before[1])))
        rows = list(db.session().execute(stmt.order_by(CourseEnrollment.created, CourseEnrollment.id).limit(limit)))
        rows.reverse()
    else:
        rows = list(db.session().execute(stmt.order_by(*newest_first).limit(limit)))
    return [(row.id, _enrollment(row)) for row in rows]


# -- enrolling -------------------------------------------------------------------------------------------------


def _is_course_staff(user: Any, course_id: str) -> bool:
    return bool(getattr(user, "is_staff", False)) or bool(STAFF_ROLES & course_roles(user, course_id))


def address_proven(user: Any) -> bool:
    """Whether ``user``'s e-mail address may claim pre-enrollments: it is confirmed, or the site asks new
    accounts for no confirmation (setting ``require_email_confirmation`` off: creating the account is
    the moment). An unconfirmed address proves nothing: anybody may register with somebody else's."""
    if getattr(user, "email_confirmed_at", None) is not None:
        return True
    return not bool(current_kampus().settings.require_email_confirmation)


def _allowed(db_session: Session, user: Any, course_id: str) -> bool:
    """Whether an allowance lets ``user`` in: one for their address, which must be proven."""
    if not address_proven(user):
        return False
    return db_session.scalar(sa.select(CourseEnrollmentAllowed.id).where(
        CourseEnrollmentAllowed.email == str(user.email).strip().lower(),
        CourseEnrollmentAllowed.course_id == course_id)
    ) is not None


def _full() -> EnrollmentError:
    return EnrollmentError("full", _("This course is full: it has reached its maximum number of learners."))


def _refusal(db_session: Session, user: Any, course_id: str, overview: Any, now: datetime | None = None,
             *, count_limit: bool = True) -> EnrollmentError | None:
    """Why ``user`` may not enroll themselves in the course (window, invitation, limit; not the price),
    or ``None``: the one rule of :func:`enroll` and of the about page (:func:`enrollment_refusal`)."""
    if _is_course_staff(user, course_id):
        return None
    allowed = _allowed(db_session, user, course_id)
    if overview.invitation_only and not allowed:
        return EnrollmentError("invitation_only", _("Enrollment in this course is by invitation only."))
    if not allowed and not overview.is_enrollment_open(now or utcnow()):
        return EnrollmentError("closed", _("Enrollment in this course is closed."))
    limit = overview.max_student_enrollments_allowed
    if count_limit and limit is not None and count_enrolled_learners(course_id) >= limit:
        return _full()
    return None


def enrollment_refusal(user: Any, course_id: str, *, now: datetime | None = None) -> EnrollmentError | None:
    """Why ``user`` (an account) may not enroll themselves in the published course now, as
    :func:`enroll` would refuse it (``code`` ``not_found``, ``invitation_only``, ``closed`` or ``full``),
    or ``None`` when they may. The about page asks this, so it never offers what :func:`enroll` refuses."""
    overview = course_overview(str(course_id))
    if overview is None:
        return EnrollmentError("not_found", _("There is no published course %(course_id)s.", course_id=course_id))
    return _refusal(db.session(), user, str(course_id), overview, now)


def _check_access(db_session: Session, user: Any, course_id: str, overview: Any, mode: CourseMode) -> None:
    """Raise :class:`EnrollmentError` when ``user`` may not enroll themselves (see the module's rules).
    The limit is checked again under the course's lock when the enrollment is written."""
    if not mode.is_free:
        raise EnrollmentError("bad_mode", _("The %(mode)s track must be purchased.", mode=mode.name))
    refusal = _refusal(db_session, user, course_id, overview)
    if refusal is not None:
        raise refusal


def _enroll_within_limit(db_session: Session, user: Any, course_id: str, mode: str,
                         limit: int) -> tuple[list[str], Any]:
    """Count and write in one transaction holding the course's lock, so that
    learners enrolling at the same moment never exceed ``limit``; committed. Its first statement is
    the lock (:func:`~kampus_lms.catalog.api.lock_course_overview`): on MariaDB the count's snapshot is
    taken after it, so it sees every earlier enrollment."""

    def locked_count() -> None:
        lock_course_overview(db_session, course_id)
        if count_enrolled_learners(course_id) >= limit:
            raise _full()

    return _write_and_commit(db_session, user.id, course_id, mode, True, first=locked_count)


def _current_row(db_session: Session, user_id: int, course_id: str, *, lock: bool = True) -> Any:
    """The (user, course) row. With ``lock``, a locking read: on PostgreSQL and MariaDB it sees (and
    waits for) the row another transaction wrote, where a plain read in MariaDB's repeatable-read
    snapshot would not. It is used only once the row exists: a locking read of a missing row takes
    InnoDB gap locks, on which two concurrent inserts deadlock."""
    stmt = (sa.select(CourseEnrollment.id, CourseEnrollment.user_id, CourseEnrollment.course_id,
                      CourseEnrollment.mode, CourseEnrollment.is_active, CourseEnrollment.created)
            .where(CourseEnrollment.user_id == user_id, CourseEnrollment.course_id == course_id))
    return db_session.execute(stmt.with_for_update() if lock else stmt).first()


def _write(db_session: Session, user_id: int, course_id: str, mode: str, active: bool) -> tuple[list[str], Any]:
    """Make the (user, course) row active or not, in ``mode``; the events its change calls for and the row.

    Race-safe: the insert runs in a savepoint (a concurrent insert loses on the unique key and reads
    the winner's row), updates are conditional on the values read (a concurrent change makes us read
    again), so two requests never both report the same change.
    """
    cache = _enrolled_cache()
    if cache is not None:
        cache.pop((user_id, str(course_id)), None)
    forget_course_roles()  # an enrollment is the course role "learner" (kampus_user_course_roles)
    exists = _current_row(db_session, user_id, course_id, lock=False) is not None
    for _attempt in range(5):
        row = _current_row(db_session, user_id, course_id) if exists else None
        if row is None:
            if not active:
                return [], None
            now = utcnow()
            try:
                with db_session.begin_nested():
                    db_session.execute(sa.insert(CourseEnrollment).values(
                        user_id=user_id, course_id=course_id, mode=mode, is_active=True, created=now, modified=now))
            except IntegrityError:
                exists = True  # another request inserted it first: read theirs
                continue
            return [EVENT_ACTIVATED], _current_row(db_session, user_id, course_id)
        new_mode = mode if active else row.mode
        if row.is_active == active and row.mode == new_mode:
            return [], row
        result = db_session.execute(
            sa.update(CourseEnrollment)
            .where(CourseEnrollment.id == row.id, CourseEnrollment.is_active == row.is_active,
                   CourseEnrollment.mode == row.mode)
            .values(is_active=active, mode=new_mode, modified=utcnow())
            .execution_options(synchronize_session=False)
        )
        if result.rowcount == 1:
            events = []
            if row.is_active != active:
                events.append(EVENT_ACTIVATED if active else EVENT_DEACTIVATED)
            if row.mode != new_mode:
                events.append(EVENT_MODE_CHANGED)
            return events, _current_row(db_session, user_id, course_id)
    raise RuntimeError(f"enrollment of user {user_id} in {course_id} kept changing under us")


def _write_and_commit(db_session: Session, user_id: int, course_id: str, mode: str, active: bool, *,
                      first: Callable[[], None] | None = None) -> tuple[list[str], Any]:
    """:func:`_write` in its own transaction, committed; a transaction the database ended for a deadlock
    (InnoDB picks a victim among concurrent inserts) is run again. ``first`` runs at the start of that
    transaction (the enrollment limit's lock and count), and may refuse by raising."""
    for attempt in range(3):
        if first is not None:
            db_session.commit()  # end the reads so far: the next statement opens the locked transaction
        try:
            if first is not None:
                first()
            result = _write(db_session, user_id, course_id, mode, active)
            db_session.commit()
            return result
        except OperationalError:
            db_session.rollback()
            if attempt == 2:
                raise
        except BaseException:
            db_session.rollback()
            raise
    raise AssertionError("unreachable")


def _emit(events: list[str], user: Any, course_id: str, mode: str) -> None:
    actor: dict[str, Any] = {}
    if not (has_request_context() and current_user and current_user.is_authenticated):
        actor = {"username": user.username, "user_id": user.id}
    for event_type in events:
        emit(event_type, {"course_id": course_id, "user_id": user.id, "mode": mode}, course_id=course_id, **actor)


def enroll(user: Any, course_id: str, mode: str | None = None, *, check_access: bool = True) -> Enrollment:
    """Enroll ``user`` (an account: ``id``, ``username``, ``email``, ``is_staff``) in the course, in
    ``mode`` (default: the course's default mode), or change the mode of their enrollment. Commits, then
    emits the enrollment events of what changed (none when nothing did).

    ``check_access`` false (staff enrolling someone, auto-enrollment, a paid order) skips the window,
    invitation, limit and price rules. Raises :class:`EnrollmentError`.
    """
    course_id = str(course_id)
    overview = course_overview(course_id)
    if overview is None:
        raise EnrollmentError("not_found", _("There is no published course %(course_id)s.", course_id=course_id))
    modes = {item.slug: item for item in course_modes(course_id)}
    slug = mode or default_mode_slug(list(modes.values()))
    chosen = modes.get(slug) or (default_mode() if mode is None and slug == DEFAULT_MODE_SLUG else None)
    if chosen is None:
        raise EnrollmentError("bad_mode", _("This course has no %(mode)s track.", mode=slug))
    db_session = db.session()
    existing = get_enrollment(user.id, course_id)
    if existing is not None and existing.is_active and existing.mode == slug:
        return existing
    limit = None
    if check_access:
        if existing is not None and existing.is_active:
            if not chosen.is_free:
                raise EnrollmentError("bad_mode", _("The %(mode)s track must be purchased.", mode=chosen.name))
        else:
            _check_access(db_session, user, course_id, overview, chosen)
            if not _is_course_staff(user, course_id):
                limit = overview.max_student_enrollments_allowed
    if limit is not None:
        events, row = _enroll_within_limit(db_session, user, course_id, slug, limit)
    else:
        events, row = _write_and_commit(db_session, user.id, course_id, slug, True)
    _emit(events, user, course_id, slug)
    return _enrollment(row)


def unenroll(user: Any, course_id: str) -> bool:
    """Deactivate the user's enrollment (the row stays); commits, then emits
    ``edx.course.enrollment.deactivated``. False when they were not actively enrolled."""
    course_id = str(course_id)
    db_session = db.session()
    events, row = _write_and_commit(db_session, user.id, course_id, "", False)
    if row is not None:
        _emit(events, user, course_id, row.mode)
    return bool(events)


# -- pre-enrollment --------------------------------------------------------------------------------------------


def allow_enrollment(course_id: str, email: str, *, auto_enroll: bool = False, mode: str = "") -> Allowance:
    """Allow ``email`` into the course (Open edX's ``CourseEnrollmentAllowed``), committed; with
    ``auto_enroll`` the account registered with this address is enrolled (in ``mode``, default the
    course's) as soon as it is created. Changing an existing allowance updates it."""
    email = email.strip().lower()
    db_session = db.session()
    for _attempt in range(3):
        row = db_session.scalar(sa.select(CourseEnrollmentAllowed).where(
            CourseEnrollmentAllowed.email == email, CourseEnrollmentAllowed.course_id == str(course_id)))
        if row is None:
            try:
                with db_session.begin_nested():
                    row = CourseEnrollmentAllowed(email=email, course_id=str(course_id), auto_enroll=auto_enroll,
                                                  mode=mode, created=utcnow())
                    db_session.add(row)
            except IntegrityError:
                continue
        row.auto_enroll = auto_enroll
        row.mode = mode
        db_session.commit()
        return _allowance(row)
    raise RuntimeError(f"allowance of {email} in {course_id} kept changing under us")


def allowances_of(email: str) -> list[Allowance]:
    """Every course the address is allowed into."""
    rows = db.session().scalars(sa.select(CourseEnrollmentAllowed)
                                .where(CourseEnrollmentAllowed.email == email.strip().lower())
                                .order_by(CourseEnrollmentAllowed.id))
    return [_allowance(row) for row in rows]


def enroll_by_email(course_id: str, email: str, *, auto_enroll: bool = False,
                    mode: str | None = None) -> tuple[Enrollment | None, Allowance | None]:
    """Staff's enrollment by e-mail (Open edX's instructor ``enroll_email``): the account with this
    address is enrolled now (no access rules); an address without an account gets an allowance.
    Returns ``(enrollment, None)`` or ``(None, allowance)``. Raises :class:`EnrollmentError`."""
    if course_overview(str(course_id)) is None:
        raise EnrollmentError("not_found", _("There is no published course %(course_id)s.", course_id=course_id))
    if mode and mode not in {item.slug for item in course_modes(course_id)}:
        raise EnrollmentError("bad_mode", _("This course has no %(mode)s track.", mode=mode))
    user = db.session().scalar(sa.select(User).where(sa.func.lower(User.email) == email.strip().lower()))
    if user is not None:
        return enroll(user, course_id, mode, check_access=False), None
    return None, allow_enrollment(course_id, email, auto_enroll=auto_enroll, mode=mode or "")


def enroll_allowed_courses(user_id: int, email: str) -> list[Enrollment]:
    """An account takes over the allowances of its e-mail address and is enrolled in the courses whose
    allowance says ``auto_enroll`` — once the address is proven (:func:`address_proven`): the answer
    to ``kampus_account_confirmed``, and to ``kampus_account_created`` for an account made confirmed or
    on a site that asks for no confirmation. An unconfirmed address claims nothing. Courses that are
    gone or refuse are skipped; the enrollments made are returned."""
    db_session = db.session()
    email = email.strip().lower()
    user = db_session.get(User, user_id)
    if user is None or str(user.email).strip().lower() != email or not address_proven(user):
        return []
    rows = db_session.scalars(sa.select(CourseEnrollmentAllowed).where(CourseEnrollmentAllowed.email == email)
                              .order_by(CourseEnrollmentAllowed.id)).all()
    if not rows:
        return []
    wanted = [(row.course_id, row.mode or None) for row in rows if row.auto_enroll]
    db_session.execute(sa.update(CourseEnrollmentAllowed)
                       .where(CourseEnrollmentAllowed.email == email, CourseEnrollmentAllowed.user_id.is_(None))
                       .values(user_id=user_id).execution_options(synchronize_session=False))
    db_session.commit()
    made = []
    for course_id, mode in wanted:
        try:
            made.append(enroll(user, course_id, mode, check_access=False))
        except EnrollmentError:
            continue
    return made


@dataclass(frozen=True)
class EnrolledLearner:
    """One active enrollment with its account, for paged lists (the grades API, the gradebook)."""

    enrollment_id: int
    user: User
    mode: str


def _learner_filters(stmt: Any, course_id: str, username_contains: str | None, user_contains: str | None,
                     mode: str | None = None, user_ids: Any = None,
                     conditions: Sequence[Callable[[Any], Any]] = ()) -> Any:
    stmt = stmt.where(CourseEnrollment.course_id == str(course_id), CourseEnrollment.is_active.is_(True))
    for condition in conditions:
        stmt = stmt.where(condition(CourseEnrollment.user_id))
    if mode:
        stmt = stmt.where(CourseEnrollment.mode == mode)
    if isinstance(user_ids, sa.Select):  # a subquery (a cohort's members: any number of them)
        stmt = stmt.where(CourseEnrollment.user_id.in_(user_ids.scalar_subquery()))
    elif user_ids is not None:
        stmt = stmt.where(CourseEnrollment.user_id.in_(sorted(set(user_ids))))
    if username_contains:
        stmt = stmt.where(contains_text(User.username, username_contains))
    if user_contains:
        stmt = stmt.where(sa.or_(contains_text(User.username, user_contains),
                                 contains_text(User.email, user_contains)))
    return stmt


def enrolled_learners_page(course_id: str, *, after_id: int | None = None, before_id: int | None = None,
                           limit: int = 50, username_contains: str | None = None,
                           user_contains: str | None = None, mode: str | None = None,
                           user_ids: Any = None,
                           conditions: Sequence[Callable[[Any], Any]] = ()) -> tuple[list[EnrolledLearner], bool]:
    """A page of the course's active enrollments in enrollment id order (a keyset page: after the
    enrollment ``after_id``, or the ``limit`` ones just before ``before_id``), with their accounts, in one
    query; ``username_contains`` keeps user names holding it, ``user_contains`` user names or e-mail
    addresses holding it (any case), ``mode`` enrollments in that mode, ``user_ids`` those learners (ids,
    or a query of ids such as ``cohort_member_ids_query``), ``conditions`` those each condition maker's SQL
    condition holds for (it is given the enrollment's user id column: the grades area's filters on stored
    grades). Returns the page and whether more enrollments lie beyond it (after it, or before it for
    ``before_id``)."""
    stmt = _learner_filters(sa.select(CourseEnrollment.id, CourseEnrollment.mode, User)
                            .join(User, User.id == CourseEnrollment.user_id),
                            course_id, username_contains, user_contains, mode, user_ids, conditions)
    if before_id is not None:
        stmt = stmt.where(CourseEnrollment.id < before_id).order_by(CourseEnrollment.id.desc())
    else:
        if after_id is not None:
            stmt = stmt.where(CourseEnrollment.id > after_id)
        stmt = stmt.order_by(CourseEnrollment.id)
    rows = db.session().execute(stmt.limit(limit + 1)).all()
    more = len(rows) > limit
    page = [EnrolledLearner(row[0], row[2], row[1]) for row in rows[:limit]]
    if before_id is not None:
        page.reverse()
    return page, more


def count_enrolled_matching(course_id: str, username_contains: str | None = None,
                            user_contains: str | None = None, mode: str | None = None, user_ids: Any = None,
                            conditions: Sequence[Callable[[Any], Any]] = ()) -> int:
    """How many active enrollments of the course :func:`enrolled_learners_page` would list with these
    filters (all when none), one query."""
    stmt = _learner_filters(sa.select(sa.func.count()).select_from(CourseEnrollment)
                            .join(User, User.id == CourseEnrollment.user_id),
                            course_id, username_contains, user_contains, mode, user_ids, conditions)
    return int(db.session().scalar(stmt) or 0)


def enrollment_counts_by_mode(course_id: str) -> dict[str, int]:
    """How many users are actively enrolled in the course in each mode (one query; Open edX's
    ``CourseEnrollment.objects.enrollment_counts``, without its ``total``)."""
    rows = db.session().execute(
        sa.select(CourseEnrollment.mode, sa.func.count()).where(CourseEnrollment.course_id == str(course_id),
                                                                CourseEnrollment.is_active.is_(True))
        .group_by(CourseEnrollment.mode))
    return {row[0]: int(row[1]) for row in rows}


def allowance_in(course_id: str, email: str) -> Allowance | None:
    """The pre-enrollment of ``email`` in the course, or ``None``."""
    row = db.session().scalar(sa.select(CourseEnrollmentAllowed).where(
        CourseEnrollmentAllowed.email == email.strip().lower(), CourseEnrollmentAllowed.course_id == str(course_id)))
    return _allowance(row) if row is not None else None


def disallow_enrollment(course_id: str, email: str) -> bool:
    """Remove the pre-enrollment of ``email`` in the course (Open edX's ``unenroll_email`` deletes the
    ``CourseEnrollmentAllowed``), committed; false when there was none."""
    result = db.session().execute(sa.delete(CourseEnrollmentAllowed).where(
        CourseEnrollmentAllowed.email == email.strip().lower(), CourseEnrollmentAllowed.course_id == str(course_id)))
    db.session().commit()
    return bool(result.rowcount)
