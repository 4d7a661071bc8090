"""Open edX's bookmarks REST API (``openedx/core/djangoapps/bookmarks``) at its paths, in its shapes.

* ``GET /api/bookmarks/v1/bookmarks/`` (``BookmarksListView``): the requesting user's bookmarks, newest
  first, in one course (``course_id``) or all; ``fields=display_name,path`` adds the optional fields to
  ``id``, ``course_id``, ``usage_id``, ``block_type``, ``created``; paged as edx-drf-extensions'
  ``DefaultPagination`` (``{"count", "num_pages", "current_page", "start", "next", "previous",
  "results"}``, 10 a page, ``page_size`` up to 100). Emits ``edx.bookmark.listed``.
* ``POST /api/bookmarks/v1/bookmarks/`` ``{"usage_id"}``: bookmarks a unit the user may open (201 with every
  field); errors 400 ``{"developer_message", "user_message"}`` with Open edX's messages, at most
  100 bookmarks a course (Open edX's ``MAX_BOOKMARKS_PER_COURSE``).
* ``GET`` / ``DELETE /api/bookmarks/v1/bookmarks/<username>,<usage_id>/`` (``BookmarksDetailView``): one
  bookmark (``fields`` as above) or its removal (204). Another user's name is a 404, as Open edX's
  ``IsUserInUrl`` answers.
"""

from __future__ import annotations

from typing import Any

from flask import Blueprint, current_app, request
from opaque_keys import InvalidKeyError
from opaque_keys.edx.keys import UsageKey
from pydantic import BaseModel, Field
from werkzeug.wrappers import Response

from kampus import db
from kampus.api_docs import ApiSection
from kampus.events.emit import emit
from kampus_lms.courseware.api import BookmarkInfo, bookmark_unit, bookmarks_of, unbookmark
from kampus_lms.rest.common import (
    NOT_FOUND,
    RestError,
    course_key_or_none,
    detail_error,
    drf_datetime,
    drf_page,
    install_error_handler,
    json_answer,
    page_window,
    requesting_user,
)

bp = Blueprint("lms_rest_bookmarks", __name__)
install_error_handler(bp)

bookmarks_api = ApiSection("bookmarks", "Bookmarks on units (Open edX's bookmarks API).", errors="openedx")

DEFAULT_FIELDS = ("id", "course_id", "usage_id", "block_type", "created")
OPTIONAL_FIELDS = ("display_name", "path")
#: Open edX's ``MAX_BOOKMARKS_PER_COURSE``.
MAX_BOOKMARKS_PER_COURSE = 100
DEFAULT_USER_MESSAGE = "An error has occurred. Please try again."


class BookmarksQuery(BaseModel):
    course_id: str | None = Field(None, description="Only the bookmarks of this course.")
    fields: str | None = Field(None, description="Optional fields to add: display_name, path.")
    page: str | None = Field(None, description="The page (1 first).")
    page_size: str | None = Field(None, description="Bookmarks per page (default 10, at most 100).")


class FieldsQuery(BaseModel):
    fields: str | None = Field(None, description="Optional fields to add: display_name, path.")


class NewBookmark(BaseModel):
    usage_id: str = Field(description="The unit to bookmark.")


class PathItem(BaseModel):
    usage_id: str
    display_name: str


class Bookmark(BaseModel):
    """Open edX's ``BookmarkSerializer`` (``display_name`` and ``path`` only when asked for)."""

    id: str
    course_id: str
    usage_id: str
    block_type: str
    created: str
    display_name: str | None = None
    path: list[PathItem] | None = None


class BookmarkPage(BaseModel):
    count: int
    num_pages: int
    current_page: int
    start: int
    next: str | None
    previous: str | None
    results: list[Bookmark]


class BookmarkError(BaseModel):
    developer_message: str
    user_message: str | None = None


class Detail(BaseModel):
    detail: str


class NotFoundError(BaseModel):
    """404: ``{"developer_message", "user_message"}``, or DRF's ``{"detail"}`` for another user's name."""

    developer_message: str | None = None
    user_message: str | None = None
    detail: str | None = None


def _error(message: str, user_message: str | None = None, status: int = 400) -> RestError:
    """``BookmarksViewMixin.error_response``."""
    return RestError(status, {"developer_message": message, "user_message": user_message or message})


def fields_to_return(raw: str | None) -> tuple[str, ...]:
    """``fields_to_return``: the default fields plus the optional ones asked for."""
    asked = (raw or "").split(",")
    return DEFAULT_FIELDS + tuple(name for name in OPTIONAL_FIELDS if name in asked)


def bookmark_json(info: BookmarkInfo, fields: tuple[str, ...]) -> dict[str, Any]:
    """``BookmarkSerializer`` with ``fields``."""
    whole = {
        "id": info.id, "course_id": info.course_id, "usage_id": info.usage_id, "block_type": info.block_type,
        "created": drf_datetime(info.created), "display_name": info.display_name,
        "path": [{"usage_id": item.usage_id, "display_name": item.display_name} for item in info.path],
    }
    return {name: whole[name] for name in fields}


