"""The unit editor's pages.

* ``/studio/course/<course_id>/unit/<usage_id>`` (``studio_unit.unit_page``): the unit's name, state
  and components (each through its ``author_view``, else ``student_view``) with their actions, and
  "Add component"; the page's script calls the REST API (:mod:`kampus_studio.unit.rest`);
* ``.../unit/<usage_id>/preview`` (``studio_unit.preview_page``): the unit's draft as a learner sees it;
* ``/studio/course/<course_id>/component/<usage_id>/studio_view`` (``studio_unit.studio_view_page``): a
  third-party XBlock's own editor, alone in a page (the unit editor's dialog frames it);
* ``/studio/static/unit/tinymce/<path>`` (``studio_unit.editor_static``): TinyMCE's files from the
  ``django-tinymce`` package on PyPI (the HTML component's visual editor).
"""

from __future__ import annotations

import importlib.util
from pathlib import Path
from typing import Any

from flask import Blueprint, abort, current_app, render_template, send_from_directory, url_for
from flask_login import current_user
from kampus_content.api import render_block_views

from kampus_studio.access import require_author
from kampus_studio.pages import render_course_page
from kampus_studio.unit import catalog, service
from kampus_studio.unit.service import UnitError

bp = Blueprint("studio_unit", __name__)


def tinymce_folder() -> Path:
    """Where the installed ``django-tinymce`` package keeps TinyMCE's files (the package is not imported)."""
    spec = importlib.util.find_spec("tinymce")
    if spec is None or not spec.submodule_search_locations:
        raise RuntimeError("django-tinymce is not installed: pip install django-tinymce")
    return Path(next(iter(spec.submodule_search_locations))) / "static" / "tinymce"


def _loaded(course_id: str, usage_id: str) -> tuple[Any, Any]:
    require_author(course_id)
    try:
        key = service.block_key_of(course_id, usage_id)
        draft = service.draft_of(course_id)
        service.unit_of(draft, key)
    except UnitError:
        abort(404)
    return draft, key


def _outline_url(course_id: str) -> str:
    if "studio_outline.outline_page" in current_app.view_functions:
        return url_for("studio_outline.outline_page", course_id=course_id)
    return f"/studio/course/{course_id}/"


def _publish_url(course_id: str, usage_id: str) -> str | None:
    """The outline area's REST endpoint that publishes this unit (Open edX's per-unit publish), else the
    one that publishes the course, when that area is installed."""
    if "studio_outline_api.block_publish" in current_app.view_functions:
        return f"/api/studio/v1/courses/{course_id}/blocks/{usage_id}/publish"
    if "studio_outline_api.course_publish" in current_app.view_functions:
        return f"/api/studio/v1/courses/{course_id}/publish"
    return None


def _discard_url(course_id: str, usage_id: str) -> str | None:
    """The outline area's REST endpoint that discards this unit's unpublished changes, when installed."""
    if "studio_outline_api.block_discard" in current_app.view_functions:
        return f"/api/studio/v1/courses/{course_id}/blocks/{usage_id}/discard"
    return None


@bp.get("/studio/course/<course_id>/unit/<usage_id>")
def unit_page(course_id: str, usage_id: str) -> Any:
    """The unit editor."""
    draft, key = _loaded(course_id, usage_id)
    unit = service.unit_json(course_id, key)
    children = [child for child in draft.blocks[key].children if child in draft.blocks]
    rendered = render_block_views(draft, children, user=current_user._get_current_object(), view="author_view")
    components = [{**service.component_summary(draft, child), "html": rendered.html[child]} for child in children]
    advanced = draft.blocks[draft.root].fields.get("advanced_modules")
    menu = catalog.component_menu(advanced if isinstance(advanced, list) else None)
    return render_course_page(
        "studio/unit/unit.html", course_id, "outline", unit=unit, components=components, menu=menu,
        rendered=rendered, outline_url=_outline_url(course_id),
        live_url=f"/courses/{course_id}/jump_to/{unit['usage_id']}",
        publish_url=_publish_url(course_id, unit["usage_id"]), discard_url=_discard_url(course_id, unit["usage_id"]))


@bp.get("/studio/course/<course_id>/unit/<usage_id>/preview")
def preview_page(course_id: str, usage_id: str) -> Any:
    """The unit's draft as a learner would see it (nothing is recorded)."""
    draft, key = _loaded(course_id, usage_id)
    unit = service.unit_json(course_id, key)
    children = [child for child in draft.blocks[key].children if child in draft.blocks]
    rendered = render_block_views(draft, children, user=current_user._get_current_object(), view="student_view",
                                  as_staff=False)
    return render_course_page("studio/unit/preview.html", course_id, "outline", unit=unit, rendered=rendered,
                              blocks=[rendered.html[child] for child in children])


@bp.get("/studio/course/<course_id>/component/<usage_id>/studio_view")
def studio_view_page(course_id: str, usage_id: str) -> Any:
    """A component's own editor (its XBlock's ``studio_view``), without the site's layout: the unit
    editor's dialog shows it in a frame; its Save calls the block's ``studio_submit`` handler on the draft."""
    require_author(course_id)
    try:
        key = service.block_key_of(course_id, usage_id)
        draft = service.draft_of(course_id)
        service.component_of(draft, key)
    except UnitError:
        abort(404)
    rendered = render_block_views(draft, [key], user=current_user._get_current_object(), view="studio_view")
    summary = service.component_summary(draft, key)
    return render_template("studio/unit/studio_view.html", rendered=rendered, html=rendered.html[key],
                           usage_id=summary["usage_id"], display_name=summary["display_name"])


@bp.get("/studio/static/unit/tinymce/<path:filename>")
def editor_static(filename: str) -> Any:
    """TinyMCE's files, from the installed ``django-tinymce`` package."""
    return send_from_directory(tinymce_folder(), filename, max_age=86400)
