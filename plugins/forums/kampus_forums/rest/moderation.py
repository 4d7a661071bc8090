"""Moderation of a course's forums over REST (Open edX's ``DiscussionModerationViewSet``, newest code), plus
Kampus's mutes, audit log and flagged-post queue.

Open edX's endpoints, its bodies (``{"error": ...}`` for refusals):

* ``POST /api/discussion/v1/moderation/ban-user/`` ``{"user_id" | "username", "course_id", "scope":
  "course" | "organization", "reason"}`` -> 201 ``{"status", "message", "ban_id", "user_id", "username",
  "scope", "course_id"}`` (``course_id`` null for an organization ban, which covers every course of the
  course's organization); already banned -> 400 ``{"error", "ban_id"}``; course moderators only (403), an
  organization ban global staff only (403); unknown user 404.
* ``POST .../moderation/unban-user/`` ``{"user_id" | "username", "course_id", "scope", "reason"}`` -> 200
  ``{"status", "message", "ban_id", "user_id", "username", "scope"}``; no ban in force -> 400.
* ``POST .../moderation/bulk-delete-ban/`` ``{"user_id" | "username", "course_id", "ban_user", "ban_scope",
  "reason"}`` (a reason is required with ``ban_user``) -> 202 ``{"status", "message", "task_id"}``: a
  background task (:mod:`kampus_forums.moderation.tasks`) deletes every post of the user in the course and
  then bans them; its record (``GET /api/tasks/v1/tasks/<task_id>``) reports ``threads_deleted`` and
  ``comments_deleted``. Refusals of the body are Open edX's serializer errors (``{"field": ["message"]}``).
* ``GET /api/discussion/v1/moderation/banned-users/?course_id=[&scope=]`` -> ``{"count", "results": [ban]}``:
  the course's bans and its organization's (not those lifted in this course).
* ``POST /api/discussion/v1/moderation/<ban_id>/unban/`` ``{"reason"}`` (required) ``[, "course_id"]`` -> 200
  ``{"status", "message", "exception_created"}``: an organization ban with ``course_id`` is lifted in that
  course only (its moderators may), without it wholly (global staff only); no ban in force with that id -> 404.

Kampus extensions (not in Open edX):

* a ban or mute may end by itself: ``expires_at`` (ISO 8601) or ``duration_minutes``;
* mutes (the user may still read, vote and follow but not post): ``POST .../moderation/mute-user/``,
  ``GET .../moderation/muted-users/?course_id=``, ``POST .../moderation/<mute_id>/unmute/``, shaped as the
  ban endpoints (course scope only);
* ``GET .../moderation/audit-log/?course_id=[&action=]``: the moderators' actions, newest first;
* ``GET .../moderation/flagged/?course_id=``: posts with current abuse flags, most recently flagged first,
  with their current and historical (cleared) flag counts.

The audit log and the queue are paged as the discussion API (``results`` and ``pagination``) and answer
refusals with ``developer_message``; they are for the course's moderators (a group moderator sees the
queue of their own group).
"""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from flask import Blueprint, request
from kampus_content import api as content
from kampus_lms import api as lms
from pydantic import BaseModel, Field
from werkzeug.wrappers import Response

from kampus import db
from kampus.course_keys import org_of
from kampus.db import utcnow
from kampus.identity.models import User
from kampus.tasks.api import submit
from kampus_forums.access import ForumUser, forum_user
from kampus_forums.moderation import service
from kampus_forums.moderation.models import BAN, COURSE_SCOPE, MUTE, ORG_SCOPE, SCOPES
from kampus_forums.moderation.tasks import DELETE_USER_POSTS_TASK
from kampus_forums.rest.common import (
    course_user,
    discussion_api,
    error,
    field_error,
    json_or_form_body,
    page,
    paginated,
)
from kampus_forums.rest.settings import FORBIDDEN, ErrorBody
from kampus_forums.threads.models import THREAD
from kampus_forums.threads.service import author_visible

bp = Blueprint("forums_rest_moderation", __name__)
lms.install_error_handler(bp)

