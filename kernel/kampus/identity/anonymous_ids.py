"""Anonymous learner ids: one stored pseudonym per user and course (Open edX's ``AnonymousUserId``).

Blocks, external graders and LTI tools get a learner's per-course pseudonym
(the XBlock runtime's ``anonymous_student_id``) instead of the user name. A
tool keeps it, so it must never change. Deriving it from ``secret_key`` on
every call, as Kampus once did, changed every pseudonym when the key was
rotated; now the value is derived once (with that same formula, so that ids
handed out before the table existed stay the same) and kept in the table
``kampus_anonymous_user_id``. Later lookups read the table only.

The row is written in a session of its own and committed at once: a page
that only renders a block commits nothing, yet the pseudonym it shows must
be fixed from then on. Two requests creating the same row race on the
unique ``(user_id, course_id)`` constraint; the loser reads the winner's row.
One exception: on SQLite, when the caller's session (``db_session``) has
already written in its open transaction, it holds the database's only write
lock, and a second session would wait for it until the busy timeout; the
row is then added through a savepoint of the caller's session and commits
with the caller's work (its value is derived, so a rolled-back row comes
back the same).
"""

from __future__ import annotations

import hashlib

import sqlalchemy as sa
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from kampus.current import current_kampus
from kampus.errors import KampusError
from kampus.identity.models import AnonymousUserId

ID_CHARS = 32


def derived_anonymous_id(secret: str, user_id: int, course_id: str) -> str:
    """The first value of a pseudonym: a digest of the secret key, the course and the user."""
    return hashlib.sha256(f"{secret}|{course_id}|{user_id}".encode()).hexdigest()[:ID_CHARS]


def _holds_sqlite_write_lock(db_session: Session) -> bool:
    """Whether ``db_session`` is an SQLite session that has written in its open transaction."""
    if db_session.get_bind().dialect.name != "sqlite" or not db_session.in_transaction():
        return False
    return bool(getattr(db_session.connection().connection.driver_connection, "in_transaction", False))


#: The read of a stored pseudonym, built once (a unit page's problems ask on every view).
_PSEUDONYM_OF = sa.select(AnonymousUserId.anonymous_user_id).where(
    AnonymousUserId.user_id == sa.bindparam("user_id"), AnonymousUserId.course_id == sa.bindparam("course_id"))


def _create_in(db_session: Session, row: AnonymousUserId) -> str:
    """Add ``row`` through a savepoint of the caller's ``db_session`` (see the module's documentation)."""
    try:
        with db_session.begin_nested():
            db_session.add(row)
    except IntegrityError:
        found = db_session.scalar(_PSEUDONYM_OF, {"user_id": row.user_id, "course_id": row.course_id})
        if found is None:
            raise KampusError(f"no anonymous id for user {row.user_id}: no such user") from None
        return found
    return row.anonymous_user_id


def anonymous_id_for(user_id: int, course_id: str = "", *, db_session: Session | None = None) -> str:
    """The pseudonym of user ``user_id`` in ``course_id`` (``""``: site-wide), created on first use.

    Needs an app context. ``db_session`` is the caller's open session, if any: an
    existing pseudonym is read there; a new one is written in a session of its own
    (on SQLite, see the module's documentation, maybe in the caller's). Raises
    :class:`~kampus.errors.KampusError` when there is no such user.
    """
    kampus = current_kampus()
    key = {"user_id": user_id, "course_id": course_id}
    if db_session is not None:
        # an existing pseudonym (all but the first use) is read in the caller's session: no second connection
        with db_session.no_autoflush:
            found = db_session.scalar(_PSEUDONYM_OF, key)
        if found is not None:
            return found
    if db_session is not None and _holds_sqlite_write_lock(db_session):
        value = derived_anonymous_id(kampus.settings.secret_key or "", user_id, course_id)
        return _create_in(db_session, AnonymousUserId(user_id=user_id, course_id=course_id, anonymous_user_id=value))
    with kampus.db.sessionmaker() as own_session:
        found = own_session.scalar(_PSEUDONYM_OF, key)
        if found is not None:
            return found
        value = derived_anonymous_id(kampus.settings.secret_key or "", user_id, course_id)
        own_session.add(AnonymousUserId(user_id=user_id, course_id=course_id, anonymous_user_id=value))
        try:
            own_session.commit()
        except IntegrityError:
            # Another request created it first (or the user does not exist).
            own_session.rollback()
            found = own_session.scalar(_PSEUDONYM_OF, key)
            if found is None:
                raise KampusError(f"no anonymous id for user {user_id}: no such user") from None
            return found
    return value


def user_id_for_anonymous_id(anonymous_id: str) -> int | None:
    """The id of the user behind a pseudonym, or ``None`` (Open edX's ``user_by_anonymous_id``)."""
    with current_kampus().db.sessionmaker() as db_session:
        return db_session.scalar(
            sa.select(AnonymousUserId.user_id).where(AnonymousUserId.anonymous_user_id == anonymous_id)
        )
