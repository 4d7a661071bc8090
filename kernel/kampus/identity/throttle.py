"""Throttling: failed logins per account and address, and request rates of busy endpoints.

A login is refused (429) *before* the password is checked once the failures
within ``login_failure_window`` seconds for the account, or for the address,
reach ``login_failure_limit``. Failures for unknown accounts are recorded
under a digest of what was typed, so that a password typed in the user-name
field never reaches the database.

Endpoints that anyone may call often and cheaply (``POST /event``) are
limited by a :class:`RateLimiter` instead: a token bucket per caller, kept in
the memory of the app (:func:`rate_limiter`), because writing the database
on every call would cost more than the call itself. Each web process counts
on its own, so with N gunicorn workers a caller gets at most N times the
limit: the point is to stop a flood, not to meter exactly.
"""

from __future__ import annotations

import hashlib
import math
import threading
import time
from collections.abc import Callable
from datetime import timedelta
from typing import TYPE_CHECKING

import sqlalchemy as sa
from sqlalchemy.orm import Session

from kampus.db import utcnow
from kampus.identity.models import LoginFailure, User

if TYPE_CHECKING:
    from kampus.app import Kampus

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


class RateLimiter:
    """At most ``limit`` calls per ``window`` seconds per key, in bursts of up to ``limit`` (a token bucket).

    Thread-safe; idle keys are forgotten once their bucket is full again.
    """

    #: Keys kept before idle ones are pruned.
    PRUNE_AT = 10_000

    def __init__(self, limit: int, window: float, clock: Callable[[], float] = time.monotonic):
        self.limit = limit
        self.window = window
        self.rate = limit / window
        self._clock = clock
        self._buckets: dict[str, tuple[float, float]] = {}  # key -> (tokens left, time of last call)
        self._lock = threading.Lock()

    def hit(self, key: str) -> int | None:
        """Count a call by ``key``: ``None`` when allowed, else the seconds to wait (at least 1)."""
        with self._lock:
            now = self._clock()
            tokens, last = self._buckets.get(key, (float(self.limit), now))
            tokens = min(float(self.limit), tokens + (now - last) * self.rate)
            if tokens < 1:
                self._buckets[key] = (tokens, now)
                return max(1, math.ceil((1 - tokens) / self.rate))
            self._buckets[key] = (tokens - 1, now)
            if len(self._buckets) > self.PRUNE_AT:
                self._prune(now)
            return None

    def _prune(self, now: float) -> None:
        for key, (tokens, last) in list(self._buckets.items()):
            if tokens + (now - last) * self.rate >= self.limit:
                del self._buckets[key]


def rate_limiter(kampus: Kampus, name: str, limit: int, window: float) -> RateLimiter:
    """The app's limiter called ``name`` (made on first use, kept on the app, never shared between apps)."""
    return kampus.kept(f"rate_limiter:{name}", lambda: RateLimiter(limit, window))