PREFIX = "/api/discussion/v1/moderation"
LABELS = {BAN: ("ban", "banned", "unbanned"), MUTE: ("mute", "muted", "unmuted")}


def _refuse(status: int, message: str, **extra: Any) -> lms.RestError:
    return lms.RestError(status, {"error": message, **extra})


class RestrictionRequest(BaseModel):
    user_id: int | None = Field(None, description="The user's id (or give username).")
    username: str | None = Field(None, description="The user's username (or give user_id).")
    course_id: str = Field(description="The course.")
    scope: str | None = Field("course", description="course, or organization (every course of the course's "
                                                    "organization; global staff only; bans only).")
    reason: str | None = Field(None, description="Why (kept in the audit log).")
    expires_at: str | None = Field(None, description="Kampus: when it ends by itself (ISO 8601).")
    duration_minutes: int | None = Field(None, description="Kampus: how long it lasts.")


class RestrictionMade(BaseModel):
    status: str
    message: str
    ban_id: int | None = None
    mute_id: int | None = None
    user_id: int
    username: str
    scope: str
    course_id: str | None
    expires_at: str | None = None


class Refusal(BaseModel):
    error: str | None = None
    ban_id: int | None = None
    mute_id: int | None = None
    developer_message: str | None = None


class CourseQuery(BaseModel):
    course_id: str = Field(description="The course.")
    scope: str | None = Field(None, description="Only bans of this scope (course or organization).")


class UnbanUserRequest(BaseModel):
    user_id: int | None = Field(None, description="The user's id (or give username).")
    username: str | None = Field(None, description="The user's username (or give user_id).")
    course_id: str = Field(description="The course.")
    scope: str | None = Field("course", description="The scope of the ban to lift: course or organization.")
    reason: str | None = Field(None, description="Why (kept in the audit log).")


class Unbanned(BaseModel):
    status: str
    message: str
    ban_id: int
    user_id: int
    username: str
    scope: str


class BulkDeleteBanRequest(BaseModel):
    user_id: int | None = Field(None, description="The user's id (or give username).")
    username: str | None = Field(None, description="The user's username (or give user_id).")
    course_id: str = Field(description="The course whose posts of the user are deleted.")
    ban_user: bool = Field(False, description="Ban the user once the posts are deleted.")
    ban_scope: str = Field("course", description="course, or organization (global staff only).")
    reason: str | None = Field(None, description="Why (required with ban_user).")


class TaskQueued(BaseModel):
    status: str
    message: str
    task_id: str


class RestrictionItem(BaseModel):
    id: int
    username: str
    email: str
    user_id: int
    course_id: str
    organization: str | None
    scope: str
    reason: str
    banned_at: str | None
    banned_by_username: str | None
    is_active: bool
    expires_at: str | None


class RestrictionList(BaseModel):
    count: int
    results: list[RestrictionItem]


class LiftRequest(BaseModel):
    reason: str = Field(description="Why the restriction is lifted (required).")
    course_id: str | None = Field(None, description="An organization ban: lift it in this course only.")


class Lifted(BaseModel):
    status: str
    message: str
    exception_created: bool


class Pagination(BaseModel):
    next: str | None
    previous: str | None
    count: int
    num_pages: int


class AuditItem(BaseModel):
    id: int
    action: str
    moderator_username: str
    target_type: str
    target_id: str
    target_username: str | None
    reason: str
    details: dict[str, Any]
    created: str


class AuditPage(BaseModel):
    results: list[AuditItem]
    pagination: Pagination


class AuditQuery(BaseModel):
    course_id: str = Field(description="The course.")
    action: str | None = Field(None, description="Only this action (e.g. user.banned, thread.deleted).")
    page: int | None = None
    page_size: int | None = None


class FlaggedItem(BaseModel):
    content_type: str
    id: int
    thread_id: int
    parent_id: int | None
    topic_id: str
    title: str
    raw_body: str
    author_username: str | None
    abuse_flag_count: int
    historical_abuse_flag_count: int
    last_flagged_at: str
    created_at: str
    group_id: int | None


