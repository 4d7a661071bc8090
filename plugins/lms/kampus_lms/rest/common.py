"""What every LMS REST module shares: Open edX's error bodies, DRF's pagination shapes and dates,
course-id parsing, the requesting user and the "staff or self" rule.

Each Open edX API answers errors its own way, and this module keeps them apart:

* :class:`RestError` is raised anywhere inside a view and answered by :func:`install_error_handler`
  (call it once per blueprint) with its ``body`` exactly, plus Kampus's ``error`` object
  (``{"status", "message"}``) unless ``kampus_error=False``;
* :func:`developer_error` makes Open edX's ``DeveloperErrorViewMixin`` body (``developer_message``,
  ``user_message``), :func:`field_errors` its validation body (``field_errors: {name:
  {"developer_message", "user_message"}}``), :func:`detail_error` DRF's plain ``{"detail": ...}``
  (views without the mixin: enrollment, course modes), :func:`message_error` the enrollment API's
  ``{"message": ...}``.

Pagination: :func:`page_window` checks ``page``/``page_size`` as DRF's ``PageNumberPagination`` does (a
page past the end or not a number: 404 ``Invalid page.``) and gives the offset and limit to read; then
:func:`namespaced_page` (edx-drf-extensions' ``NamespacedPageNumberPagination``: ``{"results",
"pagination": {"next", "previous", "count", "num_pages"}}``, the course API's shape) or :func:`drf_page`
(DRF's ``{"count", "next", "previous", "results"}``, plus ``num_pages`` and ``current_page`` as
edx-drf-extensions' ``DefaultPagination`` adds) build the body. Cursor pagination (DRF's
``CursorPagination``, ``{"next", "previous", "results"}``) is :func:`encode_cursor` /
:func:`decode_cursor` around a keyset query.

Dates are rendered as DRF renders aware datetimes (:func:`drf_datetime`: ISO 8601, UTC as ``Z``).
"""

from __future__ import annotations

import base64
import binascii
import json
import math
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any
from urllib.parse import urlencode

import sqlalchemy as sa
from flask import Blueprint, jsonify, request
from flask_login import current_user
from opaque_keys import InvalidKeyError
from opaque_keys.edx.keys import CourseKey
from opaque_keys.edx.locator import CourseLocator
from werkzeug.wrappers import Response

from kampus import db
from kampus.course_keys import org_of
from kampus.identity.models import CourseAccessRole, User
from kampus.identity.permissions import has_permission
from kampus.identity.roles import INSTRUCTOR, STAFF
from kampus.urls import site_base_url

#: DRF's message for a request without credentials (``NotAuthenticated``).
NOT_AUTHENTICATED = "Authentication credentials were not provided."
#: DRF's message for a refused request (``PermissionDenied``).
PERMISSION_DENIED = "You do not have permission to perform this action."
#: DRF's message for a missing object (``NotFound``).
NOT_FOUND = "Not found."
#: DRF's message for a page out of range (``PageNumberPagination.invalid_page_message``).
INVALID_PAGE = "Invalid page."
#: DRF's message for a bad cursor (``CursorPagination.invalid_cursor_message``).
INVALID_CURSOR = "Invalid cursor"


# -- errors ------------------------------------------------------------------------------------------------


class RestError(Exception):
    """An error answer: ``status`` with ``body`` (Open edX's shape for the endpoint).

    Kampus's ``error`` object (``{"status", "message"}``) is added to the body unless
    ``kampus_error`` is false (bodies that must be exactly Open edX's, such as a list)."""

    def __init__(self, status: int, body: Mapping[str, Any], *, message: str | None = None,
                 kampus_error: bool = True, headers: Mapping[str, str] | None = None):
        self.status = status
        self.body = dict(body)
        self.message = message or _first_message(body) or "Error."
        self.kampus_error = kampus_error
        self.headers = dict(headers or {})
        super().__init__(self.message)

    def response(self) -> Response:
        """The JSON answer of the error."""
        body = dict(self.body)
        if self.kampus_error and "error" not in body:
            body["error"] = {"status": self.status, "message": self.message}
        answer = jsonify(body)
        answer.status_code = self.status
        for name, value in self.headers.items():
            answer.headers[name] = value
        return answer


def _first_message(body: Mapping[str, Any]) -> str:
    for key in ("developer_message", "detail", "message", "user_message"):
        value = body.get(key)
        if isinstance(value, str) and value:
            return value
    fields = body.get("field_errors")
    if isinstance(fields, Mapping):
        for value in fields.values():
            if isinstance(value, Mapping) and value.get("developer_message"):
                return str(value["developer_message"])
    return ""


