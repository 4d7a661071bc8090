"""Accounts, course roles, API tokens and login failures."""

from __future__ import annotations

from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column

from kampus.db import Base, UTCDateTime, utcnow


class User(Base):
    """An account. Passwords are stored only as argon2 hashes."""

    __tablename__ = "kampus_user"

    id: Mapped[int] = mapped_column(primary_key=True)
    username: Mapped[str] = mapped_column(sa.String(150), unique=True)
    email: Mapped[str] = mapped_column(sa.String(254), unique=True)
    name: Mapped[str] = mapped_column(sa.String(255), default="")
    password_hash: Mapped[str] = mapped_column(sa.String(255), default="")
    is_active: Mapped[bool] = mapped_column(default=True)
    is_staff: Mapped[bool] = mapped_column(default=False)
    is_superuser: Mapped[bool] = mapped_column(default=False)
    email_confirmed_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), default=None)
    date_joined: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    last_login: Mapped[datetime | None] = mapped_column(UTCDateTime(), default=None)
    # Changes whenever the password changes or sessions are revoked; sessions
    # and reset links carry it, so they die with it.
    session_token: Mapped[str] = mapped_column(sa.String(64), default="")

    # Flask-Login protocol.
    @property
    def is_authenticated(self) -> bool:
        return True

    @property
    def is_anonymous(self) -> bool:
        return False

    def get_id(self) -> str:
        return f"{self.id}:{self.session_token}"

    @property
    def display_name(self) -> str:
        return self.name or self.username

    def __repr__(self) -> str:
        return f"<User {self.username}>"


class CourseAccessRole(Base):
    """A course role (one of :data:`kampus.identity.roles.COURSE_ROLES`) held by a user.

    ``course_id`` empty with ``org`` set grants the role on every course of the org.
    """

    __tablename__ = "kampus_course_access_role"
    __table_args__ = (sa.UniqueConstraint("user_id", "org", "course_id", "role"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(sa.ForeignKey("kampus_user.id", ondelete="CASCADE"), index=True)
    org: Mapped[str] = mapped_column(sa.String(255), default="")
    course_id: Mapped[str] = mapped_column(sa.String(255), default="", index=True)
    role: Mapped[str] = mapped_column(sa.String(64))
    granted_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)


class ApiToken(Base):
    """A personal API token, used as ``Authorization: Bearer <token>``.

    Only a SHA-256 digest of the token is kept; the token is shown once.
    """

    __tablename__ = "kampus_api_token"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(sa.ForeignKey("kampus_user.id", ondelete="CASCADE"), index=True)
    name: Mapped[str] = mapped_column(sa.String(100))
    prefix: Mapped[str] = mapped_column(sa.String(16))
    digest: Mapped[str] = mapped_column(sa.String(64), unique=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    last_used_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), default=None)
    revoked_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), default=None)


class LoginFailure(Base):
    """A failed login, counted per account and per address for throttling."""

    __tablename__ = "kampus_login_failure"

    id: Mapped[int] = mapped_column(primary_key=True)
    username: Mapped[str] = mapped_column(sa.String(254), index=True)
    ip: Mapped[str] = mapped_column(sa.String(64), index=True)
    at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow, index=True)


class AnonymousUserId(Base):
    """A learner's pseudonym in one course (Open edX's ``student.AnonymousUserId``).

    Stored rather than derived, so that the pseudonyms given to blocks and
    external graders stay the same when the site's ``secret_key`` changes.
    """

    __tablename__ = "kampus_anonymous_user_id"
    __table_args__ = (sa.UniqueConstraint("user_id", "course_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(sa.ForeignKey("kampus_user.id", ondelete="CASCADE"), index=True)
    course_id: Mapped[str] = mapped_column(sa.String(255), default="")
    anonymous_user_id: Mapped[str] = mapped_column(sa.String(32), unique=True)
