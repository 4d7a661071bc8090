"""Cohorts and content groups (Open edX's ``openedx/core/djangoapps/course_groups``).

* A course is cohorted or not (:func:`is_cohorted`, :func:`set_cohorted`). In a cohorted course each
  learner is in at most one cohort.
* A cohort is ``manual`` (course staff add learners) or ``random`` (Open edX's ``assignment_type``): a
  learner who enrolls in a cohorted course and is in no cohort joins one of the random cohorts, picked at
  random (a course with none gets Open edX's "Default Group"), see :func:`on_enrolled`.
* Learners are added by username or e-mail (:func:`add_users_to_cohort`, Open edX's answer shape; an
  address without an account is pre-assigned: its account joins the cohort when it enrolls), removed
  (:func:`remove_user_from_cohort`), or assigned from a CSV file (:func:`assign_from_csv`: every row is
  checked first; one bad row applies nothing).
* Content groups are the groups of the course's user partitions with scheme ``cohort`` (the course's
  ``user_partitions`` policy, as Studio writes it). A cohort may be linked to one of them; a learner in a
  linked cohort belongs to that group: :func:`user_partition_groups` is what the LMS's access rule reads
  to show a block whose ``group_access`` names the group.

Every write commits (or rolls back) the app context's session.
"""

from __future__ import annotations

import csv
import io
import random
from dataclasses import dataclass
from typing import Any

import sqlalchemy as sa
from flask import g, has_request_context
from flask_babel import gettext as _
from kampus_content.api import ContentStoreError, get_structure
from sqlalchemy.exc import IntegrityError

from kampus import db
from kampus.db import contains_text, utcnow
from kampus.errors import KampusError
from kampus.identity.models import User
from kampus_lms.cohorts.models import Cohort as CohortRow
from kampus_lms.cohorts.models import CohortContentGroup, CohortMembership, CohortPreassignment, CohortSettings
from kampus_lms.upsert import upsert

MANUAL = "manual"
RANDOM = "random"
ASSIGNMENT_TYPES = (MANUAL, RANDOM)
#: Open edX's ``DEFAULT_COHORT_NAME``: the random cohort made when a cohorted course has none.
DEFAULT_COHORT_NAME = "Default Group"
#: Open edX's ``CohortPartitionScheme`` name in a course's ``user_partitions``.
COHORT_SCHEME = "cohort"
#: Largest CSV file :func:`assign_from_csv` reads.
MAX_CSV_BYTES = 2 * 1024 * 1024


class CohortError(KampusError):
    """A cohort action refused: ``message`` is translated, ``field`` names the bad input."""

    def __init__(self, message: str, field: str = "", status: int = 400):
        super().__init__(message)
        self.message = message
        self.field = field
        self.status = status


@dataclass(frozen=True)
class CohortInfo:
    """A cohort as Open edX's cohort API answers it."""

    id: int
    course_id: str
    name: str
    assignment_type: str
    user_count: int
    user_partition_id: int | None
    group_id: int | None

    def as_json(self) -> dict[str, Any]:
        """Open edX's ``_get_cohort_representation``."""
        return {"name": self.name, "id": self.id, "user_count": self.user_count,
                "assignment_type": self.assignment_type, "user_partition_id": self.user_partition_id,
                "group_id": self.group_id}


@dataclass(frozen=True)
class ContentGroup:
    """A group of a course's ``cohort`` user partition."""

    partition_id: int
    partition_name: str
    id: int
    name: str


# -- settings ------------------------------------------------------------------------------------------------


#: The statement of :func:`is_cohorted`, built once (its parameter bound per call).
_IS_COHORTED = sa.select(CohortSettings.is_cohorted).where(CohortSettings.course_id == sa.bindparam("course_id"))


def is_cohorted(course_id: str) -> bool:
    """Whether the course is cohorted (read once per request: a course page asks it for its tabs, its
    discussion division and its learner's group; :func:`set_cohorted` drops the answer)."""
    course_id = str(course_id)
    cache = _settings_cache()
    if cache is not None and course_id in cache:
        return cache[course_id]
    cohorted = bool(db.session().scalar(_IS_COHORTED, {"course_id": course_id}))
    if cache is not None:
        cache[course_id] = cohorted
    return cohorted


