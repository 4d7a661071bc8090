"""Studio's settings REST API, under ``/api/studio/v1/courses/<course_id>/settings/``: the settings pages use it.

Every read answers the draft ``version`` it was made from; every write may send it back as ``version`` or
``expected_version`` (a ``DELETE`` as a query parameter; optional: without it the last writer wins) and is one
draft edit of the course: when the draft moved on since, the answer is **409** with ``current_version`` and
nothing is written. Bad values answer **400** with
Open edX's body (``developer_message``, ``field_errors: {name: {"developer_message", "user_message"}}``)
and nothing is written. Sessions, personal tokens and OAuth2 tokens work alike (course staff and admins,
``studio.author``); others get 401/403, an unknown course 404.
"""

from __future__ import annotations

import functools
from collections.abc import Callable, Mapping
from typing import Any, TypeVar

from flask import Blueprint, jsonify, request
from flask_babel import gettext as _
from flask_login import current_user
from kampus_content.api import (
    ContentStoreError,
    CourseNotFound,
    InvalidEdit,
    VersionConflict,
    VersionNotFound,
    add_asset,
)
from pydantic import BaseModel, Field
from werkzeug.wrappers import Response

from kampus.api_docs import ApiSection
from kampus_studio.access import can_author
from kampus_studio.course_settings import content_pages, service

F = TypeVar("F", bound=Callable[..., Any])
PREFIX = "/api/studio/v1/courses/<course_id>/settings"

bp = Blueprint("studio_settings_api", __name__)
settings_api = ApiSection("studio-settings", "Studio: a course's settings (schedule and details, grading, advanced "
                                             "settings, pages, updates and handouts, textbooks, certificates).",
                          errors="openedx")


# -- errors -------------------------------------------------------------------------------------------------------


class ApiError(Exception):
    """An error answer with Open edX's developer-error body."""

    def __init__(self, status: int, message: str, **extra: Any):
        super().__init__(message)
        self.status, self.message, self.extra = status, message, extra

    def response(self) -> Response:
        body = {"developer_message": self.message, "user_message": self.message, **self.extra,
                "error": {"status": self.status, "message": self.message}}
        answer = jsonify(body)
        answer.status_code = self.status
        return answer


def field_errors_body(errors: Mapping[str, str]) -> dict[str, Any]:
    """Open edX's validation body for ``errors``."""
    first = next(iter(errors.values()), "Invalid value.")
    return {"developer_message": first, "user_message": first,
            "field_errors": {name: {"developer_message": m, "user_message": m} for name, m in errors.items()},
            "error": {"status": 400, "message": first}}


@bp.errorhandler(ApiError)
def _api_error(error: ApiError) -> Response:
    return error.response()


@bp.errorhandler(service.SettingsInvalid)
def _invalid(error: service.SettingsInvalid) -> Response:
    answer = jsonify(field_errors_body(error.errors))
    answer.status_code = 400
    return answer


@bp.errorhandler(VersionConflict)
def _conflict(error: VersionConflict) -> Response:
    message = _("Someone else changed this course since you opened this page. Reload it to see their changes, "
                "then make yours again.")
    return ApiError(409, message, current_version=getattr(error, "actual", None)).response()


def authoring(view: F) -> F:
    """Check that the requester may author the course (401, 403, 404 otherwise)."""
    @functools.wraps(view)
    def wrapper(course_id: str, *args: Any, **kwargs: Any) -> Any:
        if not current_user.is_authenticated:
            raise ApiError(401, _("Authentication credentials were not provided."))
        if not can_author(course_id):
            raise ApiError(403, _("You do not have permission to perform this action."))
        try:
            return view(course_id, *args, **kwargs)
        except (CourseNotFound, VersionNotFound):
            raise ApiError(404, _("There is no course %(course)s.", course=course_id)) from None
        except InvalidEdit as error:
            raise ApiError(400, str(error)) from None
        except content_pages.ItemNotFound:
            raise ApiError(404, _("Not found.")) from None
        except ContentStoreError as error:
            if isinstance(error, VersionConflict):
                raise
            raise ApiError(400, str(error)) from None
    return wrapper  # type: ignore[return-value]


