"""Reading one post, and who may do what with it (Open edX's ``rest_api/permissions.py`` rules).

* privileged users (moderators, community TAs; group moderators on their own group's threads only) pin,
  close, endorse and edit others' posts; the author, a moderator or a group moderator of the thread's
  group deletes (a community TA does not delete others' posts): :func:`is_privileged_on`,
  :func:`can_delete`, :func:`thread_editable_fields`, :func:`comment_editable_fields`;
* ``anonymous`` posts show their author to the course's moderators only (Kampus: staff still see the
  author), ``anonymous_to_peers`` posts to privileged users only: :func:`author_visible`;
* cohort-divided threads are read by their group and privileged users only: :func:`check_visible`;
* a ban stops posting, voting and flagging, a mute stops posting, a blackout stops learners posting;
* a learner writes at most ``forums_post_rate_limit`` posts per ``forums_post_rate_window`` seconds (Open edX's
  content-creation rate limit, ``DISCUSSION_RATELIMIT``): :func:`check_post_rate`.

Refusals are :class:`ForumError` (``status``, ``message``, ``field_errors``).
"""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from flask import g, has_request_context

from kampus import db
from kampus.current import current_kampus
from kampus.db import utcnow
from kampus.identity.roles import GROUP_MODERATOR
from kampus.identity.throttle import rate_limiter
from kampus_forums.access import PRIVILEGED_ROLES, RESTRICTION_MESSAGES, ForumUser, active_restriction
from kampus_forums.moderation.models import BAN
from kampus_forums.threads.models import QUESTION, Comment, Thread
from kampus_forums.topics import service as topics

THREAD_NOT_FOUND = "Thread not found."
COMMENT_NOT_FOUND = "Comment not found."
PERMISSION_DENIED = "You do not have permission to perform this action."
BLACKOUT = "Discussions are in blackout period."
NOT_EDITABLE = "This field is not editable."
NOT_INITIALIZABLE = "This field is not initializable."
NOT_IN_UPDATE = "This field is not allowed in an update."
BLANK = "This field may not be blank."
REQUIRED = "This field is required."
BAD_PARENT = "parent_id does not identify a comment in the thread identified by thread_id."
TOO_DEEP = "Comment level is too deep."
TOO_MANY_REQUESTS = "Too many requests"


class ForumError(Exception):
    """A refused request: ``status`` (400, 403, 404, 429), a ``message``, for 400 ``field_errors``, and for
    429 the seconds to wait (``retry_after``)."""

    def __init__(self, status: int, message: str = "", field_errors: dict[str, str] | None = None,
                 retry_after: int | None = None):
        self.status = status
        self.message = message
        self.field_errors = dict(field_errors or {})
        self.retry_after = retry_after
        super().__init__(message or "; ".join(f"{k}: {v}" for k, v in self.field_errors.items()))


def not_found(message: str) -> ForumError:
    return ForumError(404, message)


def forbidden(message: str = PERMISSION_DENIED) -> ForumError:
    return ForumError(403, message)


def invalid(errors: dict[str, str]) -> ForumError:
    return ForumError(400, field_errors=errors)


# -- reading one post --------------------------------------------------------------------------------------------


def int_id(value: Any) -> int | None:
    try:
        number = int(str(value))
    except (TypeError, ValueError):
        return None
    return number if 0 < number < 2**63 else None


def get_thread(thread_id: Any) -> Thread | None:
    """The live (not deleted) thread ``thread_id``, or ``None``."""
    number = int_id(thread_id)
    if number is None:
        return None
    thread = db.session().get(Thread, number)
    return thread if thread is not None and thread.deleted_at is None else None


def get_comment(comment_id: Any) -> Comment | None:
    """The live response or comment ``comment_id``, or ``None``."""
    number = int_id(comment_id)
    if number is None:
        return None
    comment = db.session().get(Comment, number)
    return comment if comment is not None and comment.deleted_at is None else None


def check_visible(who: ForumUser, thread: Thread) -> None:
    """404 ``Thread not found.`` unless ``who`` may read ``thread`` (its course, and its group when divided)."""
    if thread.deleted_at is not None or thread.course_id != who.course_id or not who.sees_group(thread.group_id):
        raise not_found(THREAD_NOT_FOUND)


def course_policy(course_id: str) -> topics.CourseDiscussions:
    """The published course's topics and anonymity policy, read once per request."""
    if not has_request_context():
        return topics.course_discussions(course_id)
    cache = g.setdefault("_kampus_forum_post_policies", {})
    if course_id not in cache:
        cache[course_id] = topics.course_discussions(course_id)
    return cache[course_id]


# -- who may do what -----------------------------------------------------------------------------------------------


def _group_scoped(who: ForumUser) -> bool:
    """A group moderator and nothing more: privileged on their own group's threads only."""
    return (who.is_group_moderator and not who.is_global_staff
            and not (who.roles & (PRIVILEGED_ROLES - {GROUP_MODERATOR})))