def _settings_row(course_id: str, **changes: Any) -> CohortSettings:
    """The course's settings row with ``changes`` set, added (flushed, not committed) when it has none yet,
    also when another request adds it at the same time (read with a lock: MariaDB's repeatable-read snapshot,
    taken before that request committed, would not show the row to a plain SELECT)."""
    course_id = str(course_id)
    upsert(CohortSettings, {"course_id": course_id}, changes, new={"is_cohorted": False, "modified": utcnow()})
    return db.session().scalars(sa.select(CohortSettings).where(CohortSettings.course_id == course_id)
                                .with_for_update().execution_options(populate_existing=True)).one()


def cohort_settings(course_id: str) -> dict[str, Any]:
    """Open edX's cohort settings representation, ``{"id", "is_cohorted"}``: ``id`` is the integer id of the
    course's settings, which (as Open edX does) the first read of a course without any makes (committed; the
    callers check that the course exists first, as Open edX's views answer 404 for an unknown course)."""
    session = db.session()
    row = session.scalar(sa.select(CohortSettings).where(CohortSettings.course_id == str(course_id)))
    if row is None:
        row = _settings_row(course_id)
    answer = {"id": int(row.id), "is_cohorted": bool(row.is_cohorted)}
    session.commit()
    return answer


def set_cohorted(course_id: str, cohorted: bool) -> None:
    """Turn cohorts on or off for the course (committed)."""
    _settings_row(course_id, is_cohorted=cohorted, modified=utcnow())
    db.session().commit()
    _forget()


# -- content groups ------------------------------------------------------------------------------------------


def content_groups(course_id: str) -> list[ContentGroup]:
    """The groups of the published course's user partitions with scheme ``cohort`` (none when the course
    is not published or sets none)."""
    try:
        structure = get_structure(str(course_id))
    except ContentStoreError:
        return []
    partitions = structure.blocks[structure.root].fields.get("user_partitions") or []
    found: list[ContentGroup] = []
    for partition in partitions if isinstance(partitions, list) else []:
        if not isinstance(partition, dict) or partition.get("scheme") != COHORT_SCHEME:
            continue
        if partition.get("active") is False:
            continue
        try:
            partition_id = int(partition["id"])
        except (KeyError, TypeError, ValueError):
            continue
        for group in partition.get("groups") or []:
            try:
                found.append(ContentGroup(partition_id, str(partition.get("name") or ""), int(group["id"]),
                                          str(group.get("name") or group["id"])))
            except (KeyError, TypeError, ValueError):
                continue
    return found


# -- cohorts -------------------------------------------------------------------------------------------------


def _counts(course_id: str) -> dict[int, int]:
    rows = db.session().execute(sa.select(CohortMembership.cohort_id, sa.func.count())
                                .where(CohortMembership.course_id == course_id)
                                .group_by(CohortMembership.cohort_id))
    return {row[0]: row[1] for row in rows}


def _links(cohort_ids: list[int]) -> dict[int, tuple[int, int]]:
    if not cohort_ids:
        return {}
    rows = db.session().scalars(sa.select(CohortContentGroup).where(CohortContentGroup.cohort_id.in_(cohort_ids)))
    return {row.cohort_id: (row.partition_id, row.group_id) for row in rows}


def _info(row: CohortRow, count: int, link: tuple[int, int] | None) -> CohortInfo:
    return CohortInfo(row.id, row.course_id, row.name, row.assignment_type, count,
                      link[0] if link else None, link[1] if link else None)


def list_cohorts(course_id: str) -> list[CohortInfo]:
    """The course's cohorts by name, with their sizes and content groups (three queries)."""
    course_id = str(course_id)
    rows = db.session().scalars(sa.select(CohortRow).where(CohortRow.course_id == course_id)
                                .order_by(CohortRow.name)).all()
    counts = _counts(course_id)
    links = _links([row.id for row in rows])
    return [_info(row, counts.get(row.id, 0), links.get(row.id)) for row in rows]