def _body() -> dict[str, Any]:
    data = request.get_json(silent=True)
    if not isinstance(data, dict):
        raise ApiError(400, _("Send a JSON object."))
    return data


#: The names a write's draft version may have: ``version`` (what reads answer) or ``expected_version`` (the
#: name the outline, unit, files and history APIs use). Either is optional.
VERSION_KEYS = ("version", "expected_version")


def _version(data: Mapping[str, Any] | None = None) -> str | None:
    source: Mapping[str, Any] = (data or {}) if data is not None else request.args
    for key in VERSION_KEYS:
        value = source.get(key)
        if value is not None and not isinstance(value, str):
            raise service.SettingsInvalid({key: _("Send the version as a text.")})
        if value:
            return value
    return None


def _user_id() -> int | None:
    return getattr(current_user, "id", None)


# -- documented shapes --------------------------------------------------------------------------------------------


class Versioned(BaseModel):
    version: str | None = Field(None, description="The draft version the change is based on (from a read); a "
                                                  "stale one answers 409. Optional, but send it "
                                                  "to be protected from lost updates: without it the last writer "
                                                  "wins.")
    expected_version: str | None = Field(None, description="The same as ``version`` (the name the other Studio "
                                                           "APIs use); optional too.")


class ApiErrorBody(BaseModel):
    """An error (Open edX's developer-error body)."""

    developer_message: str
    user_message: str = ""
    current_version: str | None = None


class Details(Versioned):
    """Open edX's ``CourseDetails`` (the schedule and about page)."""

    course_id: str | None = None
    org: str | None = None
    course_number: str | None = None
    run: str | None = None
    display_name: str | None = None
    start_date: str | None = Field(None, description="ISO 8601; required.")
    end_date: str | None = None
    enrollment_start: str | None = None
    enrollment_end: str | None = None
    language: str | None = None
    self_paced: bool | None = None
    short_description: str | None = None
    overview: str | None = Field(None, description="HTML (sanitised when saved).")
    effort: str | None = None
    subtitle: str | None = None
    duration: str | None = None
    intro_video: str | None = Field(None, description="A YouTube video id or URL.")
    pre_requisite_courses: list[str] | None = None
    course_image_name: str | None = Field(None, description="The name of an uploaded file of the course.")
    course_image_asset_path: str | None = None


class Grader(BaseModel):
    id: int | None = None
    type: Any = None
    short_label: Any = None
    min_count: Any = None
    drop_count: Any = None
    weight: Any = Field(None, description="Percent, 0 to 100; the weights add up to 100.")


class GracePeriod(BaseModel):
    hours: Any = 0
    minutes: Any = 0
    seconds: Any = 0


class Grading(Versioned):
    """Open edX's ``CourseGradingModel``."""

    graders: list[Grader] | None = None
    grade_cutoffs: dict[str, Any] | None = Field(None, description='Lowest score of each grade, {"A": 0.9, ...}.')
    grace_period: GracePeriod | None = None


class AdvancedSetting(BaseModel):
    value: Any = None
    display_name: str
    help: str
    deprecated: bool
    set: bool


class Advanced(BaseModel):
    settings: dict[str, AdvancedSetting]
    version: str


class AdvancedChange(Versioned):
    settings: dict[str, Any] = Field(..., description="Policy keys and their JSON values (null resets a key).")


class Tab(BaseModel):
    id: str
    type: str
    name: str
    is_hidden: bool = False
    hideable: bool = True
    url_slug: str | None = None
    content: str | None = None


class Tabs(BaseModel):
    tabs: list[Tab]
    version: str


class TabOrder(BaseModel):
    id: str
    is_hidden: Any = None


class TabsChange(Versioned):
    tabs: list[TabOrder]


class PageIn(Versioned):
    name: Any = None
    content: Any = None


class Update(BaseModel):
    id: int | None = None
    date: str
    content: str


class Updates(BaseModel):
    updates: list[Update]
    version: str


class UpdateIn(Versioned):
    date: Any = None
    content: Any = None


