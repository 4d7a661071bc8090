"""Open edX's discussion threads REST API (``ThreadViewSet`` and ``LearnerThreadView``) at its paths:

* ``GET /api/discussion/v1/threads/?course_id=...`` (``ThreadListGetForm``): a page of the course's threads
  the requester may see, pinned first, plus ``text_search_rewrite``;
* ``POST /api/discussion/v1/threads/``: a new thread (200 with it, as Open edX answers);
* ``GET`` / ``PATCH`` (``application/merge-patch+json``) / ``DELETE`` ``/api/discussion/v1/threads/<id>/``;
* ``GET /api/discussion/v1/courses/<course_id>/learner/?username=...``: a learner's threads.

Errors are Open edX's ``developer_message`` / ``field_errors`` bodies.
"""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa
from flask import Blueprint, current_app, request
from kampus_lms import api as lms
from pydantic import BaseModel, Field
from werkzeug.wrappers import Response

from kampus import db
from kampus.identity import profile_images
from kampus.identity.models import User
from kampus_forums.access import ForumUser
from kampus_forums.rest import serializers
from kampus_forums.rest.common import (
    DEFAULT_PAGE_SIZE,
    MAX_PAGE_SIZE,
    DeleteQuery,
    course_user,
    delete_reason,
    discussion_api,
    error,
    field_error,
    json_or_form_body,
    merge_patch_body,
    paginated,
    query_bool,
)
from kampus_forums.threads import service
from kampus_forums.threads.models import THREAD_TYPES, Thread

bp = Blueprint("forums_rest_threads", __name__)
lms.install_error_handler(bp)

REQUIRED = "This field is required."
EXCLUSIVE = "The following query parameters are mutually exclusive: topic_id, text_search, following"
COUNT_FLAGGED = "`count_flagged` can only be set by users with moderator access or higher."


def rest_error(exc: service.ForumError) -> lms.RestError:
    """A service refusal as Open edX's error body."""
    if exc.field_errors:
        body: dict[str, Any] = {"field_errors": {name: {"developer_message": message}
                                                 for name, message in exc.field_errors.items()}}
        if exc.message:
            body["developer_message"] = exc.message
        return lms.RestError(exc.status, body)
    if exc.retry_after is not None:
        return lms.RestError(exc.status, {"developer_message": exc.message},
                             headers={"Retry-After": str(exc.retry_after)})
    return error(exc.status, exc.message or "Not found.")


def install_forum_error_handler(blueprint: Blueprint) -> None:
    """Answer :class:`~kampus_forums.threads.service.ForumError` raised by the blueprint's views."""
    blueprint.register_error_handler(service.ForumError, lambda exc: rest_error(exc).response())


install_forum_error_handler(bp)


# -- request parsing shared with the comments module ------------------------------------------------------------


def page_args() -> tuple[int, int]:
    """``page`` (default 1) and ``page_size`` (default 10, at most 100); 400 for values that are not
    positive numbers."""
    numbers = {}
    for name, default in (("page", 1), ("page_size", DEFAULT_PAGE_SIZE)):
        raw = request.args.get(name)
        if raw in (None, ""):
            numbers[name] = default
            continue
        try:
            value = int(raw)
        except ValueError:
            raise field_error({name: "Enter a whole number."}) from None
        if value < 1:
            raise field_error({name: "Ensure this value is greater than or equal to 1."})
        numbers[name] = value
    return numbers["page"], min(numbers["page_size"], MAX_PAGE_SIZE)


def window_of(page: service.Page) -> lms.PageWindow:
    return lms.PageWindow(count=page.count, page=page.page, page_size=page.page_size, num_pages=page.num_pages)


def multi_values(name: str) -> list[str]:
    """A repeated or comma-separated query parameter."""
    found: dict[str, None] = {}
    for raw in request.args.getlist(name):
        for part in raw.split(","):
            if part.strip():
                found.setdefault(part.strip(), None)
    return list(found)


def wants_profile_image() -> bool:
    return "profile_image" in multi_values("requested_fields")


def add_profile_users(items: list[dict[str, Any]], *names: str) -> list[dict[str, Any]]:
    """Open edX's ``requested_fields=profile_image`` (``_add_additional_response_fields``): each thread or
    comment gets ``users``, ``{username: {"profile": {"image": <profile_image>}}}`` for its author (when the
    requester sees it) and its ``names`` fields (a comment's ``endorsed_by`` once endorsed); one query."""
    wanted = [[item.get("author"), *(item.get(name) for name in names)] for item in items]
    images = profile_images.images_by_username({username for found in wanted for username in found if username})
    for item, usernames in zip(items, wanted, strict=True):
        item["users"] = {username: {"profile": {"image": images[username]}}
                         for username in usernames if username and username in images}
    return items