def get_cohort(course_id: str, cohort_id: int) -> CohortInfo | None:
    """One cohort of the course, or ``None``."""
    return next((item for item in list_cohorts(course_id) if item.id == cohort_id), None)


def _check_group(course_id: str, partition_id: int | None, group_id: int | None) -> tuple[int, int] | None:
    if group_id is None:
        return None
    groups = content_groups(course_id)
    for group in groups:
        if group.id == group_id and (partition_id is None or group.partition_id == partition_id):
            return group.partition_id, group.id
    raise CohortError(_("The course has no content group %(group)s.", group=group_id), "group_id")


def _clean_name(name: Any) -> str:
    text = str(name or "").strip()
    if not text:
        raise CohortError(_("A cohort needs a name."), "name")
    if len(text) > 255:
        raise CohortError(_("A cohort name has at most 255 characters."), "name")
    return text


def create_cohort(course_id: str, name: str, assignment_type: str = MANUAL, *, group_id: int | None = None,
                  user_partition_id: int | None = None) -> CohortInfo:
    """Create a cohort (committed); refused when the name is taken, the type unknown or the group missing."""
    course_id = str(course_id)
    name = _clean_name(name)
    if assignment_type not in ASSIGNMENT_TYPES:
        raise CohortError(_("The assignment type must be manual or random."), "assignment_type")
    link = _check_group(course_id, user_partition_id, group_id)
    session = db.session()
    try:
        with session.begin_nested():
            row = CohortRow(course_id=course_id, name=name, assignment_type=assignment_type, created=utcnow())
            session.add(row)
            session.flush()
            if link is not None:
                session.add(CohortContentGroup(cohort_id=row.id, partition_id=link[0], group_id=link[1]))
    except IntegrityError:
        session.rollback()
        raise CohortError(_("You cannot create two cohorts with the same name"), "name") from None
    session.commit()
    _forget()
    return _info(row, 0, link)


def update_cohort(course_id: str, cohort_id: int, *, name: str | None = None, assignment_type: str | None = None,
                  group_id: int | None | Any = ..., user_partition_id: int | None = None) -> CohortInfo:
    """Rename a cohort, change its type, or link it to a content group (``group_id=None`` unlinks);
    committed. Open edX's rule: the last random cohort cannot become manual while the course is cohorted."""
    course_id = str(course_id)
    session = db.session()
    row = session.scalar(sa.select(CohortRow).where(CohortRow.id == cohort_id, CohortRow.course_id == course_id))
    if row is None:
        raise CohortError(_("There is no cohort %(id)s in this course.", id=cohort_id), "cohort_id", 404)
    if name is not None:
        new_name = _clean_name(name)
        if new_name != row.name and session.scalar(sa.select(CohortRow.id).where(
                CohortRow.course_id == course_id, CohortRow.name == new_name)) is not None:
            raise CohortError(_("A cohort with the same name already exists."), "name")
        row.name = new_name
    if assignment_type is not None:
        if assignment_type not in ASSIGNMENT_TYPES:
            raise CohortError(_("The assignment type must be manual or random."), "assignment_type")
        if row.assignment_type == RANDOM and assignment_type == MANUAL and is_cohorted(course_id):
            randoms = session.scalar(sa.select(sa.func.count()).select_from(CohortRow).where(
                CohortRow.course_id == course_id, CohortRow.assignment_type == RANDOM)) or 0
            if randoms <= 1:
                session.rollback()
                raise CohortError(_("There must be one cohort to which students can automatically be assigned."),
                                  "assignment_type")
        row.assignment_type = assignment_type
    if group_id is not ...:
        link = _check_group(course_id, user_partition_id, group_id)
        session.execute(sa.delete(CohortContentGroup).where(CohortContentGroup.cohort_id == row.id))
        if link is not None:
            session.add(CohortContentGroup(cohort_id=row.id, partition_id=link[0], group_id=link[1]))
    session.commit()
    _forget()
    info = get_cohort(course_id, row.id)
    assert info is not None
    return info