def developer_error(status: int, developer_message: str, user_message: str | None = None) -> RestError:
    """Open edX's ``DeveloperErrorViewMixin`` error: ``{"developer_message"[, "user_message"]}``."""
    body: dict[str, Any] = {"developer_message": developer_message}
    if user_message is not None:
        body["user_message"] = user_message
    return RestError(status, body)


def field_errors(messages: Mapping[str, str], status: int = 400) -> RestError:
    """Open edX's validation error: ``{"field_errors": {name: {"developer_message", "user_message"}}}``."""
    return RestError(status, {"field_errors": {name: {"developer_message": message, "user_message": message}
                                               for name, message in messages.items()}})


def detail_error(status: int, detail: str) -> RestError:
    """DRF's own error body, ``{"detail": ...}`` (views without Open edX's developer-error mixin)."""
    return RestError(status, {"detail": detail})


def message_error(status: int, message: str, **extra: Any) -> RestError:
    """The enrollment API's error body, ``{"message": ...}`` (and any extra fields it adds)."""
    return RestError(status, {"message": message, **extra})


def install_error_handler(bp: Blueprint) -> None:
    """Answer :class:`RestError` raised by the blueprint's views with its JSON body."""
    bp.register_error_handler(RestError, lambda error: error.response())


def json_answer(body: Any, status: int = 200) -> Response:
    """A JSON answer (any JSON value, a list included) with ``status``."""
    answer = jsonify(body)
    answer.status_code = status
    return answer


def access_json(error_code: str | None = None, developer_message: str | None = None,
                user_message: str | None = None) -> dict[str, Any]:
    """Open edX's ``AccessResponse.to_json()``: access granted without an ``error_code``, else refused with
    the error's code and messages."""
    return {"has_access": error_code is None, "error_code": error_code, "developer_message": developer_message,
            "user_message": user_message, "additional_context_user_message": None, "user_fragment": None}


#: Open edX's ``SHORT_DATE`` format (``start_display``, the course-not-started message).
SHORT_DATE = "%b %d, %Y"


def not_started(start: datetime) -> dict[str, Any]:
    """Open edX's ``StartDateError`` as ``AccessResponse.to_json()``."""
    message = f"Course does not start until {start.strftime(SHORT_DATE)}"
    return access_json("course_not_started", message, message)


# -- dates -------------------------------------------------------------------------------------------------


def drf_datetime(value: datetime | None) -> str | None:
    """A datetime as DRF's ``DateTimeField`` renders it in UTC: ``2026-01-05T09:00:00Z`` (microseconds
    kept when there are any); naive values are taken as UTC; ``None`` stays ``None``."""
    if value is None:
        return None
    if value.tzinfo is None:
        value = value.replace(tzinfo=UTC)
    text = value.astimezone(UTC).isoformat()
    return text[:-6] + "Z" if text.endswith("+00:00") else text


# -- users and permissions ---------------------------------------------------------------------------------


def requesting_user(body: str = "detail") -> Any:
    """The authenticated user of the request (session, bearer token or JWT); else :class:`RestError`
    401 with DRF's message, as ``{"detail": ...}`` (``body="detail"``) or ``{"developer_message": ...}``
    (``body="developer"``, views with Open edX's developer-error mixin)."""
    if current_user.is_authenticated:
        return current_user._get_current_object() if hasattr(current_user, "_get_current_object") else current_user
    if body == "developer":
        raise developer_error(401, NOT_AUTHENTICATED)
    raise detail_error(401, NOT_AUTHENTICATED)


def is_global_staff(user: Any) -> bool:
    """Open edX's ``GlobalStaff``: an authenticated ``is_staff`` or ``is_superuser`` account."""
    return bool(getattr(user, "is_authenticated", False)
                and (getattr(user, "is_staff", False) or getattr(user, "is_superuser", False)))


def is_course_staff(user: Any, course_id: str) -> bool:
    """Global staff, or staff/instructor/TA of the course (``course.view_staff``)."""
    return is_global_staff(user) or has_permission(user, "course.view_staff", course_id)


def is_staff_or_self(user: Any, username: str | None) -> bool:
    """Open edX's ``IsStaffOrOwner`` / ``ApiKeyHeaderPermissionIsAuthenticated`` rule for a user name:
    the requesting user is that user (or no name was given), or global staff."""
    if not getattr(user, "is_authenticated", False):
        return False
    return not username or username == user.username or is_global_staff(user)


