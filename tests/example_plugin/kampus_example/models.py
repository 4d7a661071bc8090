"""The plugin's own table: how many times each user logged in."""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa
from flask import current_app, has_app_context
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Mapped, mapped_column

from kampus.db import Base

#: Open edX's login event (edx.bi.user.account.authenticated), and the older name.
LOGIN_EVENTS = frozenset({"edx.bi.user.account.authenticated", "edx.user.login"})


class LoginCount(Base):
    __tablename__ = "example_login_count"

    user_id: Mapped[int] = mapped_column(sa.ForeignKey("kampus_user.id", ondelete="CASCADE"), primary_key=True)
    count: Mapped[int] = mapped_column(default=0)


def count_login(event: dict[str, Any]) -> None:
    """Add one to the login count of the event's user (login events only)."""
    if event.get("event_type") not in LOGIN_EVENTS or not has_app_context():
        return
    user_id = (event.get("context") or {}).get("user_id") or (event.get("event") or {}).get("user_id")
    if not user_id:
        return
    db = current_app.extensions["kampus"].db
    for _attempt in range(2):  # a concurrent first login of the same user may insert first
        try:
            with db.session_scope() as db_session:
                updated = db_session.execute(
                    sa.update(LoginCount).where(LoginCount.user_id == user_id).values(count=LoginCount.count + 1)
                ).rowcount
                if not updated:
                    db_session.add(LoginCount(user_id=user_id, count=1))
            return
        except IntegrityError:
            continue


def login_count(db_session: Any, user_id: int) -> int:
    row = db_session.get(LoginCount, user_id)
    return row.count if row else 0
