"""Studio's settings pages (``/studio/course/<course_id>/settings/...``): each page shows the draft's values
and saves through the same REST endpoints the API offers (:mod:`.rest`), from ``static/studio/settings.js``."""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

from flask import Blueprint, abort, redirect, url_for
from flask_babel import lazy_gettext
from flask_login import current_user
from kampus_content.api import CourseNotFound, VersionNotFound, content_store, list_assets
from werkzeug.wrappers import Response

from kampus_studio.access import can_author, require_author
from kampus_studio.course_settings import content_pages, service
from kampus_studio.pages import render_course_page

bp = Blueprint("studio_settings", __name__, url_prefix="/studio/course/<course_id>/settings")

#: The settings pages: (endpoint, label), in the order of the settings menu.
SECTIONS: list[tuple[str, Any]] = [
    ("details_page", lazy_gettext("Schedule & details")),
    ("grading_page", lazy_gettext("Grading")),
    ("advanced_page", lazy_gettext("Advanced settings")),
    ("pages_page", lazy_gettext("Pages")),
    ("updates_page", lazy_gettext("Updates & handouts")),
    ("textbooks_page", lazy_gettext("Textbooks")),
    ("certificates_page", lazy_gettext("Certificates")),
]


def api_url(course_id: str, part: str) -> str:
    """The REST URL of a settings resource (``details``, ``grading``, ...)."""
    return f"/api/studio/v1/courses/{course_id}/settings/{part}"


def _page(course_id: str, section: str, template: str, read: Callable[[str], dict[str, Any]],
          extra: Callable[[], dict[str, Any]] | None = None) -> str:
    require_author(course_id)
    try:
        data = read(course_id)
        context = extra() if extra is not None else {}
    except (CourseNotFound, VersionNotFound):
        abort(404)
    sections = [{"endpoint": f"studio_settings.{endpoint}", "label": str(label),
                 "url": url_for(f"studio_settings.{endpoint}", course_id=course_id)} for endpoint, label in SECTIONS]
    return render_course_page(f"studio/course_settings/{template}", course_id, "settings", data=data,
                              settings_sections=sections,
                              active_section=f"studio_settings.{section}", api_base=api_url(course_id, ""),
                              **context)


def _image_choices(course_id: str) -> list[str]:
    return [asset.path for asset in list_assets(course_id)
            if asset.content_type.startswith("image/")]


def _other_courses(course_id: str) -> list[str]:
    """The prerequisite picker's courses: those the author may author (every course for global staff) and the
    course's current prerequisites, never the whole site's list."""
    known = [index.course_key for index in content_store().list_courses() if index.course_key != course_id]
    if getattr(current_user, "is_staff", False):
        allowed = set(known)
    else:
        allowed = {other for other in known if can_author(other)}
    current = service.read_details(course_id)["pre_requisite_courses"]
    return sorted(allowed | {other for other in current if other != course_id})


@bp.get("/")
def index(course_id: str) -> Response:
    """The settings start at the schedule and details."""
    return redirect(url_for("studio_settings.details_page", course_id=course_id))


@bp.get("/details")
def details_page(course_id: str) -> str:
    """Schedule & details: dates, about page, image, prerequisites."""
    return _page(course_id, "details_page", "details.html", service.read_details,
                 lambda: {"images": _image_choices(course_id), "upload_url": api_url(course_id, "details/image"),
                          "other_courses": _other_courses(course_id)})


@bp.get("/grading")
def grading_page(course_id: str) -> str:
    """Grading: assignment types, the grade cutoffs bar, the grace period."""
    return _page(course_id, "grading_page", "grading.html", service.read_grading)


@bp.get("/advanced")
def advanced_page(course_id: str) -> str:
    """Advanced settings: the course's policy keys as JSON values."""
    return _page(course_id, "advanced_page", "advanced.html", service.read_advanced, _advanced_texts(course_id))


def _advanced_texts(course_id: str) -> Callable[[], dict[str, Any]]:
    """Each advanced setting's value as the JSON text its field shows (plain text: the template escapes it,
    so quotes and ``<`` show as typed and cannot leave the field's attribute)."""
    def texts() -> dict[str, Any]:
        settings = service.read_advanced(course_id)["settings"]
        return {"json_texts": {key: json.dumps(setting["value"], ensure_ascii=False)
                               for key, setting in settings.items()}}
    return texts


@bp.get("/pages")
def pages_page(course_id: str) -> str:
    """Pages: the course's tabs (order, hidden) and custom pages."""
    return _page(course_id, "pages_page", "pages.html", content_pages.read_tabs)


@bp.get("/updates")
def updates_page(course_id: str) -> str:
    """Course updates and handouts."""
    return _page(course_id, "updates_page", "updates.html", content_pages.read_updates,
                 lambda: {"handouts": content_pages.read_handouts(course_id)})


@bp.get("/textbooks")
def textbooks_page(course_id: str) -> str:
    """PDF textbooks: titles and chapters."""
    return _page(course_id, "textbooks_page", "textbooks.html", content_pages.read_textbooks)


@bp.get("/certificates")
def certificates_page(course_id: str) -> str:
    """Certificate configurations: name, title, signatories, active."""
    return _page(course_id, "certificates_page", "certificates.html", content_pages.read_certificates)
