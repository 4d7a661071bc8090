"""Open edX's forum account endpoints: ``POST /api/discussion/v1/accounts/retire_forum/`` (``RetireUserView``)
and ``POST /api/discussion/v1/accounts/replace_username`` (``ReplaceUsernamesView``); and
``POST /api/discussion/v1/bulk_delete_user_posts/<course_id>`` (``BulkDeleteUserPosts``).

* retire_forum ``{"username"}``: the user's posts everywhere (and the notifications about them) keep their
  place but lose their text and show a retired name (``retired__user_<hash>``, as Open edX's
  ``get_retired_username_by_username``); 204, unknown user 404. Superusers and global staff (the retirement
  service) only: 403 otherwise.
* replace_username ``{"username_mappings": [{"<old>": "<new>"}, ...]}``: the forums show the new name of
  each user (found by the new name, as the LMS renamed it first, else by the old one); 200
  ``{"successful_replacements", "failed_replacements"}``; a body of another shape is a 400.
* bulk_delete_user_posts ``?username=&execute=true|false&course_or_org=course|org``: 202 ``{"comment_count",
  "thread_count"}`` of the user's live posts in the course (``org``: every course of its organization where
  the requester moderates); with ``execute=true`` a background task deletes them (Open edX's
  ``delete_course_post_for_user``, :mod:`kampus_forums.moderation.tasks`: through the threads service, so
  counters, the search index and events follow). Course moderators only.
"""

from __future__ import annotations

import hashlib
from typing import Any

from flask import Blueprint, current_app, request
from kampus_lms import api as lms
from pydantic import BaseModel, Field
from werkzeug.wrappers import Response

from kampus import db
from kampus.course_keys import org_of
from kampus.identity.models import User
from kampus.tasks.api import submit
from kampus_forums.access import ForumUser, forum_user
from kampus_forums.moderation import service
from kampus_forums.moderation.tasks import DELETE_USER_POSTS_TASK
from kampus_forums.notifications import service as notifications
from kampus_forums.rest.common import course_user, discussion_api, error, json_or_form_body
from kampus_forums.rest.settings import FORBIDDEN, ErrorBody
from kampus_forums.search import service as search
from kampus_forums.threads import service as threads
from kampus_forums.threads.bodies import valid_unicode

bp = Blueprint("forums_rest_accounts", __name__)
lms.install_error_handler(bp)

RETIRED_PREFIX = "retired__user_"
SCHEMA_MISMATCH = "Request data does not match schema"


class RetireRequest(BaseModel):
    username: str = Field(description="The user to retire from the forums.")


class ReplaceRequest(BaseModel):
    username_mappings: list[dict[str, str]] = Field(description='[{"old name": "new name"}, ...]')


class Replacements(BaseModel):
    successful_replacements: list[dict[str, str]]
    failed_replacements: list[dict[str, str]]


class MessageBody(BaseModel):
    message: str | None = None
    developer_message: str | None = None


class PostCounts(BaseModel):
    comment_count: int
    thread_count: int


def retired_username(username: str) -> str:
    """Open edX's ``get_retired_username_by_username``: a stable, salted hash of the name."""
    salt = str(current_app.config.get("SECRET_KEY") or "")
    return RETIRED_PREFIX + hashlib.sha256((salt + username).encode("utf-8")).hexdigest()[:40]


def _service_user() -> Any:
    user = lms.requesting_user(body="developer")
    if not (user.is_superuser or user.is_staff):
        raise error(403, FORBIDDEN)
    return user


@bp.post("/api/discussion/v1/accounts/retire_forum")
@bp.post("/api/discussion/v1/accounts/retire_forum/")
@discussion_api.doc(json=RetireRequest, validate=False, resp={204: None, 400: ErrorBody, 401: ErrorBody,
                                                              403: ErrorBody, 404: ErrorBody})