def course_roles_held(user: Any) -> list[tuple[str, str, str]]:
    """``(course_id, org, role)`` of every course role the user holds in the role table (one query; roles
    that plugins derive, such as an enrollment's learner, are not in it)."""
    if not getattr(user, "is_authenticated", False):
        return []
    rows = db.session().execute(sa.select(CourseAccessRole.course_id, CourseAccessRole.org, CourseAccessRole.role)
                                .where(CourseAccessRole.user_id == user.id))
    return [(row.course_id, row.org, row.role) for row in rows]


def holds_role(holdings: Iterable[tuple[str, str, str]], course_id: str, role: str, *,
               org_wide: bool = True) -> bool:
    """Open edX's ``has_access(user, role, course)`` for a course role over :func:`course_roles_held`:
    ``staff`` is held by staff and instructors, other roles by themselves; a role given for the course's
    whole organization counts unless ``org_wide`` is false."""
    wanted = {STAFF, INSTRUCTOR} if role == STAFF else {role}
    org = org_of(course_id)
    return any(held in wanted and (held_course == course_id
                                   or (org_wide and not held_course and held_org and held_org == org))
               for held_course, held_org, held in holdings)


def user_by_username(username: Any) -> User | None:
    """The account called ``username`` (one query), or ``None`` — without asking the database for what no
    account can be called (not a string, empty, a NUL character, longer than a user name)."""
    if not isinstance(username, str) or not username or "\x00" in username or len(username) > 150:
        return None
    return db.session().scalar(sa.select(User).where(User.username == username))


def without_nul(value: str | None) -> str | None:
    """A filter text from a request without NUL characters (PostgreSQL refuses them); ``None`` stays."""
    return value.replace("\x00", "") if value is not None else None


def users_by_username(usernames: Iterable[str]) -> dict[str, User]:
    """The accounts among ``usernames``, by name (one query)."""
    names = sorted({name for name in usernames if name and "\x00" not in name and len(name) <= 150})
    if not names:
        return {}
    return {user.username: user for user in db.session().scalars(sa.select(User).where(User.username.in_(names)))}


def usernames_by_id(user_ids: Iterable[int]) -> dict[int, str]:
    """User names of the accounts ``user_ids`` (one query)."""
    ids = sorted(set(user_ids))
    if not ids:
        return {}
    rows = db.session().execute(sa.select(User.id, User.username).where(User.id.in_(ids)))
    return {row.id: row.username for row in rows}


# -- course ids --------------------------------------------------------------------------------------------


def course_key_or_none(value: str | None) -> CourseKey | None:
    """The course key of ``value`` (``course-v1:Org+Number+Run`` or the old ``Org/Number/Run``), or
    ``None`` when it is not one."""
    if not value:
        return None
    try:
        key = CourseKey.from_string(value)
    except InvalidKeyError:
        return None
    return key if isinstance(key, CourseLocator) else None


def parse_course_id(value: str | None, *, field: str = "course_key", status: int = 400,
                    error: Callable[[str], RestError] | None = None) -> str:
    """The canonical course id of ``value``; else the error of Open edX's course API (400
    ``field_errors: {field: "'<value>' is not a valid course key."}``) or the one ``error(value)`` makes."""
    key = course_key_or_none(value)
    if key is None:
        if error is not None:
            raise error(str(value or ""))
        raise field_errors({field: f"'{value or ''}' is not a valid course key."}, status=status)
    return str(key)


# -- links ------------------------------------------------------------------------------------------------


def absolute(path: str) -> str:
    """``path`` as an absolute URL of the site (DRF's ``request.build_absolute_uri``)."""
    return site_base_url() + (path if path.startswith("/") else "/" + path)


def url_with(**changes: Any) -> str:
    """The absolute URL of the current request with some query parameters replaced (``None``
    removes one), as DRF's ``replace_query_param`` builds pagination links."""
    params: list[tuple[str, str]] = [(name, value) for name, value in request.args.items(multi=True)
                                     if name not in changes]
    params.extend((name, str(value)) for name, value in changes.items() if value is not None)
    query = urlencode(params)
    return absolute(request.path) + ("?" + query if query else "")


# -- page-number pagination -------------------------------------------------------------------------------


