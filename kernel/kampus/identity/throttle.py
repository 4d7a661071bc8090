"""Login throttling: failed logins counted per account and per address.

A login is refused (429) *before* the password is checked once the failures
within ``login_failure_window`` seconds for the account, or for the address,
reach ``login_failure_limit``. Failures for unknown accounts are recorded
under a digest of what was typed, so that a password typed in the user-name
field never reaches the database.
"""

from __future__ import annotations

import hashlib
import math
from datetime import timedelta

import sqlalchemy as sa
from sqlalchemy.orm import Session

from kampus.db import utcnow
from kampus.identity.models import LoginFailure, User

#: Failures older than this are deleted as new ones arrive.
KEEP_FAILURES = timedelta(days=1)


def account_key(user: User | None, typed: str) -> str:
    """The key failures of a login attempt are counted under."""
    if user is not None:
        return user.username
    return "?" + hashlib.sha256(typed.strip().lower().encode()).hexdigest()[:40]


def retry_after(db_session: Session, key: str, ip: str, limit: int, window: int) -> int | None:
    """Seconds to wait when ``key`` or ``ip`` is throttled, else ``None``."""
    since = utcnow() - timedelta(seconds=window)
    waits = []
    for column, value in ((LoginFailure.username, key), (LoginFailure.ip, ip)):
        if not value:
            continue
        times = list(
            db_session.scalars(
                sa.select(LoginFailure.at)
                .where(column == value, LoginFailure.at >= since)
                .order_by(LoginFailure.at.desc())
                .limit(limit)
            )
        )
        if len(times) >= limit:
            # Allowed again once the oldest of the last ``limit`` failures leaves the window.
            waits.append((times[-1] + timedelta(seconds=window) - utcnow()).total_seconds())
    if not waits:
        return None
    return max(1, math.ceil(max(waits)))


def record_failure(db_session: Session, key: str, ip: str) -> None:
    db_session.execute(sa.delete(LoginFailure).where(LoginFailure.at < utcnow() - KEEP_FAILURES))
    db_session.add(LoginFailure(username=key[:254], ip=ip[:64]))


def clear_failures(db_session: Session, key: str) -> None:
    """Forget the failures of an account (after a successful login or a password reset)."""
    db_session.execute(sa.delete(LoginFailure).where(LoginFailure.username == key))