class FlaggedPage(BaseModel):
    results: list[FlaggedItem]
    pagination: Pagination


class FlaggedQuery(BaseModel):
    course_id: str = Field(description="The course.")
    page: int | None = None
    page_size: int | None = None


# -- bans and mutes ------------------------------------------------------------------------------------------


def _course_context(course_id: Any) -> ForumUser:
    """The requesting user in the course ``course_id`` (400 without a valid one, 404 for no such course)."""
    user = lms.requesting_user(body="developer")
    if not course_id:
        raise _refuse(400, "course_id parameter is required")
    key = lms.course_key_or_none(str(course_id))
    if key is None:
        raise _refuse(400, f"'{course_id}' is not a valid course key")
    if lms.course_overview(str(key)) is None:
        raise _refuse(404, "Course not found.")
    who = forum_user(user, str(key))
    assert who is not None  # requesting_user answered 401 for a visitor
    return who


def _moderator(course_id: Any, what: str) -> ForumUser:
    """The requesting user, a moderator of the course (Open edX's ``can_take_action_on_spam``), else 403."""
    who = _course_context(course_id)
    if not who.is_moderator:
        raise _refuse(403, f"You do not have permission to {what} in this course")
    return who


def _scoped_moderator(course_id: Any, scope: Any, what: str, org_message: str) -> tuple[ForumUser, str]:
    """The requesting user allowed to act at ``scope``: a course moderator, or global staff for the
    organization; and the scope."""
    scope = scope or COURSE_SCOPE
    if scope not in SCOPES:
        raise _refuse(400, f'"{scope}" is not a valid choice.')
    if scope == ORG_SCOPE:
        who = _course_context(course_id)
        if not who.is_global_staff:
            raise _refuse(403, org_message)
        return who, scope
    return _moderator(course_id, what), scope


def _target(body: dict[str, Any]) -> User:
    user_id, username = body.get("user_id"), body.get("username")
    session = db.session()
    if user_id not in (None, ""):
        try:
            user = session.get(User, int(user_id))
        except (TypeError, ValueError):
            raise _refuse(400, "user_id must be a number") from None
    elif username:
        user = session.query(User).filter(User.username == str(username)).one_or_none()
    else:
        raise _refuse(400, "Either user_id or username must be provided")
    if user is None:
        raise _refuse(404, f"User {user_id or username} does not exist")
    return user


def _expiry(body: dict[str, Any]) -> Any:
    raw_at, raw_minutes = body.get("expires_at"), body.get("duration_minutes")
    if raw_at not in (None, ""):
        when = content.parse_date(raw_at) if isinstance(raw_at, str) else None
        if when is None:
            raise _refuse(400, "expires_at must be an ISO 8601 date and time")
        return when
    if raw_minutes not in (None, ""):
        try:
            minutes = int(raw_minutes)
        except (TypeError, ValueError):
            minutes = 0
        if minutes < 1 or minutes > 60 * 24 * 366 * 10:
            raise _refuse(400, "duration_minutes must be a positive number of minutes")
        return utcnow() + timedelta(minutes=minutes)
    return None


def _restrict(kind: str) -> Response:
    noun, done, _undone = LABELS[kind]
    body = json_or_form_body()
    if kind == BAN:
        who, scope = _scoped_moderator(body.get("course_id"), body.get("scope"), f"{noun} users",
                                       "Organization-level bans require global staff permissions")
    else:
        if (body.get("scope") or COURSE_SCOPE) != COURSE_SCOPE:
            raise _refuse(400, f'"{body.get("scope")}" is not a valid choice.')
        who, scope = _moderator(body.get("course_id"), f"{noun} users"), COURSE_SCOPE
    user = _target(body)
    expires_at = _expiry(body)
    reason = str(body.get("reason") or "").strip()[:1000]
    try:
        row, reactivated = service.restrict(who, user, kind, scope=scope, reason=reason, expires_at=expires_at)
    except service.ModerationError as exc:
        raise _refuse(exc.status, exc.message, **exc.extra) from None
    message = f"User {user.username} {noun} reactivated at {scope} level" if reactivated \
        else f"User {user.username} {done} at {scope} level"
    return lms.json_answer({"status": "success", "message": message, f"{noun}_id": row.id, "user_id": user.id,
                            "username": user.username, "scope": scope,
                            "course_id": who.course_id if scope == COURSE_SCOPE else None,
                            "expires_at": lms.drf_datetime(row.expires_at)}, 201)