class Handouts(Versioned):
    data: Any = None


class Chapter(BaseModel):
    title: Any = None
    url: Any = None


class Textbook(BaseModel):
    tab_title: Any = None
    id: str | None = None
    chapters: Any = None


class Textbooks(Versioned):
    textbooks: list[Textbook]


class Signatory(BaseModel):
    name: Any = None
    title: Any = None
    organization: Any = None
    signature_image_path: Any = None


class Certificate(BaseModel):
    id: int | None = None
    name: Any = None
    description: Any = None
    course_title: Any = None
    is_active: Any = False
    signatories: Any = None


class Certificates(Versioned):
    certificates: list[Certificate]


class Empty(BaseModel):
    pass


_ERRORS: dict[int, type[BaseModel] | None] = {401: ApiErrorBody, 403: ApiErrorBody, 404: ApiErrorBody}
_WRITE_ERRORS: dict[int, type[BaseModel] | None] = {**_ERRORS, 409: ApiErrorBody}


# -- schedule and details, grading, advanced ----------------------------------------------------------------------


@bp.get(f"{PREFIX}/details")
@authoring
@settings_api.doc(resp={200: Details, **_ERRORS})
def get_details(course_id: str) -> Response:
    """The course's schedule and details (Open edX's ``CourseDetails``)."""
    return jsonify(service.read_details(course_id))


@bp.route(f"{PREFIX}/details", methods=["PUT", "PATCH"])
@authoring
@settings_api.doc(json=Details, resp={200: Details, **_WRITE_ERRORS})
def put_details(course_id: str) -> Response:
    """Change the schedule and details (the fields sent; dates in order, known prerequisites, an uploaded image)."""
    data = _body()
    changes = {k: v for k, v in data.items() if k not in VERSION_KEYS}
    return jsonify(service.save_details(course_id, changes, user_id=_user_id(), expected_version=_version(data)))


@bp.get(f"{PREFIX}/grading")
@authoring
@settings_api.doc(resp={200: Grading, **_ERRORS})
def get_grading(course_id: str) -> Response:
    """The course's assignment types, grade cutoffs and grace period."""
    return jsonify(service.read_grading(course_id))


@bp.put(f"{PREFIX}/grading")
@authoring
@settings_api.doc(json=Grading, resp={200: Grading, **_WRITE_ERRORS})
def put_grading(course_id: str) -> Response:
    """Replace the grading policy (weights add up to 100; drops at most the count; descending cutoffs)."""
    data = _body()
    return jsonify(service.save_grading(course_id, data, user_id=_user_id(), expected_version=_version(data)))


@bp.get(f"{PREFIX}/advanced")
@authoring
@settings_api.doc(resp={200: Advanced, **_ERRORS})
def get_advanced(course_id: str) -> Response:
    """Every advanced setting (policy key) with its value, help and whether it is deprecated."""
    return jsonify(service.read_advanced(course_id))


@bp.route(f"{PREFIX}/advanced", methods=["PATCH", "PUT"])
@authoring
@settings_api.doc(json=AdvancedChange, resp={200: Advanced, **_WRITE_ERRORS})
def patch_advanced(course_id: str) -> Response:
    """Change policy keys; an unknown key or a value of the wrong type saves nothing."""
    data = _body()
    changes = data.get("settings")
    if not isinstance(changes, dict):
        raise service.SettingsInvalid({"settings": _("Send the settings as a JSON object.")})
    return jsonify(service.save_advanced(course_id, changes, user_id=_user_id(), expected_version=_version(data)))


# -- pages and tabs -----------------------------------------------------------------------------------------------


@bp.get(f"{PREFIX}/tabs")
@authoring
@settings_api.doc(resp={200: Tabs, **_ERRORS})
def get_tabs(course_id: str) -> Response:
    """The course's tabs in order, custom pages with their HTML."""
    return jsonify(content_pages.read_tabs(course_id))