def thread_for(thread_id: str) -> tuple[ForumUser, Thread]:
    """The thread and the requester in its course; 404 ``Thread not found.`` when missing or hidden."""
    lms.requesting_user(body="developer")
    thread = service.get_thread(thread_id)
    if thread is None:
        raise error(404, service.THREAD_NOT_FOUND)
    who = course_user(thread.course_id)
    service.check_visible(who, thread)
    return who, thread


def one_thread(who: ForumUser, thread: Thread) -> dict[str, Any]:
    return serializers.threads_json(who, [thread])[0]


# -- OpenAPI models -------------------------------------------------------------------------------------------------


class DeveloperError(BaseModel):
    developer_message: str | None = None
    field_errors: dict[str, dict[str, str]] | None = None


class ThreadListQuery(BaseModel):
    course_id: str = Field(description="The course (required).")
    topic_id: str | None = Field(None, description="Topic ids (repeated or comma-separated).")
    text_search: str | None = Field(None, description="Threads matching this text.")
    following: str | None = Field(None, description="true: the threads the requester follows.")
    author: str | None = Field(None, description="Threads of this username.")
    thread_type: str | None = Field(None, description="discussion or question.")
    flagged: str | None = Field(None, description="Only threads with reported content.")
    count_flagged: str | None = Field(None, description="Moderators: include abuse_flagged_count.")
    view: str | None = Field(None, description="unread, unanswered or unresponded.")
    order_by: str | None = Field(None, description="last_activity_at (default), comment_count or vote_count.")
    order_direction: str | None = Field(None, description="desc (the only direction).")
    group_id: str | None = Field(None, description="Privileged users: one group's threads.")
    requested_fields: str | None = Field(None, description="profile_image adds the authors' images.")
    page: str | None = Field(None, description="The page (1 first).")
    page_size: str | None = Field(None, description="Threads per page (default 10, at most 100).")


class LearnerQuery(BaseModel):
    username: str = Field(description="The learner.")
    page: str | None = None
    page_size: str | None = None
    count_flagged: str | None = None
    thread_type: str | None = None
    order_by: str | None = None
    status: str | None = Field(None, description="flagged, unanswered, unread or unresponded.")
    group_id: str | None = None


class LastEdit(BaseModel):
    original_body: str
    reason_code: str | None
    editor_username: str
    created_at: str
    reason: str | None = None


class ProfileImage(BaseModel):
    """Open edX's ``profile_image`` of the account API."""

    has_image: bool
    image_url_full: str
    image_url_large: str
    image_url_medium: str
    image_url_small: str


class ProfileOfUser(BaseModel):
    image: ProfileImage


class UserProfile(BaseModel):
    profile: ProfileOfUser


class ThreadObject(BaseModel):
    """Open edX's ``ThreadSerializer``."""

    id: str
    author: str | None
    author_label: str | None
    created_at: str
    updated_at: str
    raw_body: str
    rendered_body: str
    preview_body: str
    abuse_flagged: bool
    abuse_flagged_count: int | None
    voted: bool
    vote_count: int
    editable_fields: list[str]
    can_delete: bool
    anonymous: bool
    anonymous_to_peers: bool
    last_edit: LastEdit | None
    edit_by_label: str | None
    course_id: str
    topic_id: str
    group_id: int | None
    group_name: str | None
    type: str
    title: str
    pinned: bool
    closed: bool
    following: bool
    comment_count: int
    unread_comment_count: int
    comment_list_url: str | None
    endorsed_comment_list_url: str | None
    non_endorsed_comment_list_url: str | None
    read: bool
    has_endorsed: bool
    response_count: int
    close_reason_code: str | None
    close_reason: str | None
    closed_by: str | None
    closed_by_label: str | None
    users: dict[str, UserProfile] | None = Field(None, description="requested_fields=profile_image: the "
                                                 "author's profile image.")


class Pagination(BaseModel):
    next: str | None
    previous: str | None
    count: int
    num_pages: int


class ThreadPage(BaseModel):
    results: list[ThreadObject]
    pagination: Pagination
    text_search_rewrite: str | None = None


class NewThread(BaseModel):
    course_id: str
    topic_id: str
    type: str = Field(description="discussion or question.")
    title: str
    raw_body: str
    following: bool | None = None
    anonymous: bool | None = None
    anonymous_to_peers: bool | None = None
    group_id: int | None = Field(None, description="Privileged users of a divided course.")


class ThreadPatch(BaseModel):
    """Any of the thread's ``editable_fields``."""

    title: str | None = None
    raw_body: str | None = None
    topic_id: str | None = None
    type: str | None = None
    group_id: int | None = None
    anonymous: bool | None = None
    anonymous_to_peers: bool | None = None
    following: bool | None = None
    voted: bool | None = None
    abuse_flagged: bool | None = None
    read: bool | None = None
    pinned: bool | None = None
    closed: bool | None = None
    close_reason_code: str | None = None
    edit_reason_code: str | None = None