def _in_force_list(kind: str) -> Response:
    noun = LABELS[kind][0]
    who = _moderator(request.args.get("course_id"), f"view {noun}ned users" if kind == BAN else "view muted users")
    scope = request.args.get("scope")
    rows = service.restrictions_in_force(who.course_id, kind, scope=scope if scope in SCOPES else None)
    return lms.json_answer({"count": len(rows), "results": [{
        "id": r.restriction.id, "username": r.user.username, "email": r.user.email, "user_id": r.user.id,
        "course_id": r.restriction.course_id if r.restriction.scope == COURSE_SCOPE else None,
        "organization": r.restriction.org or None,
        "scope": r.restriction.scope, "reason": r.restriction.reason,
        "banned_at": lms.drf_datetime(r.restriction.created_at),
        "banned_by_username": r.created_by_username, "is_active": True,
        "expires_at": lms.drf_datetime(r.restriction.expires_at)} for r in rows]})


def _lift(kind: str, restriction_id: int) -> Response:
    noun, _done, undone = LABELS[kind]
    lms.requesting_user(body="developer")
    row = service.get_restriction(restriction_id, kind)
    if row is None:
        raise _refuse(404, f"Active {noun} not found")
    body = json_or_form_body()
    in_course = str(body.get("course_id") or "") if row.scope == ORG_SCOPE else ""
    if row.scope == COURSE_SCOPE:
        who = _moderator(row.course_id, f"un{noun} users")
    elif in_course:
        who = _moderator(in_course, "create exceptions")
        if org_of(who.course_id) != row.org:
            raise _refuse(400, f"{who.course_id} is not a course of {row.org}")
    else:  # the whole organization ban: global staff, recorded in the course it was issued from (which
        # may have been deleted since: only the requester's global staff status matters)
        who = forum_user(lms.requesting_user(body="developer"), row.course_id)
        if who is None or not who.is_global_staff:
            raise _refuse(403, "Only global staff can fully unban organization-level bans")
    reason = str(body.get("reason") or "").strip()
    if not reason:
        raise _refuse(400, "reason field is required")
    user = db.session().get(User, row.user_id)
    name = user.username if user else row.user_id
    exception = service.lift(who, row, reason=reason[:1000], course_id=in_course or None)
    message = (f"User {name} unbanned from {in_course} (org-level ban still active for other courses)"
               if exception else f"User {name} {undone} successfully")
    return lms.json_answer({"status": "success", "exception_created": exception, "message": message})


_MADE = {201: RestrictionMade, 400: Refusal, 401: Refusal, 403: Refusal, 404: Refusal}
_LISTED = {200: RestrictionList, 400: Refusal, 401: Refusal, 403: Refusal, 404: Refusal}
_LIFTED = {200: Lifted, 400: Refusal, 401: Refusal, 403: Refusal, 404: Refusal}


@bp.post(f"{PREFIX}/ban-user/")
@discussion_api.doc(json=RestrictionRequest, validate=False, resp=_MADE)
def ban_user() -> Response:
    """Ban a user from the course's discussions (no posting, voting or flagging); Kampus: optionally until
    ``expires_at`` / for ``duration_minutes``."""
    return _restrict(BAN)


@bp.get(f"{PREFIX}/banned-users/")
@discussion_api.doc(query=CourseQuery, validate=False, resp=_LISTED)
def banned_users() -> Response:
    """The bans in force in the course, newest first."""
    return _in_force_list(BAN)


