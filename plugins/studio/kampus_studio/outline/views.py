"""The outline editor page: ``/studio/course/<course_id>/``.

The page is rendered from :func:`kampus_studio.outline.api.course_outline` (kept per draft version);
every change is sent by ``static/studio/outline.js`` to the REST endpoints of
:mod:`kampus_studio.outline.rest`. A large course's sections are rendered collapsed and their
subsections and units fetched when opened (``section_fragment``), so the page stays fast at 10,000 blocks.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime

from flask import Blueprint, abort, current_app, render_template
from flask_babel import get_locale
from flask_login import current_user, login_required
from kampus_content.api import CourseNotFound, app_version_cache, content_store
from markupsafe import Markup

from kampus_studio.access import require_author
from kampus_studio.courses.api import may_create_courses
from kampus_studio.outline import api as outline
from kampus_studio.pages import render_course_page
from kampus_studio.views import URL_PREFIX

bp = Blueprint("studio_outline", __name__, url_prefix=URL_PREFIX)

#: Up to this many rows the whole outline is rendered; above, sections load when opened.
FULL_RENDER_ROWS = 300


def _outline(course_id: str) -> outline.Outline:
    try:
        content_store().get_course_index(course_id)
    except CourseNotFound:
        abort(404)
    require_author(course_id)
    return outline.course_outline(course_id)


def _links(course_id: str) -> dict[str, object]:
    unit_editor = "studio_unit.unit_page" in current_app.view_functions
    return {"unit_url": (f"{URL_PREFIX}/course/{course_id}/unit/" if unit_editor else None),
            "live_url": f"/courses/{course_id}/jump_to/", "api_base": f"/api/studio/v1/courses/{course_id}",
            "fragment_url": f"{URL_PREFIX}/course/{course_id}/outline/section/"}


def _cached_html(tree: outline.Outline, part: str, render: Callable[[], str]) -> Markup:
    """``render()`` kept per app by draft and published version, hour (releases), locale and ``part``: the
    outline's HTML depends on nothing else (not on the user), so a page view after the first is a lookup."""
    key = (f"{tree.course_id}:{tree.version}:{tree.published_version}:{datetime.now(UTC):%Y%m%d%H}:"
           f"{get_locale()}:{part}:{'studio_unit.unit_page' in current_app.view_functions}")
    return app_version_cache("studio_outline_html", size=16).get_or_compute(key, lambda: Markup(render()))


@bp.get("/course/<course_id>/")
@login_required
def outline_page(course_id: str) -> str:
    """The course outline editor."""
    tree = _outline(course_id)
    lazy = tree.root.count() > FULL_RENDER_ROWS
    links = _links(course_id)
    sections = _cached_html(tree, "sections", lambda: render_template(
        "studio/outline/_sections.html", outline=tree, lazy=lazy, course_id=course_id, **links))
    return render_course_page(
        "studio/outline/outline.html", course_id, "outline", outline=tree, lazy=lazy, sections_html=sections,
        can_rerun=may_create_courses(current_user), **links)


@bp.get("/course/<course_id>/outline/section/<usage_id>")
@login_required
def section_fragment(course_id: str, usage_id: str) -> str:
    """The subsections and units of one section, as the outline page inserts them (HTML fragment)."""
    tree = _outline(course_id)
    section = tree.index.get(usage_id)
    if section is None or section.category != "chapter":
        abort(404)
    return _cached_html(tree, usage_id, lambda: render_template(
        "studio/outline/_section_body.html", section=section, outline=tree, course_id=course_id, lazy=True,
        **_links(course_id)))
