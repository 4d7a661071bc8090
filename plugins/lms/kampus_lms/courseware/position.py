"""Where a learner was: the last unit viewed in each subsection, and the course's resume point.

Each unit view keeps one row per learner and subsection with a single upsert
(``INSERT ... ON CONFLICT`` on SQLite and PostgreSQL, ``ON DUPLICATE KEY
UPDATE`` on MariaDB/MySQL); the newest row of a course is where "Resume" leads.
Viewing again the unit the learner viewed last in the course changes neither,
and writes nothing (a read instead of a write: no write lock for a reload).
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

import sqlalchemy as sa
from sqlalchemy.dialects import mysql, postgresql, sqlite
from sqlalchemy.orm import Session

from kampus import db
from kampus.db import utcnow
from kampus_lms.courseware.models import Visit

#: The statements of the unit page and course home, built once (building and keying a statement per
#: request costs more than running it); parameters bound per call.
_VISITS = (sa.select(Visit.sequential_id, Visit.unit_id)
           .where(Visit.user_id == sa.bindparam("user_id"), Visit.course_id == sa.bindparam("course_id"))
           .order_by(Visit.modified.desc(), Visit.id.desc()))
_LATEST_VISIT = _VISITS.limit(1)
_LATEST_UNIT = (sa.select(Visit.unit_id)
                .where(Visit.user_id == sa.bindparam("user_id"), Visit.course_id == sa.bindparam("course_id"))
                .order_by(Visit.modified.desc(), Visit.id.desc())
                .limit(1))


def record_visit(user_id: int, course_id: str, sequential_id: str, unit_id: str, *,
                 db_session: Session | None = None) -> None:
    """Remember that ``user_id`` viewed ``unit_id`` of subsection ``sequential_id`` now (the caller commits);
    nothing is written when it is already the learner's newest visit in the course."""
    session = db_session or db.session()
    latest = session.execute(_LATEST_VISIT, {"user_id": user_id, "course_id": course_id}).first()
    if latest is not None and (latest[0], latest[1]) == (sequential_id, unit_id):
        return
    now = utcnow()
    values: dict[str, Any] = {"user_id": user_id, "course_id": course_id, "sequential_id": sequential_id,
                              "unit_id": unit_id, "modified": now}
    dialect = session.get_bind().dialect.name
    if dialect in ("sqlite", "postgresql"):
        insert = (sqlite.insert(Visit) if dialect == "sqlite" else postgresql.insert(Visit)).values(**values)
        statement: Any = insert.on_conflict_do_update(
            index_elements=["user_id", "sequential_id"],
            set_={"unit_id": insert.excluded.unit_id, "modified": insert.excluded.modified,
                  "course_id": insert.excluded.course_id})
    elif dialect in ("mysql", "mariadb"):
        insert = mysql.insert(Visit).values(**values)
        statement = insert.on_duplicate_key_update(unit_id=insert.inserted.unit_id,
                                                   modified=insert.inserted.modified)
    else:  # another database: update, else insert (two statements on the first visit only)
        updated = session.execute(sa.update(Visit).where(
            Visit.user_id == user_id, Visit.sequential_id == sequential_id).values(unit_id=unit_id, modified=now))
        if updated.rowcount:  # type: ignore[attr-defined]
            return
        statement = sa.insert(Visit).values(**values)
    session.execute(statement)


def course_visits(user_id: int, course_id: str, *, db_session: Session | None = None) -> dict[str, str]:
    """``{sequential usage id: unit usage id}`` of every subsection the learner visited in the course,
    newest visit first (one query)."""
    rows = (db_session or db.session()).execute(_VISITS, {"user_id": user_id, "course_id": course_id})
    return {str(sequential_id): str(unit_id) for sequential_id, unit_id in rows}


def last_visited_unit(user_id: int, course_id: str, *, db_session: Session | None = None) -> str | None:
    """The usage id of the unit the learner viewed last in the course, or ``None`` (one query)."""
    return (db_session or db.session()).scalar(_LATEST_UNIT, {"user_id": user_id, "course_id": course_id})


def last_visited_units(user_id: int, course_ids: Iterable[str], *,
                       db_session: Session | None = None) -> dict[str, str]:
    """``{course id: usage id of the unit viewed last}`` of the courses among ``course_ids`` the learner
    visited (one query whatever the number of courses)."""
    wanted = sorted(set(course_ids))
    if not wanted:
        return {}
    latest = (sa.select(Visit.course_id, sa.func.max(Visit.modified).label("modified"))
              .where(Visit.user_id == user_id, Visit.course_id.in_(wanted))
              .group_by(Visit.course_id).subquery())
    rows = (db_session or db.session()).execute(
        sa.select(Visit.course_id, Visit.unit_id)
        .join(latest, sa.and_(Visit.course_id == latest.c.course_id, Visit.modified == latest.c.modified))
        .where(Visit.user_id == user_id)
        .order_by(Visit.id.desc()))
    found: dict[str, str] = {}
    for course_id, unit_id in rows:
        found.setdefault(str(course_id), str(unit_id))  # the newest row when two share a time
    return found
