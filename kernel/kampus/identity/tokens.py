"""Personal API tokens: created and revoked on the account page, used as bearer tokens."""

from __future__ import annotations

import hashlib
import secrets
from datetime import timedelta

import sqlalchemy as sa
from flask import Request
from sqlalchemy.orm import Session

from kampus import db
from kampus.db import utcnow
from kampus.identity.models import ApiToken, User

TOKEN_PREFIX = "kmp_"
#: How exact a token's "last used" time is: it is written at most once per this interval, so that
#: API clients do not turn every read into a database write.
LAST_USED_PRECISION = timedelta(minutes=5)


def digest(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def create_token(db_session: Session, user: User, name: str) -> tuple[ApiToken, str]:
    """A new token for ``user``; returns the record and the token, shown once."""
    token = TOKEN_PREFIX + secrets.token_urlsafe(32)
    record = ApiToken(user_id=user.id, name=name.strip()[:100] or "token", prefix=token[:12], digest=digest(token))
    db_session.add(record)
    db_session.flush()
    return record, token


def revoke_token(db_session: Session, user: User, token_id: int) -> bool:
    """Revoke one of ``user``'s tokens; False when there is no such live token."""
    record = db_session.get(ApiToken, token_id)
    if record is None or record.user_id != user.id or record.revoked_at is not None:
        return False
    record.revoked_at = utcnow()
    return True


def bearer_token_of(request: Request) -> str | None:
    """The bearer token of a request's Authorization header, if any."""
    header = request.headers.get("Authorization", "")
    scheme, _, value = header.partition(" ")
    if scheme.lower() != "bearer" or not value.strip():
        return None
    return value.strip()


def load_bearer_user(request: Request) -> User | None:
    """Flask-Login's request loader: the active user of a live bearer token."""
    token = bearer_token_of(request)
    if token is None:
        return None
    db_session = db.session()
    record = db_session.scalar(
        sa.select(ApiToken).where(ApiToken.digest == digest(token), ApiToken.revoked_at.is_(None))
    )
    if record is None:
        return None
    user = db_session.get(User, record.user_id)
    if user is None or not user.is_active:
        return None
    now = utcnow()
    if record.last_used_at is None or now - record.last_used_at >= LAST_USED_PRECISION:
        # Compare-and-set: of concurrent requests past the interval, one writes; the rest update no row.
        db_session.execute(
            sa.update(ApiToken)
            .where(ApiToken.id == record.id,
                   sa.or_(ApiToken.last_used_at.is_(None), ApiToken.last_used_at <= now - LAST_USED_PRECISION))
            .values(last_used_at=now)
            .execution_options(synchronize_session=False)
        )
        db_session.commit()
    return user
