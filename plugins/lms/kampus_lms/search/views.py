"""Endpoints of the LMS area ``search``: edx-search's wire format (``search/views.py``).

* ``POST /search/course_discovery/``: form fields ``search_string``, ``page_size`` (1-100, default
  20), ``page_index`` (0-based), and facet choices (``org=MITx``, repeatable; ``language``,
  ``modes``, ``start``, ``enrollment``, plugin facets). Answer: ``{"took", "total", "max_score",
  "results": [{"_id", "_index", "score", "data"}], "facets": {name: {"terms", "total", "other"}},
  "access_denied_count"}``. Anyone may ask (the catalog is public); visibility rules apply.
* ``POST /search/<course_id>``: form fields ``search_string``, ``page_size``, ``page_index``; for
  whoever may open the course's units (``course_access``; 404 / 403 otherwise); each result's
  ``data`` has ``url`` (Open edX's ``jump_to``) and ``excerpt`` (HTML, matched words in ``<b>``,
  the text escaped).

Errors are ``{"error": message}`` with 400 (bad paging), 403 or 404. Both are read-only, so they take
no CSRF token (as edx-search's ``csrf_exempt`` views).
"""

from __future__ import annotations

from typing import Any

from flask import Blueprint, jsonify, request
from flask_babel import gettext as _
from flask_login import current_user

from kampus_lms.search.api import SearchAccessError, search_course_content, search_courses

bp = Blueprint("lms_search", __name__)

#: Form fields that are not facet choices.
_CONTROL_FIELDS = ("search_string", "page_size", "page_index", "csrf_token")


def _error(status: int, message: str) -> Any:
    response = jsonify({"error": message})
    response.status_code = status
    return response


def _paging() -> tuple[int, int] | None:
    try:
        page_size = int(request.form.get("page_size") or 20)
        page_index = int(request.form.get("page_index") or 0)
    except ValueError:
        return None
    if not 1 <= page_size <= 100 or not 0 <= page_index <= 10_000:
        return None
    return page_size, page_index


@bp.post("/search/course_discovery/")
def course_discovery() -> Any:
    """edx-search's course discovery: courses matching the words and facet choices."""
    paging = _paging()
    if paging is None:
        return _error(400, _("page_size must be 1 to 100 and page_index a number from 0."))
    page_size, page_index = paging
    filters = {name: request.form.getlist(name) for name in request.form if name not in _CONTROL_FIELDS}
    result = search_courses(request.form.get("search_string", ""), filters, user=current_user,
                            page=page_index + 1, page_size=page_size)
    return jsonify(result.as_edx_json())


@bp.post("/search/<path:course_id>")
def course_search(course_id: str) -> Any:
    """edx-search's courseware search within one course."""
    paging = _paging()
    if paging is None:
        return _error(400, _("page_size must be 1 to 100 and page_index a number from 0."))
    page_size, page_index = paging
    try:
        result = search_course_content(course_id, request.form.get("search_string", ""), user=current_user,
                                       page=page_index + 1, page_size=page_size)
    except SearchAccessError as exc:
        return _error(exc.status, exc.message)
    return jsonify(result.as_edx_json())


course_discovery.kampus_csrf_exempt = True  # type: ignore[attr-defined]  # read-only
course_search.kampus_csrf_exempt = True  # type: ignore[attr-defined]  # read-only
