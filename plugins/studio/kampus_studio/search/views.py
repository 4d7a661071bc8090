"""Studio's search pages: blocks of every course one authors (``/studio/search``), or of one course
(``/studio/course/<course_id>/search``, in the course menu).

``?q=`` the words, ``block_type=`` and ``problem_type=`` filters (repeated or comma-separated),
``page=``. Each result shows its type, name, where it is (course > section > subsection > unit) and the
text around the words found, and links to the page that edits it.
"""

from __future__ import annotations

from flask import Blueprint, abort, current_app, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required

from kampus.course_keys import is_course_id
from kampus_studio.access import require_author
from kampus_studio.pages import render_course_page
from kampus_studio.search import api
from kampus_studio.views import URL_PREFIX

bp = Blueprint("studio_search", __name__, url_prefix=URL_PREFIX)
PAGE_SIZE = 20


def _page_number() -> int:
    raw = request.args.get("page", "1")
    try:
        page = int(raw)
    except ValueError:
        abort(400, _("'page' must be a number."))
    if not 1 <= page <= api.MAX_PAGE:
        abort(400, _("'page' must be between 1 and %(most)s.", most=api.MAX_PAGE))
    return page


def _search(course_id: str | None) -> api.StudioSearchResult:
    try:
        return api.search_blocks(
            current_user._get_current_object(), request.args.get("q", "")[:1000], course_id=course_id,
            block_types=api.clean_values(request.args.getlist("block_type")),
            problem_types=api.clean_values(request.args.getlist("problem_type")),
            page=_page_number(), page_size=PAGE_SIZE)
    except api.StudioSearchError as error:
        abort(error.status, error.message)


def _context(result: api.StudioSearchResult, endpoint: str, **route: str) -> dict[str, object]:
    def page_url(page: int) -> str:
        return url_for(endpoint, page=page, q=result.query, block_type=list(result.chosen["block_type"]),
                       problem_type=list(result.chosen["problem_types"]), **route)

    return {"result": result, "endpoint": endpoint, "route": route, "facet_labels": api.FACET_LABELS,
            "type_labels": api.BLOCK_TYPE_LABELS, "searched": "q" in request.args, "page_url": page_url}


@bp.get("/search")
@login_required
def search_page() -> str:
    """Blocks of every course the user may edit."""
    result = _search(None)
    return render_template("studio/search/search.html", **_context(result, "studio_search.search_page"))


@bp.get("/course/<course_id>/search")
@login_required
def course_search_page(course_id: str) -> str:
    """Blocks of one course."""
    if not is_course_id(course_id):
        abort(404)
    require_author(course_id)
    result = _search(course_id)
    return render_course_page("studio/search/course_search.html", course_id, "search",
                              **_context(result, "studio_search.course_search_page", course_id=course_id))


def installed() -> bool:
    """Whether this app serves the search pages (the home page links to them)."""
    return "studio_search.search_page" in current_app.view_functions