def delete_cohort(course_id: str, cohort_id: int) -> bool:
    """Delete an empty cohort (committed); false when there is none. A cohort with learners is refused."""
    session = db.session()
    row = session.scalar(sa.select(CohortRow).where(CohortRow.id == cohort_id, CohortRow.course_id == str(course_id)))
    if row is None:
        return False
    if session.scalar(sa.select(CohortMembership.id).where(CohortMembership.cohort_id == row.id).limit(1)):
        raise CohortError(_("Only an empty cohort can be deleted."), "cohort_id", 400)
    session.delete(row)
    session.commit()
    _forget()
    return True


# -- members -------------------------------------------------------------------------------------------------


def cohort_of(user_id: int, course_id: str) -> CohortInfo | None:
    """The learner's cohort in the course, or ``None``."""
    cohort_id = db.session().scalar(sa.select(CohortMembership.cohort_id).where(
        CohortMembership.user_id == user_id, CohortMembership.course_id == str(course_id)))
    return get_cohort(course_id, cohort_id) if cohort_id is not None else None


def cohort_members(course_id: str, cohort_id: int, *, offset: int = 0, limit: int = 100,
                   search: str = "") -> tuple[list[User], int]:
    """A page of a cohort's members by username, and how many there are; ``search``: only the members whose
    username or e-mail address contains it (ignoring case)."""
    base = (sa.select(User).join(CohortMembership, CohortMembership.user_id == User.id)
            .where(CohortMembership.cohort_id == cohort_id, CohortMembership.course_id == str(course_id)))
    if search:
        base = base.where(sa.or_(contains_text(User.username, search), contains_text(User.email, search)))
    total = db.session().scalar(sa.select(sa.func.count()).select_from(base.subquery())) or 0
    users = db.session().scalars(base.order_by(User.username).offset(offset).limit(limit)).all()
    return list(users), int(total)


def cohort_member_ids(course_id: str, cohort_id: int) -> list[int]:
    """The user ids of a cohort's members, ascending (one query, no accounts loaded: for reports and
    bulk e-mail)."""
    return list(db.session().scalars(sa.select(CohortMembership.user_id).where(
        CohortMembership.cohort_id == cohort_id, CohortMembership.course_id == str(course_id))
        .order_by(CohortMembership.user_id)))


def cohort_member_ids_query(course_id: str, cohort_id: int) -> sa.Select[Any]:
    """A query of the user ids of a cohort's members, to filter other queries with (``user_id IN (...)``
    as a subquery: a cohort of any size, no id list sent to the database)."""
    return sa.select(CohortMembership.user_id).where(
        CohortMembership.cohort_id == cohort_id, CohortMembership.course_id == str(course_id))


def cohort_names_of(course_id: str, user_ids: list[int]) -> dict[int, str]:
    """The name of the cohort of each of ``user_ids`` in the course (those in none are left out), one query."""
    wanted = sorted({int(user_id) for user_id in user_ids})
    if not wanted:
        return {}
    rows = db.session().execute(
        sa.select(CohortMembership.user_id, CohortRow.name).join(CohortRow, CohortRow.id == CohortMembership.cohort_id)
        .where(CohortMembership.course_id == str(course_id), CohortMembership.user_id.in_(wanted)))
    return {int(row[0]): str(row[1]) for row in rows}


def _find_user(identifier: str) -> User | None:
    lowered = identifier.strip().lower()
    if not lowered or len(lowered) > 254 or "\x00" in lowered:
        return None
    return db.session().scalar(sa.select(User).where(
        sa.or_(sa.func.lower(User.username) == lowered, sa.func.lower(User.email) == lowered)))