def retire_forum() -> Response:
    """Retire a user from the forums: their posts lose their text and show a retired name."""
    _service_user()
    raw = json_or_form_body().get("username")
    if raw is not None and not isinstance(raw, str):
        raise error(400, "username must be a string")
    username = (raw or "").strip()
    if not username:
        raise error(400, "username is required")
    user = db.session().query(User).filter(User.username == username).one_or_none()
    if user is None:
        raise error(404, "Not found.")
    retired = retired_username(username)
    # the notifications about their posts lose the name and the text too; retire_user commits both
    notifications.retire_author(db.session(), user.id, user.username, retired, threads.RETIRED_TEXT)
    threads.retire_user(user.id, retired)
    # the bodies were rewritten in place (no events): the search index forgets the retired text now
    search.reindex_author(user.id)
    return current_app.response_class(status=204)


def _mappings(body: Any) -> list[tuple[str, str]] | None:
    raw = body.get("username_mappings") if isinstance(body, dict) else None
    if not isinstance(raw, list):
        return None
    pairs = []
    for item in raw:
        if not isinstance(item, dict) or len(item) != 1:
            return None
        (old, new), = item.items()
        if not isinstance(old, str) or not isinstance(new, str) or not old or not new:
            return None
        if not (valid_unicode(old) and valid_unicode(new)):
            return None
        pairs.append((old, new))
    return pairs


@bp.post("/api/discussion/v1/accounts/replace_username")
@discussion_api.doc(json=ReplaceRequest, validate=False,
                    resp={200: Replacements, 400: MessageBody, 401: ErrorBody, 403: ErrorBody})
def replace_username() -> Response:
    """Show new usernames on the users' posts."""
    _service_user()
    body = request.get_json(silent=True)
    pairs = _mappings(body)
    if pairs is None:
        return lms.json_answer({"message": SCHEMA_MISMATCH}, 400)
    done: list[dict[str, str]] = []
    failed: list[dict[str, str]] = []
    session = db.session()
    for old, new in pairs:
        user = (session.query(User).filter(User.username == new).one_or_none()
                or session.query(User).filter(User.username == old).one_or_none())
        if user is None:  # as Open edX: nothing of theirs to rename
            done.append({old: new})
            continue
        try:
            notifications.rename_author(session, user.id, old, new)
            threads.replace_username(user.id, new)
        except Exception:  # one failure must not stop the others: it is reported
            session.rollback()
            current_app.logger.exception("forums: renaming %s to %s failed", old, new)
            failed.append({old: new})
            continue
        done.append({old: new})
    return lms.json_answer({"successful_replacements": done, "failed_replacements": failed})


@bp.post("/api/discussion/v1/bulk_delete_user_posts/<course_id>")
@discussion_api.doc(resp={202: PostCounts, 400: ErrorBody, 401: ErrorBody, 403: ErrorBody, 404: ErrorBody})
def bulk_delete_user_posts(course_id: str) -> Response:
    """Count (and with ``execute=true`` delete) every post of a user in the course or its organization."""
    who = course_user(course_id)
    if not who.is_moderator:
        raise error(403, FORBIDDEN)
    username = request.args.get("username")
    if not username:
        raise error(400, "username and course_id are required.")
    scope = request.args.get("course_or_org", "course")
    if scope not in ("course", "org"):
        raise error(400, "course_or_org must be either 'course' or 'org'.")
    execute = (request.args.get("execute") or "false").lower() == "true"
    user = db.session().query(User).filter(User.username == username).one_or_none()
    if user is None:
        raise error(404, "No User matches the given query.")
    moderators: dict[str, ForumUser] = {who.course_id: who}
    if scope == "org":
        for other in service.courses_with_posts(org_of(who.course_id), user.id):
            other_who = forum_user(who.user, other)
            if other_who is not None and other_who.is_moderator:
                moderators[other] = other_who
    thread_count, comment_count = service.user_post_counts(sorted(moderators), user.id)
    if execute:
        submit(DELETE_USER_POSTS_TASK, user.id, user_id=who.id, course_id=who.course_id, username=user.username,
               course_ids=sorted(moderators), moderator_id=who.id,
               event_data={"triggered_by": who.username, "username": user.username, "course_or_org": scope,
                           "course_key": who.course_id})
    return lms.json_answer({"comment_count": comment_count, "thread_count": thread_count}, 202)