@bp.put(f"{PREFIX}/tabs")
@authoring
@settings_api.doc(json=TabsChange, resp={200: Tabs, **_WRITE_ERRORS})
def put_tabs(course_id: str) -> Response:
    """Reorder the tabs and hide or show them (every tab listed once)."""
    data = _body()
    return jsonify(content_pages.reorder_tabs(course_id, data.get("tabs"), user_id=_user_id(),
                                              expected_version=_version(data)))


@bp.post(f"{PREFIX}/tabs/pages")
@authoring
@settings_api.doc(json=PageIn, resp={201: Tab, **_WRITE_ERRORS})
def post_page(course_id: str) -> tuple[Response, int]:
    """Add a custom page (a static tab) with its name and HTML."""
    data = _body()
    return jsonify(content_pages.create_page(course_id, data, user_id=_user_id(),
                                             expected_version=_version(data))), 201


@bp.put(f"{PREFIX}/tabs/pages/<url_slug>")
@authoring
@settings_api.doc(json=PageIn, resp={200: Tab, **_WRITE_ERRORS})
def put_page(course_id: str, url_slug: str) -> Response:
    """Rename a custom page and replace its HTML."""
    data = _body()
    return jsonify(content_pages.update_page(course_id, url_slug, data, user_id=_user_id(),
                                             expected_version=_version(data)))


@bp.delete(f"{PREFIX}/tabs/pages/<url_slug>")
@authoring
@settings_api.doc(resp={204: None, **_WRITE_ERRORS})
def delete_page(course_id: str, url_slug: str) -> tuple[str, int]:
    """Delete a custom page (``?version=`` the draft version)."""
    content_pages.delete_page(course_id, url_slug, user_id=_user_id(), expected_version=_version())
    return "", 204


# -- updates and handouts -----------------------------------------------------------------------------------------


@bp.get(f"{PREFIX}/updates")
@authoring
@settings_api.doc(resp={200: Updates, **_ERRORS})
def get_updates(course_id: str) -> Response:
    """The course updates, newest first."""
    return jsonify(content_pages.read_updates(course_id))


@bp.post(f"{PREFIX}/updates")
@authoring
@settings_api.doc(json=UpdateIn, resp={201: Update, **_WRITE_ERRORS})
def post_update(course_id: str) -> tuple[Response, int]:
    """Add a course update (a date and its HTML)."""
    data = _body()
    return jsonify(content_pages.save_update(course_id, None, data, user_id=_user_id(),
                                             expected_version=_version(data))), 201


@bp.put(f"{PREFIX}/updates/<int:update_id>")
@authoring
@settings_api.doc(json=UpdateIn, resp={200: Update, **_WRITE_ERRORS})
def put_update(course_id: str, update_id: int) -> Response:
    """Change a course update."""
    data = _body()
    return jsonify(content_pages.save_update(course_id, update_id, data, user_id=_user_id(),
                                             expected_version=_version(data)))


@bp.delete(f"{PREFIX}/updates/<int:update_id>")
@authoring
@settings_api.doc(resp={204: None, **_WRITE_ERRORS})
def delete_update(course_id: str, update_id: int) -> tuple[str, int]:
    """Delete a course update (``?version=`` the draft version)."""
    content_pages.delete_update(course_id, update_id, user_id=_user_id(), expected_version=_version())
    return "", 204


@bp.get(f"{PREFIX}/handouts")
@authoring
@settings_api.doc(resp={200: Handouts, **_ERRORS})
def get_handouts(course_id: str) -> Response:
    """The course handouts' HTML."""
    return jsonify(content_pages.read_handouts(course_id))


@bp.put(f"{PREFIX}/handouts")
@authoring
@settings_api.doc(json=Handouts, resp={200: Handouts, **_WRITE_ERRORS})
def put_handouts(course_id: str) -> Response:
    """Replace the course handouts' HTML (sanitised)."""
    data = _body()
    return jsonify(content_pages.save_handouts(course_id, data.get("data"), user_id=_user_id(),
                                               expected_version=_version(data)))


# -- textbooks and certificates -----------------------------------------------------------------------------------


@bp.get(f"{PREFIX}/textbooks")
@authoring
@settings_api.doc(resp={200: Textbooks, **_ERRORS})
def get_textbooks(course_id: str) -> Response:
    """The course's PDF textbooks."""
    return jsonify(content_pages.read_textbooks(course_id))