def _place(user_id: int, course_id: str, cohort_id: int) -> int | None:
    """Put the user in the cohort (not committed); the id of the cohort they left, else ``None``."""
    session = db.session()
    membership = session.scalar(sa.select(CohortMembership).where(
        CohortMembership.user_id == user_id, CohortMembership.course_id == course_id))
    if membership is None:
        session.add(CohortMembership(cohort_id=cohort_id, user_id=user_id, course_id=course_id, created=utcnow()))
        session.flush()
        return None
    previous = membership.cohort_id
    membership.cohort_id = cohort_id
    session.flush()
    return previous


def split_identifiers(text: str) -> list[str]:
    """Usernames or e-mail addresses separated by commas, spaces or new lines (Open edX's
    ``_split_input_list`` and ``split_by_comma_and_whitespace``; neither holds a space), blanks dropped,
    order kept, duplicates once."""
    seen: dict[str, None] = {}
    for part in str(text or "").replace(",", " ").split():
        seen.setdefault(part, None)
    return list(seen)


def add_users_to_cohort(course_id: str, cohort_id: int, identifiers: list[str]) -> dict[str, Any]:
    """Add users (usernames or e-mail addresses) to a cohort at once (committed before it returns); Open
    edX's answer: ``{"success", "added", "changed", "present", "unknown", "preassigned", "invalid"}`` where
    an ``added`` entry is ``{"username", "email"}`` and a ``changed`` one also has ``previous_cohort`` (the
    name of the cohort the user left)."""
    course_id = str(course_id)
    cohort = get_cohort(course_id, cohort_id)
    if cohort is None:
        raise CohortError(_("There is no cohort %(id)s in this course.", id=cohort_id), "cohort_id", 404)
    names = {item.id: item.name for item in list_cohorts(course_id)}
    added: list[dict[str, str]] = []
    changed: list[dict[str, str]] = []
    present: list[str] = []
    unknown: list[str] = []
    invalid: list[str] = []
    preassigned: list[str] = []
    try:
        for identifier in identifiers:
            user = _find_user(identifier)
            if user is None:
                if "@" not in identifier:
                    unknown.append(identifier)
                elif _valid_email(identifier):
                    _preassign(course_id, cohort_id, identifier)
                    preassigned.append(identifier)
                else:
                    invalid.append(identifier)
                continue
            current = db.session().scalar(sa.select(CohortMembership.cohort_id).where(
                CohortMembership.user_id == user.id, CohortMembership.course_id == course_id))
            if current == cohort_id:
                present.append(identifier)
                continue
            _place(user.id, course_id, cohort_id)
            if current is None:
                added.append({"username": user.username, "email": user.email})
            else:
                changed.append({"email": user.email, "previous_cohort": names.get(current, ""),
                                "username": user.username})
        db.session().commit()
    except BaseException:
        db.session().rollback()
        raise
    _forget()
    return {"success": True, "added": added, "changed": changed, "present": present, "unknown": unknown,
            "preassigned": preassigned, "invalid": invalid}


def _valid_email(text: str) -> bool:
    local, at, domain = text.strip().rpartition("@")
    return bool(at and local and "." in domain and " " not in text.strip() and len(text) <= 254)


def _preassign(course_id: str, cohort_id: int, email: str) -> None:
    """Keep (not committed) the cohort of an address without an account."""
    session = db.session()
    email = email.strip().lower()
    row = session.scalar(sa.select(CohortPreassignment).where(CohortPreassignment.course_id == course_id,
                                                              CohortPreassignment.email == email))
    if row is None:
        session.add(CohortPreassignment(cohort_id=cohort_id, course_id=course_id, email=email, created=utcnow()))
    else:
        row.cohort_id = cohort_id
    session.flush()


def remove_user_from_cohort(course_id: str, cohort_id: int, identifier: str) -> bool:
    """Take a user out of a cohort (committed); false when they were not in it. Raises
    :class:`CohortError` for an unknown user."""
    user = _find_user(identifier)
    if user is None:
        raise CohortError(_("No user '%(name)s'", name=identifier), "username", 404)
    result = db.session().execute(sa.delete(CohortMembership).where(
        CohortMembership.user_id == user.id, CohortMembership.course_id == str(course_id),
        CohortMembership.cohort_id == cohort_id))
    db.session().commit()
    _forget()
    return bool(result.rowcount)