@bp.post(f"{PREFIX}/<int:ban_id>/unban/")
@discussion_api.doc(json=LiftRequest, validate=False, resp=_LIFTED)
def unban(ban_id: int) -> Response:
    """Lift a ban in force."""
    return _lift(BAN, ban_id)


@bp.post(f"{PREFIX}/unban-user/")
@discussion_api.doc(json=UnbanUserRequest, validate=False,
                    resp={200: Unbanned, 400: Refusal, 401: Refusal, 403: Refusal, 404: Refusal})
def unban_user() -> Response:
    """Lift the ban in force of a user at a scope (the course's, or wholly its organization's)."""
    body = json_or_form_body()
    who, scope = _scoped_moderator(body.get("course_id"), body.get("scope"), "unban users",
                                   "Organization-level unbans require global staff permissions")
    user = _target(body)
    row = service.restriction_in_force_of(who.course_id, user.id, BAN, scope=scope)
    if row is None:
        raise _refuse(400, f"User {user.username} does not have an active ban at {scope} level")
    service.lift(who, row, reason=str(body.get("reason") or "").strip()[:1000])
    return lms.json_answer({"status": "success", "message": f"User {user.username} unbanned at {scope} level",
                            "ban_id": row.id, "user_id": user.id, "username": user.username, "scope": scope})


def _invalid(errors: dict[str, str]) -> lms.RestError:
    """Open edX's serializer errors: ``{"field": ["message"]}``, 400."""
    return lms.RestError(400, {name: [message] for name, message in errors.items()}, kampus_error=False,
                         message=" ".join(errors.values()))


def _bulk_target(body: dict[str, Any]) -> User:
    user_id, username = body.get("user_id"), body.get("username")
    session = db.session()
    if user_id not in (None, ""):
        try:
            user = session.get(User, int(user_id))
        except (TypeError, ValueError):
            raise _invalid({"user_id": "A valid integer is required."}) from None
        if user is None:
            raise _invalid({"user_id": f"User with ID {user_id} does not exist."})
        return user
    if not username:
        raise _invalid({"user_id": "Either user_id or username must be provided."})
    user = session.query(User).filter(User.username == str(username)).one_or_none()
    if user is None:
        raise _invalid({"username": f"User with username '{username}' does not exist."})
    return user


def _flag(value: Any, name: str) -> bool:
    if isinstance(value, bool):
        return value
    text = str(value if value is not None else "false").strip().lower()
    if text in ("true", "1", "yes", "on"):
        return True
    if text in ("false", "0", "no", "off", ""):
        return False
    raise _invalid({name: "Must be a valid boolean."})


@bp.post(f"{PREFIX}/bulk-delete-ban/")
@discussion_api.doc(json=BulkDeleteBanRequest, validate=False,
                    resp={202: TaskQueued, 400: Refusal, 401: Refusal, 403: Refusal, 404: Refusal})
def bulk_delete_ban() -> Response:
    """Delete every post of a user in the course in a background task, then (``ban_user``) ban them."""
    body = json_or_form_body()
    who = _moderator(body.get("course_id"), "delete posts of users")
    user = _bulk_target(body)
    ban_user = _flag(body.get("ban_user"), "ban_user")
    ban_scope = body.get("ban_scope") or COURSE_SCOPE
    if ban_scope not in SCOPES:
        raise _invalid({"ban_scope": f'"{ban_scope}" is not a valid choice.'})
    reason = str(body.get("reason") or "").strip()
    if len(reason) > 1000:
        raise _invalid({"reason": "Ensure this field has no more than 1000 characters."})
    if ban_user and not reason:
        raise _invalid({"reason": "Reason is required when banning a user."})
    if ban_scope == ORG_SCOPE and not who.is_global_staff:
        raise _invalid({"ban_scope": "Organization-level bans require global staff permissions."})
    record = submit(DELETE_USER_POSTS_TASK, user.id, user_id=who.id, course_id=who.course_id,
                    username=user.username, course_ids=[who.course_id], ban_user=ban_user, ban_scope=ban_scope,
                    moderator_id=who.id, reason=reason,
                    event_data={"triggered_by": who.username, "username": user.username,
                                "course_or_org": "course", "course_key": who.course_id})
    message = "Deletion task queued. User will be banned upon completion." if ban_user else "Deletion task queued."
    return lms.json_answer({"status": "success", "message": message, "task_id": record.id}, 202)