@bp.get("/api/bookmarks/v1/bookmarks/")
@bookmarks_api.doc(query=BookmarksQuery, validate=False,
                   resp={200: BookmarkPage, 401: Detail, 404: Detail})
def bookmark_list() -> Response:
    """The requesting user's bookmarks, newest first (one course with ``course_id``)."""
    user = requesting_user()
    raw_course = request.args.get("course_id")
    fields = fields_to_return(request.args.get("fields"))
    if raw_course:
        key = course_key_or_none(raw_course)
        bookmarks = bookmarks_of(user.id, str(key)) if key is not None else []
    else:
        key = None
        bookmarks = bookmarks_of(user.id)
    window = page_window(len(bookmarks), request.args.get("page"), request.args.get("page_size"),
                         default_size=10, max_size=100, error=lambda message: detail_error(404, message))
    if not raw_course or key is not None:
        event = {"list_type": "per_course" if raw_course else "all_courses", "bookmarks_count": window.count,
                 "page_size": window.page_size, "page_number": window.page}
        if raw_course:
            event["course_id"] = raw_course
        emit("edx.bookmark.listed", event, course_id=str(key) if key is not None else None)
    return json_answer(drf_page([bookmark_json(info, fields) for info in window.slice(bookmarks)], window))


@bp.post("/api/bookmarks/v1/bookmarks/")
@bookmarks_api.doc(json=NewBookmark, validate=False,
                   resp={201: Bookmark, 400: BookmarkError, 401: Detail, 403: Detail})
def bookmark_create() -> Response:
    """Bookmark a unit: ``{"usage_id"}``."""
    user = requesting_user()
    data: Any = request.get_json(silent=True) if request.is_json else request.form.to_dict()
    if not data:
        raise _error("No data provided.", DEFAULT_USER_MESSAGE)
    usage_id = data.get("usage_id") if isinstance(data, dict) else None
    if not usage_id:
        raise _error("Parameter usage_id not provided.", DEFAULT_USER_MESSAGE)
    try:
        usage_key = UsageKey.from_string(str(usage_id))
    except InvalidKeyError:
        raise _error(f"Invalid usage_id: {usage_id}.", DEFAULT_USER_MESSAGE) from None
    course_id = str(usage_key.course_key)
    existing = {info.usage_id: info for info in bookmarks_of(user.id, course_id)}
    if str(usage_key) not in existing and len(existing) >= MAX_BOOKMARKS_PER_COURSE:
        raise _error(f"You can create up to {MAX_BOOKMARKS_PER_COURSE} bookmarks. "
                     "You must remove some bookmarks before you can add new ones.")
    if bookmark_unit(user, str(usage_key)) is None:
        raise _error(f"Block with usage_id: {usage_id} not found.", DEFAULT_USER_MESSAGE)
    db.session().commit()
    made = next(info for info in bookmarks_of(user.id, course_id) if info.usage_id == str(usage_key))
    return json_answer(bookmark_json(made, DEFAULT_FIELDS + OPTIONAL_FIELDS), 201)


def _own_bookmark(username: str, usage_id: str) -> tuple[Any, BookmarkInfo]:
    user = requesting_user()
    if username.lower() != str(user.username).lower():
        raise detail_error(404, NOT_FOUND)
    try:
        usage_key = UsageKey.from_string(usage_id)
    except InvalidKeyError:
        raise _error(f"Invalid usage_id: {usage_id}.", status=404) from None
    found = next((info for info in bookmarks_of(user.id, str(usage_key.course_key))
                  if info.usage_id == str(usage_key)), None)
    if found is None:
        raise _error(f"Bookmark with usage_id: {usage_id} does not exist.", status=404)
    return user, found


@bp.get("/api/bookmarks/v1/bookmarks/<username>,<usage_id>/")
@bookmarks_api.doc(query=FieldsQuery, validate=False, resp={200: Bookmark, 401: Detail, 404: NotFoundError})
def bookmark_detail(username: str, usage_id: str) -> Response:
    """One of the requesting user's bookmarks."""
    _user, found = _own_bookmark(username, usage_id)
    return json_answer(bookmark_json(found, fields_to_return(request.args.get("fields"))))


@bp.delete("/api/bookmarks/v1/bookmarks/<username>,<usage_id>/")
@bookmarks_api.doc(resp={204: None, 401: Detail, 403: Detail, 404: NotFoundError})
def bookmark_delete(username: str, usage_id: str) -> Response:
    """Remove one of the requesting user's bookmarks."""
    user, found = _own_bookmark(username, usage_id)
    unbookmark(user, found.usage_id)
    db.session().commit()
    return current_app.response_class(status=204)  # a Flask response: SpecTree keeps its status