# -- views ----------------------------------------------------------------------------------------------------------


def _choice(name: str, value: str | None, choices: tuple[str, ...]) -> str | None:
    if value in (None, ""):
        return None
    if value not in choices:
        raise field_error({name: f"Select a valid choice. {value} is not one of the available choices."})
    return value


def _group_arg(who: ForumUser) -> int | None:
    raw = request.args.get("group_id")
    if raw in (None, ""):
        return None
    try:
        value = int(raw)
    except ValueError:
        raise field_error({"group_id": "Enter a whole number."}) from None
    return value if who.is_privileged else None


def _empty_page(page_size: int, **extra: Any) -> Response:
    window = lms.PageWindow(count=0, page=1, page_size=page_size, num_pages=1)
    return lms.json_answer(paginated([], window, **extra))


def _thread_page(who: ForumUser, page: service.Page, **extra: Any) -> Response:
    results = serializers.threads_json(who, page.items)
    if wants_profile_image():
        add_profile_users(results)
    return lms.json_answer(paginated(results, window_of(page), **extra))


@bp.get("/api/discussion/v1/threads/")
@discussion_api.doc(query=ThreadListQuery, validate=False,
                    resp={200: ThreadPage, 400: DeveloperError, 401: DeveloperError, 403: DeveloperError,
                          404: DeveloperError})
def thread_list() -> Response:
    """The course's threads the requester may see (their group's and undivided ones), pinned first."""
    lms.requesting_user(body="developer")
    raw_course = request.args.get("course_id")
    if not raw_course:
        raise field_error({"course_id": REQUIRED})
    if lms.course_key_or_none(raw_course) is None:
        raise field_error({"course_id": f"'{raw_course}' is not a valid course id"})
    who = course_user(raw_course)
    page, page_size = page_args()
    topic_ids = multi_values("topic_id")
    text_search = request.args.get("text_search")
    following = query_bool("following")
    if following is False:
        raise field_error({"following": "The value of the 'following' parameter must be true."})
    if sum(bool(x) for x in (topic_ids, text_search, following)) > 1:
        raise error(400, EXCLUSIVE)
    thread_type = _choice("thread_type", request.args.get("thread_type"), THREAD_TYPES)
    view = _choice("view", request.args.get("view"), service.VIEWS)
    order_by = _choice("order_by", request.args.get("order_by"), tuple(service.ORDER_KEYS)) or "last_activity_at"
    _choice("order_direction", request.args.get("order_direction"), ("desc",))
    flagged = bool(query_bool("flagged"))
    if query_bool("count_flagged") and not who.is_privileged:
        raise error(403, COUNT_FLAGGED)
    author_id = None
    author = request.args.get("author")
    if author:
        user = user_named(author)
        if user is None:
            return _empty_page(page_size, text_search_rewrite=None)
        author_id = int(user.id)
    result = service.list_threads(who, topic_ids=topic_ids or None, text_search=text_search or None,
                                  following=bool(following), author_id=author_id, thread_type=thread_type,
                                  flagged=flagged, view=view, order_by=order_by, group_id=_group_arg(who),
                                  page=page, page_size=page_size)
    return _thread_page(who, result, text_search_rewrite=result.text_search_rewrite)


def user_named(username: str) -> Any:
    """The account called ``username``, or ``None``."""
    if "\x00" in username or len(username) > 150:
        return None
    return db.session().scalar(sa.select(User).where(User.username == username))


#: Fields a POST may set besides Open edX's required ones.
_ACTION_FIELDS = ("voted", "abuse_flagged", "read", "pinned", "closed", "close_reason_code")


def _initializable(who: ForumUser) -> set[str]:
    """Open edX's ``get_initializable_thread_fields``: the editable fields of a fresh open thread of the
    requester, plus ``course_id``."""
    fresh = Thread(id=0, course_id=who.course_id, commentable_id="", thread_type="discussion", title="", body="",
                   author_id=who.id, author_username=who.username, closed=False, group_id=who.group_id)
    return service.thread_editable_fields(who, fresh) | {"course_id"}


@bp.post("/api/discussion/v1/threads/")
@discussion_api.doc(json=NewThread, validate=False,
                    resp={200: ThreadObject, 400: DeveloperError, 401: DeveloperError, 403: DeveloperError,
                          404: DeveloperError})