@dataclass(frozen=True)
class PageWindow:
    """One page of a list of ``count`` items: ``page`` (1-based) of ``num_pages``, ``page_size`` each."""

    count: int
    page: int
    page_size: int
    num_pages: int

    @property
    def offset(self) -> int:
        return (self.page - 1) * self.page_size

    @property
    def limit(self) -> int:
        return self.page_size

    def slice(self, items: Sequence[Any]) -> list[Any]:
        """The page's items out of the whole list ``items``."""
        return list(items[self.offset:self.offset + self.page_size])

    @property
    def next_url(self) -> str | None:
        return url_with(page=self.page + 1) if self.page < self.num_pages else None

    @property
    def previous_url(self) -> str | None:
        """DRF leaves ``page`` out of the link to page 1."""
        if self.page <= 1:
            return None
        return url_with(page=self.page - 1 if self.page > 2 else None)


def page_size_of(raw: Any, default: int, maximum: int) -> int:
    """DRF's ``get_page_size``: a positive integer, capped at ``maximum``; anything else means ``default``."""
    try:
        size = int(raw)
    except (TypeError, ValueError):
        return default
    if size <= 0:
        return default
    return min(size, maximum)


def page_window(count: int, page: Any = None, page_size: Any = None, *, default_size: int = 10,
                max_size: int = 100, error: Callable[[str], RestError] | None = None) -> PageWindow:
    """The requested page of ``count`` items (``page`` a number or ``last``, default 1), or
    :class:`RestError` 404 ``Invalid page.`` (as ``error(message)`` makes it; default
    ``{"developer_message"}``) for a page that is not a number or lies past the end."""
    size = page_size_of(page_size, default_size, max_size)
    num_pages = max(1, math.ceil(count / size))
    raw = "1" if page in (None, "") else str(page)
    number = num_pages if raw == "last" else None
    if number is None:
        try:
            number = int(raw)
        except ValueError:
            number = 0
    if number < 1 or number > num_pages:
        raise (error or (lambda message: developer_error(404, message)))(INVALID_PAGE)
    return PageWindow(count=count, page=number, page_size=size, num_pages=num_pages)


def namespaced_page(results: list[Any], window: PageWindow) -> dict[str, Any]:
    """edx-drf-extensions' ``NamespacedPageNumberPagination`` body (the course API's)."""
    return {
        "results": results,
        "pagination": {"next": window.next_url, "previous": window.previous_url, "count": window.count,
                       "num_pages": window.num_pages},
    }


def drf_page(results: list[Any], window: PageWindow) -> dict[str, Any]:
    """edx-drf-extensions' ``DefaultPagination`` body: DRF's ``{"count", "next", "previous", "results"}``
    plus ``num_pages`` and ``current_page``."""
    return {"next": window.next_url, "previous": window.previous_url, "count": window.count,
            "num_pages": window.num_pages, "current_page": window.page, "start": window.offset,
            "results": results}


# -- cursor pagination ------------------------------------------------------------------------------------


def encode_cursor(position: Mapping[str, Any]) -> str:
    """An opaque cursor for a keyset position (URL-safe base64 of JSON)."""
    raw = json.dumps(dict(position), separators=(",", ":"), sort_keys=True).encode()
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def decode_cursor(cursor: str | None, error: Callable[[str], RestError] | None = None) -> dict[str, Any] | None:
    """The position of a cursor from :func:`encode_cursor` (``None`` without one); a cursor that does not
    decode is :class:`RestError` 404 ``Invalid cursor`` (DRF's ``NotFound``)."""
    if not cursor:
        return None
    try:
        padded = cursor + "=" * (-len(cursor) % 4)
        value = json.loads(base64.urlsafe_b64decode(padded.encode()).decode())
    except (binascii.Error, UnicodeDecodeError, ValueError):
        value = None
    if not isinstance(value, dict):
        raise (error or (lambda message: detail_error(404, message)))(INVALID_CURSOR)
    return value


def cursor_url(position: Mapping[str, Any] | None) -> str | None:
    """The absolute URL of the current request at another cursor position (``None`` without one)."""
    if position is None:
        return None
    return url_with(cursor=encode_cursor(position))


def comma_list(values: Iterable[str | None]) -> list[str]:
    """Comma-separated query values (repeated parameters too) as one list, blanks dropped, order kept."""
    seen: dict[str, None] = {}
    for raw in values:
        for part in (raw or "").split(","):
            if part.strip():
                seen.setdefault(part.strip(), None)
    return list(seen)