def assign_from_csv(course_id: str, data: bytes) -> dict[str, Any]:
    """Assign learners to cohorts from a CSV file (columns ``cohort`` and ``username`` or ``email``, Open
    edX's format). Every row is checked first; when any row is wrong nothing is applied and the answer is
    ``{"success": False, "errors": [{"row", "message"}]}``; else ``{"success": True, "assigned": n}``."""
    course_id = str(course_id)
    if len(data) > MAX_CSV_BYTES:
        raise CohortError(_("The file is larger than %(size)s MB.", size=MAX_CSV_BYTES // (1024 * 1024)), "file")
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise CohortError(_("The file is not UTF-8 text."), "file") from None
    try:
        rows = list(csv.reader(io.StringIO(text)))
    except csv.Error as error:
        raise CohortError(_("The file is not a CSV file: %(error)s", error=str(error)), "file") from None
    if not rows:
        raise CohortError(_("The file is empty."), "file")
    header = [cell.strip().lower() for cell in rows[0]]
    if "cohort" not in header or not ({"username", "email"} & set(header)):
        raise CohortError(_("The file must contain a 'cohort' column, and a 'username' or 'email' column."), "file")
    columns = {name: header.index(name) for name in ("cohort", "username", "email") if name in header}
    cohorts = {item.name: item.id for item in list_cohorts(course_id)}
    errors: list[dict[str, Any]] = []
    plan: list[tuple[int, int]] = []
    for number, row in enumerate(rows[1:], start=2):
        if not any(cell.strip() for cell in row):
            continue

        def cell(name: str, row: list[str] = row) -> str:
            index = columns.get(name)
            return row[index].strip() if index is not None and index < len(row) else ""

        identifier = cell("username") or cell("email")
        cohort_name = cell("cohort")
        if not identifier:
            errors.append({"row": number, "message": _("The row names no username or e-mail address.")})
            continue
        user = _find_user(identifier)
        if user is None:
            errors.append({"row": number, "message": _("No user '%(name)s'.", name=identifier)})
        if cohort_name not in cohorts:
            errors.append({"row": number, "message": _("There is no cohort named '%(name)s'.", name=cohort_name)})
        if user is not None and cohort_name in cohorts:
            plan.append((user.id, cohorts[cohort_name]))
    if errors:
        return {"success": False, "errors": errors, "assigned": 0}
    try:
        for user_id, cohort_id in plan:
            _place(user_id, course_id, cohort_id)
        db.session().commit()
    except BaseException:
        db.session().rollback()
        raise
    _forget()
    return {"success": True, "errors": [], "assigned": len(plan)}


# -- random assignment and content-group access ---------------------------------------------------------------


def on_enrolled(user_id: int, course_id: str) -> CohortInfo | None:
    """A learner enrolled: in a cohorted course, one in no cohort joins a random cohort (Open edX's
    ``assign_user_to_cohort`` on enrollment; a course without random cohorts gets "Default Group")."""
    course_id = str(course_id)
    if not is_cohorted(course_id) or cohort_of(user_id, course_id) is not None:
        return None
    session = db.session()
    email = session.scalar(sa.select(User.email).where(User.id == user_id))
    waiting = session.scalar(sa.select(CohortPreassignment).where(
        CohortPreassignment.course_id == course_id, CohortPreassignment.email == str(email or "").strip().lower()))
    if waiting is not None:
        try:
            _place(user_id, course_id, waiting.cohort_id)
            session.delete(waiting)
            session.commit()
        except IntegrityError:
            session.rollback()
        _forget()
        return cohort_of(user_id, course_id)
    randoms = session.scalars(sa.select(CohortRow.id).where(CohortRow.course_id == course_id,
                                                            CohortRow.assignment_type == RANDOM)
                              .order_by(CohortRow.id)).all()
    if not randoms:
        existing = session.scalar(sa.select(CohortRow.id).where(CohortRow.course_id == course_id,
                                                                CohortRow.name == DEFAULT_COHORT_NAME))
        if existing is None:
            try:
                existing = create_cohort(course_id, DEFAULT_COHORT_NAME, RANDOM).id
            except CohortError:  # made by a concurrent enrollment meanwhile
                existing = session.scalar(sa.select(CohortRow.id).where(CohortRow.course_id == course_id,
                                                                        CohortRow.name == DEFAULT_COHORT_NAME))
        if existing is None:
            return None
        chosen = existing
    else:
        chosen = random.SystemRandom().choice(list(randoms))
    try:
        _place(user_id, course_id, chosen)
        session.commit()
    except IntegrityError:  # placed by a concurrent request meanwhile
        session.rollback()
    _forget()
    return cohort_of(user_id, course_id)


def _forget() -> None:
    """Drop what the request read of cohorts (after a write)."""
    if has_request_context():
        g.pop("_lms_cohort_groups", None)
        g.pop("_lms_cohorted", None)


def _groups_cache() -> dict[tuple[int, str], dict[int, int]] | None:
    return g.setdefault("_lms_cohort_groups", {}) if has_request_context() else None


def _settings_cache() -> dict[str, bool] | None:
    return g.setdefault("_lms_cohorted", {}) if has_request_context() else None


def _read_partition_groups(user_ids: list[int], course_id: str) -> dict[int, dict[int, int]]:
    """``{user_id: {partition_id: group_id}}`` of the learners among ``user_ids`` whose cohort is linked to a
    content group, in a cohorted course: one query (the course is cohorted, the cohorts, their groups)."""
    rows = db.session().execute(
        sa.select(CohortMembership.user_id, CohortContentGroup.partition_id, CohortContentGroup.group_id)
        .join(CohortMembership, CohortMembership.cohort_id == CohortContentGroup.cohort_id)
        .join(CohortSettings, CohortSettings.course_id == CohortMembership.course_id)
        .where(CohortMembership.user_id.in_(user_ids), CohortMembership.course_id == str(course_id),
               CohortSettings.is_cohorted.is_(True)))
    return {int(row[0]): {int(row[1]): int(row[2])} for row in rows}


def user_partition_groups(user_id: int | None, course_id: str) -> dict[int, int]:
    """``{partition_id: group_id}``: the content group of the learner's cohort, when the course is cohorted
    and the cohort is linked to one (read once per request)."""
    if user_id is None:
        return {}
    return partition_groups_of([user_id], course_id)[int(user_id)]


def partition_groups_of(user_ids: list[int], course_id: str) -> dict[int, dict[int, int]]:
    """:func:`user_partition_groups` of several learners at once, ``{user_id: {partition_id: group_id}}`` (every
    one of ``user_ids`` is a key): one query for those the request has not read yet, whatever their number
    (grading a batch of learners reads their groups as it reads their scores)."""
    course_id = str(course_id)
    cache = _groups_cache()
    wanted = sorted({int(user_id) for user_id in user_ids})
    known = {user_id: cache[(user_id, course_id)] for user_id in wanted
             if cache is not None and (user_id, course_id) in cache}
    missing = [user_id for user_id in wanted if user_id not in known]
    if missing:
        found = _read_partition_groups(missing, course_id)
        for user_id in missing:
            known[user_id] = found.get(user_id, {})
            if cache is not None:
                cache[(user_id, course_id)] = known[user_id]
    return known


__all__ = [
    "ASSIGNMENT_TYPES",
    "DEFAULT_COHORT_NAME",
    "MANUAL",
    "RANDOM",
    "CohortError",
    "CohortInfo",
    "ContentGroup",
    "add_users_to_cohort",
    "assign_from_csv",
    "cohort_member_ids",
    "cohort_members",
    "cohort_of",
    "cohort_settings",
    "content_groups",
    "create_cohort",
    "delete_cohort",
    "get_cohort",
    "is_cohorted",
    "list_cohorts",
    "on_enrolled",
    "partition_groups_of",
    "remove_user_from_cohort",
    "set_cohorted",
    "split_identifiers",
    "update_cohort",
    "user_partition_groups",
]
