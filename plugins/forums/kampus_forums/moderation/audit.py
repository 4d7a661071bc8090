"""The audit log of moderators' actions in a course's forums: every area records into it here."""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa

from kampus import db
from kampus.db import utcnow
from kampus_forums.moderation.models import AuditEntry

#: Audit actions the moderation area writes itself (other areas add theirs, e.g. ``thread.deleted``).
USER_BANNED = "user.banned"
USER_MUTED = "user.muted"
RESTRICTION_LIFTED = "restriction.lifted"
#: an organization ban lifted in one course only (Open edX's ``ACTION_BAN_EXCEPTION``)
BAN_EXCEPTION = "ban.exception"
ROLE_GRANTED = "role.granted"
ROLE_REVOKED = "role.revoked"
SETTINGS_CHANGED = "settings.changed"
USER_POSTS_DELETED = "user.posts_deleted"


def _who(moderator: Any) -> tuple[int | None, str]:
    """The id and username of ``moderator``: a user, a ``ForumUser``, or ``None`` (the system)."""
    if moderator is None:
        return None, ""
    user = getattr(moderator, "user", moderator)
    user_id = getattr(user, "id", None)
    return (int(user_id) if user_id is not None else None), str(getattr(user, "username", "") or "")


def record(course_id: str, moderator: Any, action: str, *, target_type: str = "", target_id: str | int = "",
           target_user_id: int | None = None, reason: str = "", details: dict[str, Any] | None = None) -> None:
    """Add one :class:`AuditEntry` to the current session (the caller commits with its own write)."""
    moderator_id, moderator_username = _who(moderator)
    db.session().add(AuditEntry(
        course_id=str(course_id), moderator_id=moderator_id, moderator_username=moderator_username[:150],
        action=str(action)[:64], target_type=str(target_type)[:16], target_id=str(target_id)[:64],
        target_user_id=int(target_user_id) if target_user_id is not None else None,
        reason=str(reason or "")[:500], details=dict(details or {}), created_at=utcnow()))


def rename_moderator(user_id: int, username: str) -> int:
    """Show ``username`` as the moderator of the user's entries (a retirement or a new name), in the current
    session (the caller commits). How many entries changed."""
    return int(db.session().execute(sa.update(AuditEntry).where(AuditEntry.moderator_id == int(user_id))
                                    .values(moderator_username=str(username)[:150])).rowcount or 0)
