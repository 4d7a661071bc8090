"""What every module of the discussion REST API shares (Open edX's ``lms/djangoapps/discussion/rest_api``
conventions): the API section of the OpenAPI document, the requesting user in a course, merge-patch
bodies, query-string booleans and the discussion API's pagination.

Errors are :class:`kampus_lms.api.RestError` with Open edX's ``DeveloperErrorViewMixin`` bodies
(``developer_message``, ``field_errors: {name: {"developer_message"}}``); a blueprint answers them after
``lms.install_error_handler(bp)``.
"""

from __future__ import annotations

import json
from typing import Any

from flask import request
from kampus_lms import api as lms
from pydantic import BaseModel, Field

from kampus.api_docs import ApiSection
from kampus_forums.access import ForumUser, forum_user
from kampus_forums.threads.bodies import NOT_STORABLE, storable, valid_unicode
from kampus_forums.topics import service as topics

discussion_api = ApiSection(
    "discussion", "Discussions (Open edX's discussion REST API, lms/djangoapps/discussion/rest_api).",
    errors="openedx")

MERGE_PATCH = "application/merge-patch+json"
COURSE_NOT_FOUND = "Course not found."
PAGE_NOT_FOUND = "Page not found (No results on this page)."
#: The discussion API's page sizes (``DiscussionAPIPagination``).
DEFAULT_PAGE_SIZE = 10
MAX_PAGE_SIZE = 100

_TRUE = {"true", "True", "1"}
_FALSE = {"false", "False", "0"}


def error(status: int, message: str) -> lms.RestError:
    """An error with Open edX's ``{"developer_message"}`` body."""
    return lms.developer_error(status, message)


def field_error(messages: dict[str, str], status: int = 400) -> lms.RestError:
    """A validation error: ``{"field_errors": {name: {"developer_message"}}}``, as the discussion API
    answers one (no ``user_message``)."""
    return lms.RestError(status, {"field_errors": {name: {"developer_message": message}
                                                   for name, message in messages.items()}})


def course_user(course_id: str | None) -> ForumUser:
    """The requesting user in the published course ``course_id`` who may read its forums; else 401
    (no credentials) or 404 ``Course not found.`` (unknown course, or neither enrolled nor on its team),
    as Open edX answers."""
    user = lms.requesting_user(body="developer")
    key = lms.course_key_or_none(course_id)
    if key is None or not topics.is_published(str(key)):
        raise error(404, COURSE_NOT_FOUND)
    who = forum_user(user, str(key))
    if who is None or not who.can_read:
        raise error(404, COURSE_NOT_FOUND)
    return who


def query_bool(name: str, default: bool | None = None) -> bool | None:
    """A query-string boolean as Open edX's ``ExtendedNullBooleanField`` reads it; 400 for other values."""
    raw = request.args.get(name)
    if raw is None or raw == "":
        return default
    if raw in _TRUE:
        return True
    if raw in _FALSE:
        return False
    raise field_error({name: "Select a valid choice."})


def merge_patch_body() -> dict[str, Any]:
    """The JSON object of a PATCH request sent as ``application/merge-patch+json``; 415 for another
    content type, 400 for a body that is not a JSON object."""
    content_type = (request.mimetype or "").lower()
    if content_type != MERGE_PATCH:
        raise error(415, f'Unsupported media type "{request.content_type or ""}" in request.')
    try:
        body = json.loads(request.get_data(as_text=True) or "{}")
    except ValueError as exc:
        raise error(400, f"JSON parse error - {exc}") from None
    if not isinstance(body, dict):
        raise error(400, "The body must be a JSON object.")
    return checked_text(body)


def checked_text(body: dict[str, Any]) -> dict[str, Any]:
    """``body`` when every text in it (names and values, at any depth) is valid Unicode; else 400 with a
    field error for each field holding a lone surrogate (JSON's ``"\\ud800"``), which could not be stored."""
    bad = {str(name) if valid_unicode(str(name)) else "non_field_errors": NOT_STORABLE
           for name, value in body.items() if not _valid_text(name) or not _valid_text(value)}
    if bad:
        raise field_error(bad)
    return body


def _valid_text(value: Any) -> bool:
    if isinstance(value, str):
        return valid_unicode(value)
    if isinstance(value, dict):
        return all(_valid_text(key) and _valid_text(item) for key, item in value.items())
    if isinstance(value, list):
        return all(_valid_text(item) for item in value)
    return True


def json_or_form_body() -> dict[str, Any]:
    """The body of a POST: a JSON object, or form fields; 400 for JSON that is not an object."""
    if request.is_json:
        body = request.get_json(silent=True)
        if not isinstance(body, dict):
            raise error(400, "The body must be a JSON object.")
        return checked_text(body)
    return request.form.to_dict()


class DeleteQuery(BaseModel):
    """The query of a DELETE of a post (a JSON body ``{"reason"}`` is read too)."""

    reason: str | None = Field(None, description="Why a moderator deletes the post (kept in the audit log).")


def delete_reason() -> str:
    """The moderator's reason for a DELETE: ``?reason=`` (the web client), else ``{"reason"}`` of a JSON body;
    ``""`` when neither is sent; 400 for a JSON body that is not an object or a reason that is not text."""
    if "reason" in request.args:
        return request.args.get("reason", "").strip()
    if not request.get_data(cache=True):
        return ""
    if not request.is_json:
        raise error(400, "The body must be a JSON object.")
    body = request.get_json(silent=True)
    if not isinstance(body, dict):
        raise error(400, "The body must be a JSON object.")
    reason = body.get("reason")
    if reason is None:
        return ""
    if not isinstance(reason, str):
        raise field_error({"reason": "Not a valid string."})
    if not storable(reason):
        raise field_error({"reason": NOT_STORABLE})
    return reason.strip()


def page(count: int) -> lms.PageWindow:
    """The requested page of ``count`` items (``page``, ``page_size`` up to 100); 404 ``Page not found``
    past the end, 400 for a page size that is not a positive number."""
    raw_size = request.args.get("page_size")
    if raw_size not in (None, ""):
        try:
            if int(raw_size) < 1:
                raise ValueError
        except ValueError:
            raise field_error({"page_size": "Ensure this value is greater than or equal to 1."}) from None
    raw_page = request.args.get("page")
    if raw_page not in (None, ""):
        try:
            if int(raw_page) < 1:
                raise ValueError
        except ValueError:
            raise field_error({"page": "Ensure this value is greater than or equal to 1."}) from None
    return lms.page_window(count, raw_page, raw_size, default_size=DEFAULT_PAGE_SIZE, max_size=MAX_PAGE_SIZE,
                           error=lambda _message: error(404, PAGE_NOT_FOUND))


def paginated(results: list[Any], window: lms.PageWindow, **extra: Any) -> dict[str, Any]:
    """``{"results", "pagination": {"next", "previous", "count", "num_pages"}}`` plus ``extra`` keys."""
    return {**lms.namespaced_page(results, window), **extra}