@bp.put(f"{PREFIX}/textbooks")
@authoring
@settings_api.doc(json=Textbooks, resp={200: Textbooks, **_WRITE_ERRORS})
def put_textbooks(course_id: str) -> Response:
    """Replace the course's textbooks (titles, chapters with titles and file URLs)."""
    data = _body()
    return jsonify(content_pages.save_textbooks(course_id, data.get("textbooks"), user_id=_user_id(),
                                                expected_version=_version(data)))


@bp.get(f"{PREFIX}/certificates")
@authoring
@settings_api.doc(resp={200: Certificates, **_ERRORS})
def get_certificates(course_id: str) -> Response:
    """The course's certificate configurations."""
    return jsonify(content_pages.read_certificates(course_id))


@bp.put(f"{PREFIX}/certificates")
@authoring
@settings_api.doc(json=Certificates, resp={200: Certificates, **_WRITE_ERRORS})
def put_certificates(course_id: str) -> Response:
    """Replace the certificate configurations (at most one active)."""
    data = _body()
    return jsonify(content_pages.save_certificates(course_id, data.get("certificates"), user_id=_user_id(),
                                                   expected_version=_version(data)))


# -- the course image ---------------------------------------------------------------------------------------------

#: Largest course image accepted (bytes).
MAX_IMAGE_BYTES = 10 * 1024 * 1024
#: Course image types (by file extension) and their content types.
IMAGE_TYPES = {".png": "image/png", ".jpg": "image/jpeg", ".jpeg": "image/jpeg", ".gif": "image/gif",
               ".webp": "image/webp"}


class ImageUploaded(BaseModel):
    course_image_name: str
    course_image_asset_path: str
    version: str


@bp.post(f"{PREFIX}/details/image")
@authoring
@settings_api.doc(resp={201: ImageUploaded, 413: ApiErrorBody, **_WRITE_ERRORS})
def post_course_image(course_id: str) -> tuple[Response, int]:
    """Upload a course image (PNG, JPEG, GIF or WebP, at most 10 MB) as a course file; the details' next save
    names it (``course_image_name``). Form field ``file``, ``version`` the draft version."""
    upload = request.files.get("file")
    if upload is None or not upload.filename:
        raise service.SettingsInvalid({"file": _("Choose an image file to upload.")})
    name = upload.filename.replace("\\", "/").rsplit("/", 1)[-1].strip()
    extension = ("." + name.rsplit(".", 1)[-1].lower()) if "." in name else ""
    if extension not in IMAGE_TYPES or not name or name.startswith("."):
        raise service.SettingsInvalid({"file": _("The course image must be a PNG, JPEG, GIF or WebP file.")})
    data = upload.stream.read(MAX_IMAGE_BYTES + 1)
    if len(data) > MAX_IMAGE_BYTES:
        raise ApiError(413, _("The course image is larger than 10 MB."))
    if not _looks_like(extension, data):
        raise service.SettingsInvalid({"file": _("The file is not an image of the type its name says.")})
    version = next((request.form[key] for key in VERSION_KEYS if request.form.get(key)), None)
    try:
        asset = add_asset(course_id, name, data, user_id=_user_id(), expected_version=version)
    except ValueError as error:
        if isinstance(error, ContentStoreError):
            raise
        raise service.SettingsInvalid({"file": str(error)}) from None
    structure = service.draft_of(course_id)
    return jsonify({"course_image_name": asset.path, "course_image_asset_path": f"/assets/{course_id}/{asset.name}",
                    "version": structure.version}), 201


_MAGIC = {".png": (b"\x89PNG\r\n\x1a\n",), ".jpg": (b"\xff\xd8\xff",), ".jpeg": (b"\xff\xd8\xff",),
          ".gif": (b"GIF87a", b"GIF89a"), ".webp": (b"RIFF",)}


def _looks_like(extension: str, data: bytes) -> bool:
    return any(data.startswith(magic) for magic in _MAGIC[extension])