def thread_create() -> Response:
    """Post a thread (200 with it). Learners are refused during a blackout, banned and muted users always."""
    lms.requesting_user(body="developer")
    body = json_or_form_body()
    body.pop("enable_in_context_sidebar", None)
    if not body.get("course_id"):
        raise field_error({"course_id": REQUIRED})
    if lms.course_key_or_none(str(body["course_id"])) is None:
        raise field_error({"course_id": "Invalid value."})
    who = course_user(str(body["course_id"]))
    errors = {name: REQUIRED for name in ("topic_id", "type", "title", "raw_body") if name not in body}
    allowed = _initializable(who)
    errors.update({name: service.NOT_INITIALIZABLE for name in body if name not in allowed})
    if errors:
        raise field_error(errors)
    actions = {name: body[name] for name in _ACTION_FIELDS if name in body}
    thread = service.create_thread(
        who, who.course_id, body["topic_id"], body["type"], body["title"], body["raw_body"],
        anonymous=bool_field(body, "anonymous"), anonymous_to_peers=bool_field(body, "anonymous_to_peers"),
        following=body.get("following", True), group_id=body.get("group_id", service.UNSET),
        action_errors=service.thread_action_errors(actions))
    if actions:
        service.update_thread(who, thread, actions)
    return lms.json_answer(one_thread(who, thread))


def bool_field(body: dict[str, Any], name: str) -> bool:
    value = body.get(name, False)
    if isinstance(value, bool):
        return value
    if str(value) in ("true", "True", "1"):
        return True
    if str(value) in ("false", "False", "0", ""):
        return False
    raise field_error({name: "Must be a valid boolean."})


@bp.get("/api/discussion/v1/threads/<thread_id>/")
@discussion_api.doc(resp={200: ThreadObject, 401: DeveloperError, 404: DeveloperError})
def thread_detail(thread_id: str) -> Response:
    """One thread; reading it marks it read for the requester."""
    who, thread = thread_for(thread_id)
    asked_course = request.args.get("course_id")
    if asked_course and asked_course != thread.course_id:
        raise error(404, service.THREAD_NOT_FOUND)
    service.get_thread_detail(who, thread)
    result = one_thread(who, thread)
    if wants_profile_image():
        add_profile_users([result])
    return lms.json_answer(result)


@bp.patch("/api/discussion/v1/threads/<thread_id>/")
@discussion_api.doc(json=ThreadPatch, validate=False,
                    resp={200: ThreadObject, 400: DeveloperError, 401: DeveloperError, 403: DeveloperError,
                          404: DeveloperError, 415: DeveloperError})
def thread_update(thread_id: str) -> Response:
    """Change a thread (``application/merge-patch+json``): any of its ``editable_fields``; the answer shows
    it read."""
    lms.requesting_user(body="developer")
    changes = merge_patch_body()
    who, thread = thread_for(thread_id)
    service.update_thread(who, thread, changes)
    service.mark_read(who, thread)
    return lms.json_answer(one_thread(who, thread))


@bp.delete("/api/discussion/v1/threads/<thread_id>/")
@discussion_api.doc(query=DeleteQuery, validate=False,
                    resp={204: None, 400: DeveloperError, 401: DeveloperError, 403: DeveloperError,
                          404: DeveloperError})
def thread_delete(thread_id: str) -> Response:
    """Delete a thread (its author, a moderator, or a group moderator of its group)."""
    who, thread = thread_for(thread_id)
    service.delete_thread(who, thread, delete_reason())
    return current_app.response_class(status=204)


LEARNER_STATUSES = ("flagged", "unanswered", "unread", "unresponded")


@bp.get("/api/discussion/v1/courses/<course_id>/learner/")
@discussion_api.doc(query=LearnerQuery, validate=False,
                    resp={200: ThreadPage, 400: DeveloperError, 401: DeveloperError, 403: DeveloperError,
                          404: DeveloperError})
def learner_threads(course_id: str) -> Response:
    """A learner's threads in the course (Open edX's ``LearnerThreadView``), as the requester may see them."""
    who = course_user(course_id)
    username = request.args.get("username")
    if not username:
        raise field_error({"username": REQUIRED})
    page, page_size = page_args()
    status = _choice("status", request.args.get("status"), LEARNER_STATUSES)
    thread_type = _choice("thread_type", request.args.get("thread_type"), THREAD_TYPES)
    order_by = _choice("order_by", request.args.get("order_by"), tuple(service.ORDER_KEYS)) or "last_activity_at"
    if query_bool("count_flagged") and not who.is_privileged:
        raise error(403, COUNT_FLAGGED)
    user = user_named(username)
    if user is None:
        return _empty_page(page_size)
    result = service.list_threads(who, author_id=int(user.id), thread_type=thread_type, flagged=status == "flagged",
                                  view=status if status != "flagged" else None, order_by=order_by,
                                  group_id=_group_arg(who), page=page, page_size=page_size)
    # Open edX's LearnerThreadView always adds the authors' images.
    results = add_profile_users(serializers.threads_json(who, result.items))
    return lms.json_answer(paginated(results, window_of(result)))