def is_privileged_on(who: ForumUser, thread: Thread) -> bool:
    """Whether ``who`` has Open edX's moderation privilege on ``thread`` (pin, close, endorse, edit others')."""
    if not who.is_privileged:
        return False
    return who.moderates_group(thread.group_id) if _group_scoped(who) else True


def can_delete(who: ForumUser, post: Thread | Comment, thread: Thread) -> bool:
    """The author, a moderator, or a group moderator of the thread's group deletes a post (a community TA
    does not delete others' posts)."""
    return post.author_id == who.id or who.moderates_group(thread.group_id)


def author_visible(who: ForumUser, post: Thread | Comment) -> bool:
    """Whether ``who`` sees the author of ``post``: ``anonymous`` posts show their author to the course's
    moderators only, ``anonymous_to_peers`` posts to privileged users only."""
    if post.anonymous:
        return who.is_moderator
    if post.anonymous_to_peers:
        return who.is_privileged
    return True


def thread_editable_fields(who: ForumUser, thread: Thread) -> set[str]:
    """Open edX's ``get_editable_fields`` for a thread (a closed thread keeps only the base fields)."""
    privileged = is_privileged_on(who, thread)
    fields = {"abuse_flagged", "read", "copy_link"}
    if privileged:
        fields |= {"closed", "close_reason_code", "pinned"}
    if thread.closed:
        return fields
    is_author = thread.author_id == who.id
    fields |= {"voted", "following"}
    if privileged or is_author:
        fields |= {"raw_body", "topic_id", "type", "title"}
    if privileged and not is_author:
        fields.add("edit_reason_code")
    if privileged and topics.division(thread.course_id).enabled:
        fields.add("group_id")
    return fields | _anonymity_fields(thread.course_id) if is_author else fields


def comment_editable_fields(who: ForumUser, comment: Comment, thread: Thread, *,
                            thread_closed: bool | None = None) -> set[str]:
    """Open edX's ``get_editable_fields`` for a response or comment (``thread_closed`` overrides the
    thread's state: what a new comment may set)."""
    privileged = is_privileged_on(who, thread)
    fields = {"abuse_flagged"}
    if thread.closed if thread_closed is None else thread_closed:
        return fields
    is_author = comment.author_id == who.id
    fields.add("voted")
    if privileged or is_author:
        fields.add("raw_body")
    if privileged and not is_author:
        fields.add("edit_reason_code")
    if comment.parent_id is None and (privileged or (thread.author_id == who.id and thread.thread_type == QUESTION)):
        fields.add("endorsed")
    return fields | _anonymity_fields(thread.course_id) if is_author else fields


def _anonymity_fields(course_id: str) -> set[str]:
    """What the course lets an author set: ``anonymous``, ``anonymous_to_peers``."""
    policy = course_policy(course_id)
    return ({"anonymous"} if policy.allow_anonymous else set()) | (
        {"anonymous_to_peers"} if policy.allow_anonymous_to_peers else set())


def check_may_post(who: ForumUser) -> None:
    """403 for a banned or muted user."""
    restriction = active_restriction(who.course_id, who.id)
    if restriction is not None:
        raise forbidden(str(RESTRICTION_MESSAGES[restriction.kind]))


def check_post_rate(who: ForumUser) -> None:
    """Count a new post of ``who``; 429 ``Too many requests`` past ``forums_post_rate_limit`` posts in
    ``forums_post_rate_window`` seconds (bursts up to the limit). As in Open edX, the course team, forum
    moderators, community TAs and global staff are not limited, nor, when
    ``forums_post_rate_limit_account_days`` is set, accounts older than that many days."""
    kampus = current_kampus()
    settings = kampus.settings
    if settings.forums_post_rate_limit <= 0 or who.is_privileged:
        return
    days = settings.forums_post_rate_limit_account_days
    joined = getattr(who.user, "date_joined", None)
    if days > 0 and joined is not None and joined < utcnow() - timedelta(days=days):
        return
    limiter = rate_limiter(kampus, "forums_posts", settings.forums_post_rate_limit,
                           max(1, settings.forums_post_rate_window))
    wait = limiter.hit(f"user:{who.id}")
    if wait is not None:
        raise ForumError(429, TOO_MANY_REQUESTS, retry_after=wait)


def check_may_interact(who: ForumUser) -> None:
    """403 for a banned user (voting and flagging; a muted user still may)."""
    restriction = active_restriction(who.course_id, who.id)
    if restriction is not None and restriction.kind == BAN:
        raise forbidden(str(RESTRICTION_MESSAGES[BAN]))


def check_not_blackout(who: ForumUser) -> None:
    """403 ``Discussions are in blackout period.`` for a learner during a blackout."""
    if not who.is_privileged and topics.blackout_active(who.course_id):
        raise forbidden(BLACKOUT)
