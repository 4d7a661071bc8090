"""Open edX's discussion comments REST API (``CommentViewSet``) at its paths:

* ``GET /api/discussion/v1/comments/?thread_id=...`` (``CommentListGetForm``): a page of the thread's
  responses with their comments (``endorsed`` required for questions, refused for discussions); emits
  ``edx.forum.thread.viewed``. ``?username=...&course_id=...``: a user's responses and comments;
* ``POST /api/discussion/v1/comments/``: a response, or with ``parent_id`` a comment on one (200);
* ``GET /api/discussion/v1/comments/<id>/``: a page of a response's comments (not the comment itself);
* ``PATCH`` (``application/merge-patch+json``) / ``DELETE`` ``/api/discussion/v1/comments/<id>/``.
"""

from __future__ import annotations

from typing import Any

from flask import Blueprint, current_app, request
from kampus_lms import api as lms
from pydantic import BaseModel, Field
from werkzeug.wrappers import Response

from kampus import db
from kampus_forums.access import ForumUser
from kampus_forums.rest import serializers
from kampus_forums.rest.common import (
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
from kampus_forums.rest.threads import (
    REQUIRED,
    DeveloperError,
    Pagination,
    ProfileImage,
    UserProfile,
    add_profile_users,
    bool_field,
    install_forum_error_handler,
    page_args,
    user_named,
    wants_profile_image,
    window_of,
)
from kampus_forums.threads import service
from kampus_forums.threads.models import Comment, Thread

bp = Blueprint("forums_rest_comments", __name__)
lms.install_error_handler(bp)
install_forum_error_handler(bp)


class CommentListQuery(BaseModel):
    thread_id: str | None = Field(None, description="The thread whose responses to list.")
    endorsed: str | None = Field(None, description="Question threads (required): endorsed or other responses.")
    flagged: str | None = Field(None, description="Privileged users: only reported responses.")
    reverse_order: str | None = Field(None, description="Newest responses first.")
    merge_question_type_responses: str | None = Field(None, description="A question's responses in one list.")
    username: str | None = Field(None, description="With course_id: this user's responses and comments.")
    course_id: str | None = None
    requested_fields: str | None = Field(None, description="profile_image adds the authors' images.")
    page: str | None = None
    page_size: str | None = None


class CommentObject(BaseModel):
    """Open edX's ``CommentSerializer``."""

    id: str
    author: str | None
    author_label: str | None
    created_at: str
    updated_at: str
    raw_body: str
    rendered_body: str
    abuse_flagged: bool
    abuse_flagged_any_user: bool | None
    voted: bool
    vote_count: int
    editable_fields: list[str]
    can_delete: bool
    anonymous: bool
    anonymous_to_peers: bool
    last_edit: dict[str, Any] | None
    edit_by_label: str | None
    thread_id: str
    parent_id: str | None
    endorsed: bool
    endorsed_by: str | None
    endorsed_by_label: str | None
    endorsed_at: str | None
    child_count: int
    children: list[dict[str, Any]]
    profile_image: ProfileImage = Field(description="The requester's profile image (as Open edX gives it).")
    users: dict[str, UserProfile] | None = Field(None, description="requested_fields=profile_image: the "
                                                 "profile images of the author and the endorser.")


class CommentPage(BaseModel):
    results: list[CommentObject]
    pagination: Pagination


class NewComment(BaseModel):
    thread_id: str
    raw_body: str
    parent_id: str | None = Field(None, description="The response this comment answers.")
    anonymous: bool | None = None
    anonymous_to_peers: bool | None = None


class CommentPatch(BaseModel):
    raw_body: str | None = None
    anonymous: bool | None = None
    anonymous_to_peers: bool | None = None
    edit_reason_code: str | None = None
    endorsed: bool | None = None
    voted: bool | None = None
    abuse_flagged: bool | None = None


def _comment_for(comment_id: str) -> tuple[ForumUser, Comment, Thread]:
    """The comment, its thread and the requester; 404 ``Comment not found.`` when missing or hidden."""
    lms.requesting_user(body="developer")
    comment = service.get_comment(comment_id)
    thread = service.get_thread(comment.thread_id) if comment is not None else None
    if comment is None or thread is None:
        raise error(404, service.COMMENT_NOT_FOUND)
    who = course_user(thread.course_id)
    try:
        service.check_visible(who, thread)
    except service.ForumError:
        raise error(404, service.COMMENT_NOT_FOUND) from None
    return who, comment, thread


def _answer(results: list[dict[str, Any]], page: service.Page) -> Response:
    if wants_profile_image():
        add_profile_users(results, "endorsed_by")
    return lms.json_answer(paginated(results, window_of(page)))


@bp.get("/api/discussion/v1/comments/")
@discussion_api.doc(query=CommentListQuery, validate=False,
                    resp={200: CommentPage, 400: DeveloperError, 401: DeveloperError, 404: DeveloperError})
def comment_list() -> Response:
    """A page of a thread's responses, each with its comments; or a user's posts in a course."""
    lms.requesting_user(body="developer")
    page, page_size = page_args()
    thread_id = request.args.get("thread_id")
    if not thread_id:
        username = request.args.get("username")
        if username and request.args.get("course_id"):
            return _user_comments(username, request.args["course_id"], page, page_size)
        raise field_error({"thread_id": REQUIRED})
    thread = service.get_thread(thread_id)
    if thread is None:
        raise error(404, service.THREAD_NOT_FOUND)
    who = course_user(thread.course_id)
    service.check_visible(who, thread)
    result = service.list_comments(who, thread, endorsed=query_bool("endorsed"), flagged=bool(query_bool("flagged")),
                                   page=page, page_size=page_size, reverse_order=bool(query_bool("reverse_order")),
                                   merge_question_type_responses=bool(query_bool("merge_question_type_responses")))
    results = serializers.comments_json(who, result.items, thread, with_children=True)
    service.thread_viewed(who, thread, from_mfe_sidebar=bool(query_bool("enable_in_context_sidebar")))
    return _answer(results, result)


def _user_comments(username: str, course_id: str, page: int, page_size: int) -> Response:
    who = course_user(course_id)
    user = user_named(username)
    if user is None:
        raise error(404, "User not found.")
    result = service.list_user_comments(who, int(user.id), flagged=bool(query_bool("flagged")), page=page,
                                        page_size=page_size)
    return _answer(serializers.comments_json(who, result.items, None), result)


def _initializable(who: ForumUser, thread: Thread, parent_id: Any = None) -> set[str]:
    """Open edX's ``get_initializable_comment_fields``: a fresh response's (a comment's, with ``parent_id``)
    editable fields, plus ``thread_id`` and ``parent_id``."""
    fresh = Comment(id=0, thread_id=thread.id, parent_id=service.int_id(parent_id) if parent_id else None,
                    course_id=thread.course_id, body="",
                    author_id=who.id, author_username=who.username)
    return service.comment_editable_fields(who, fresh, thread, thread_closed=False) | {"thread_id", "parent_id"}


@bp.post("/api/discussion/v1/comments/")
@discussion_api.doc(json=NewComment, validate=False,
                    resp={200: CommentObject, 400: DeveloperError, 401: DeveloperError, 403: DeveloperError,
                          404: DeveloperError})
def comment_create() -> Response:
    """Post a response, or a comment on a response (``parent_id``; one level only)."""
    lms.requesting_user(body="developer")
    body = json_or_form_body()
    body.pop("enable_in_context_sidebar", None)
    if not body.get("thread_id"):
        raise field_error({"thread_id": REQUIRED})
    thread = service.get_thread(body["thread_id"])
    if thread is None:
        raise error(404, service.THREAD_NOT_FOUND)
    who = course_user(thread.course_id)
    service.check_visible(who, thread)
    if thread.closed and not service.is_privileged_on(who, thread):
        raise error(403, service.PERMISSION_DENIED)
    allowed = _initializable(who, thread, body.get("parent_id"))
    errors = {name: service.NOT_INITIALIZABLE for name in body if name not in allowed}
    if "raw_body" not in body:
        errors["raw_body"] = REQUIRED
    if errors:
        raise field_error(errors)
    parent_id = body.get("parent_id") or None
    actions = {name: body[name] for name in ("voted", "abuse_flagged", "endorsed") if name in body}
    comment = service.create_comment(who, thread, body["raw_body"], parent_id=parent_id,
                                     anonymous=bool_field(body, "anonymous"),
                                     anonymous_to_peers=bool_field(body, "anonymous_to_peers"),
                                     action_errors=service.comment_action_errors(actions))
    if actions:
        service.update_comment(who, comment, actions)
    return lms.json_answer(serializers.comments_json(who, [comment], thread)[0])


@bp.get("/api/discussion/v1/comments/<comment_id>/")
@discussion_api.doc(query=CommentListQuery, validate=False,
                    resp={200: CommentPage, 400: DeveloperError, 401: DeveloperError, 404: DeveloperError})
def comment_children(comment_id: str) -> Response:
    """A page of the comments on a response (Open edX answers the children, not the comment)."""
    who, comment, thread = _comment_for(comment_id)
    page, page_size = page_args()
    result = service.list_child_comments(who, comment, page=page, page_size=page_size,
                                         reverse_order=bool(query_bool("reverse_order")))
    return _answer(serializers.comments_json(who, result.items, thread), result)


@bp.patch("/api/discussion/v1/comments/<comment_id>/")
@discussion_api.doc(json=CommentPatch, validate=False,
                    resp={200: CommentObject, 400: DeveloperError, 401: DeveloperError, 403: DeveloperError,
                          404: DeveloperError, 415: DeveloperError})
def comment_update(comment_id: str) -> Response:
    """Change a response or comment (``application/merge-patch+json``): any of its ``editable_fields``."""
    lms.requesting_user(body="developer")
    changes = merge_patch_body()
    who, comment, thread = _comment_for(comment_id)
    service.update_comment(who, comment, changes)
    db.session().refresh(thread)
    return lms.json_answer(serializers.comments_json(who, [comment], thread)[0])


@bp.delete("/api/discussion/v1/comments/<comment_id>/")
@discussion_api.doc(query=DeleteQuery, validate=False,
                    resp={204: None, 400: DeveloperError, 401: DeveloperError, 403: DeveloperError,
                          404: DeveloperError})
def comment_delete(comment_id: str) -> Response:
    """Delete a response (with its comments) or a comment."""
    who, comment, _thread = _comment_for(comment_id)
    service.delete_comment(who, comment, delete_reason())
    return current_app.response_class(status=204)