@bp.post(f"{PREFIX}/mute-user/")
@discussion_api.doc(json=RestrictionRequest, validate=False, resp=_MADE)
def mute_user() -> Response:
    """Kampus extension: mute a user in the course's discussions (no posting; reading, voting and following
    stay), optionally until ``expires_at`` / for ``duration_minutes``."""
    return _restrict(MUTE)


@bp.get(f"{PREFIX}/muted-users/")
@discussion_api.doc(query=CourseQuery, validate=False, resp=_LISTED)
def muted_users() -> Response:
    """Kampus extension: the mutes in force in the course, newest first."""
    return _in_force_list(MUTE)


@bp.post(f"{PREFIX}/<int:mute_id>/unmute/")
@discussion_api.doc(json=LiftRequest, validate=False, resp=_LIFTED)
def unmute(mute_id: int) -> Response:
    """Kampus extension: lift a mute in force."""
    return _lift(MUTE, mute_id)


# -- the audit log and the flagged queue -----------------------------------------------------------------------


def _course_moderator(*, group_moderators: bool = False) -> ForumUser:
    course_id = request.args.get("course_id")
    if not course_id:
        lms.requesting_user(body="developer")
        raise field_error({"course_id": "This field is required."})
    who = course_user(course_id)
    if not (who.is_moderator or (group_moderators and who.is_group_moderator)):
        raise error(403, FORBIDDEN)
    return who


@bp.get(f"{PREFIX}/audit-log/")
@discussion_api.doc(query=AuditQuery, validate=False,
                    resp={200: AuditPage, 400: ErrorBody, 401: ErrorBody, 403: ErrorBody, 404: ErrorBody})
def audit_log() -> Response:
    """Kampus extension: the course's moderation actions, newest first (moderators only)."""
    who = _course_moderator()
    action = request.args.get("action") or None
    window = page(service.count_audit_entries(who.course_id, action=action))
    rows = service.audit_entries(who.course_id, offset=window.offset, limit=window.limit, action=action)
    results = [{"id": e.id, "action": e.action, "moderator_username": e.moderator_username,
                "target_type": e.target_type, "target_id": e.target_id, "target_username": username,
                "reason": e.reason, "details": e.details or {}, "created": lms.drf_datetime(e.created_at)}
               for e, username in rows]
    return lms.json_answer(paginated(results, window))


@bp.get(f"{PREFIX}/flagged/")
@discussion_api.doc(query=FlaggedQuery, validate=False,
                    resp={200: FlaggedPage, 400: ErrorBody, 401: ErrorBody, 403: ErrorBody, 404: ErrorBody})
def flagged() -> Response:
    """Kampus extension: the moderators' queue of posts with current abuse flags, most recently flagged first."""
    who = _course_moderator(group_moderators=True)
    window = page(service.count_flagged_posts(who))
    posts = service.flagged_posts(who, offset=window.offset, limit=window.limit)
    results = [{
        "content_type": item.content_type, "id": item.post.id, "thread_id": item.thread.id,
        "parent_id": None if item.content_type == THREAD else item.post.parent_id,  # type: ignore[union-attr]
        "topic_id": item.thread.commentable_id, "title": item.thread.title, "raw_body": item.post.body,
        "author_username": item.post.author_username if author_visible(who, item.post) else None,
        "abuse_flag_count": item.flag_count, "historical_abuse_flag_count": item.historical_flag_count,
        "last_flagged_at": lms.drf_datetime(item.last_flagged_at),
        "created_at": lms.drf_datetime(item.post.created_at), "group_id": item.thread.group_id,
    } for item in posts]
    return lms.json_answer(paginated(results, window))
