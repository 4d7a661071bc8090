"""The unit editor's REST API under ``/api/studio/v1/`` (the unit page uses it too).

* ``GET /api/studio/v1/courses/<course_id>/units``: every unit with its path (the Move dialog's choices);
* ``GET /api/studio/v1/courses/<course_id>/units/<usage_id>``: the unit, its state and components;
  ``PATCH`` renames it (``{"display_name", "version"}``);
* ``PUT .../units/<usage_id>/order``: reorder its components (``{"children": [usage ids], "version"}``);
* ``POST .../units/<usage_id>/components``: add a component (``{"block_type", "template", "index", "version"}``);
* ``GET .../components/<usage_id>``: a component with its content and settings, for its editor;
  ``PATCH``: save an editor (``display_name``, ``data``, ``markdown``/``use_markdown``, ``settings``);
  ``DELETE`` (``?version=``): remove it;
* ``POST .../components/<usage_id>/duplicate`` and ``.../move`` (``{"target_unit", "index"}``);
* ``POST .../components/<usage_id>/transcripts`` (multipart ``file``, ``language``, ``expected_version``):
  a video's transcript in that language, an ``.srt`` or ``.sjson`` file (400 when it does not parse, 413
  over the upload limit), stored as a course file and named in the video's ``transcripts``;
* ``GET /api/studio/v1/courses/<course_id>/component_types``: the "Add component" menu;
* ``POST /api/studio/v1/problem_markdown``: the XML the simple editor's Markdown makes (with its errors).

Every edit takes the draft ``expected_version`` (or ``version``) the author saw: 409 when the unit
changed since (nothing written), 400 with Open edX's error body (``developer_message``, ``user_message``,
``field_errors``; problem XML errors also as ``errors: [{"message", "line", "column"}]``).
Sessions send the CSRF token; bearer tokens and JWTs work as everywhere under ``/api/``.
"""

from __future__ import annotations

from typing import Any

from flask import Blueprint, jsonify, request
from flask_babel import gettext as _
from flask_login import current_user
from kampus_content.api import DRAFT, get_structure
from kampus_problems.api import MarkdownError, markdown_to_xml, problem_xml_errors
from pydantic import AliasChoices, BaseModel, Field, ValidationError
from werkzeug.wrappers import Response

from kampus.api_docs import ApiSection
from kampus_studio.access import can_author
from kampus_studio.unit import catalog, service, transcripts
from kampus_studio.unit.service import UnitError
from kampus_studio.views import is_course_author_anywhere

bp = Blueprint("studio_unit_api", __name__)
unit_api = ApiSection("studio units", "Studio's unit editor: units, their components and the component editors.",
                      errors="openedx")
PREFIX = "/api/studio/v1/courses/<course_id>"


# -- models ------------------------------------------------------------------------------------------------------


class ErrorBody(BaseModel):
    """An error: Open edX's ``developer_message``/``user_message``, with the fields at fault."""

    developer_message: str
    user_message: str | None = None
    field_errors: dict[str, Any] | None = None
    errors: list[dict[str, Any]] | None = Field(None, description="Problem XML errors with line and column.")
    current_version: str | None = Field(None, description="409: the draft's version now.")


class UnitState(BaseModel):
    state: str = Field(description="published, draft (unpublished changes) or unpublished (never published).")
    label: str
    staff_only: bool


class ComponentSummary(BaseModel):
    usage_id: str
    block_type: str
    display_name: str
    editor: str = Field(description="html, problem, settings or studio_view (the XBlock's own editor).")


class Unit(BaseModel):
    usage_id: str
    course_id: str
    display_name: str
    version: str = Field(description="The draft version: send it back with every edit.")
    state: UnitState
    parent: str | None
    ancestors: list[dict[str, str]] = Field(description="The section and subsection above the unit, outermost first.")
    siblings: list[dict[str, Any]] = Field(description="The units of the subsection, in order (``current`` marks "
                                                       "this one).")
    components: list[ComponentSummary]


class UnitChoice(BaseModel):
    usage_id: str
    path: str = Field(description="Section › subsection › unit.")


class UnitList(BaseModel):
    units: list[UnitChoice]


class Setting(BaseModel):
    name: str
    display_name: str
    help: str
    type: str
    value: Any = None
    explicitly_set: bool
    options: list[dict[str, str]] | None = None


class Component(ComponentSummary):
    version: str
    unit: str
    settings: list[Setting]
    data: str | None = Field(None, description="HTML (html) or CAPA XML (problem).")
    markdown: str | None = Field(None, description="The simple editor's text (problems).")


class Versioned(BaseModel):
    expected_version: str | None = Field(
        None, validation_alias=AliasChoices("expected_version", "version"),
        description="The draft version the change is based on (409 if the unit changed since; ``version`` is "
                    "accepted too). Optional, but send it to be protected from lost updates: without it the change "
                    "applies to the draft as it is now and the last writer wins.")


class Rename(Versioned):
    display_name: str


class Order(Versioned):
    children: list[str] = Field(description="The unit's component usage ids in the new order.")


class NewComponent(Versioned):
    block_type: str = Field(description="An installed block type (see component_types).")
    template: str | None = Field(None, description="Problems: the template id (blank by default).")
    index: int | None = Field(None, ge=0, description="Position in the unit (last by default).")


class ComponentEdit(Versioned):
    display_name: str | None = None
    data: str | None = Field(None, description="HTML, or problem XML (the advanced editor).")
    markdown: str | None = Field(None, description="Problems: the simple editor's text, converted to XML.")
    use_markdown: bool | None = Field(None, description="Problems: save from the simple editor (default: "
                                                        "when markdown is given).")
    settings: dict[str, Any] | None = Field(None, description="Settings by field name; null resets to the default.")


class Move(Versioned):
    target_unit: str = Field(description="The usage id of the unit to move the component to.")
    index: int | None = Field(None, ge=0)


class Changed(BaseModel):
    version: str = Field(description="The draft version after the change.")
    usage_id: str | None = Field(None, description="The new component (create, duplicate).")


class VersionQuery(BaseModel):
    expected_version: str | None = Field(None, description="The draft version the change is based on (409 if "
                                                          "it changed since). Optional, but send it to be protected "
                                                          "from lost updates: without it the last writer wins.")


class TranscriptUpload(BaseModel):
    file: bytes = Field(description="The transcript: an .srt (SubRip) or .sjson (Open edX's) file in UTF-8.")
    language: str = Field(description="Its language code (en, pt-br, ...); a transcript already in that language "
                                      "is replaced.")
    expected_version: str | None = Field(None, description="The draft version the upload is based on (409 if the "
                                                          "unit changed since). Optional: without it the last "
                                                          "writer wins.")


class TranscriptAdded(BaseModel):
    language: str
    filename: str = Field(description="The course file the transcript is stored as (<video id>-<language>.<ext>).")
    transcripts: dict[str, str] = Field(description="The video's transcripts now: language code to file name.")
    captions: int = Field(description="How many captions the file holds.")
    version: str = Field(description="The draft version after the change.")


class MenuTemplate(BaseModel):
    id: str
    display_name: str
    advanced: bool = False


class MenuGroup(BaseModel):
    type: str
    label: str
    templates: list[MenuTemplate]


class ComponentTypes(BaseModel):
    groups: list[MenuGroup]


class MarkdownIn(BaseModel):
    markdown: str
    course_id: str | None = Field(None, description="The course the problem is in: the caller must be able to "
                                                    "author it. Without it, the caller must author some course.")


class MarkdownOut(BaseModel):
    xml: str
    errors: list[dict[str, Any]]


ERRORS: dict[int, type[BaseModel] | None] = {400: ErrorBody, 401: ErrorBody, 403: ErrorBody, 404: ErrorBody}
EDIT_ERRORS: dict[int, type[BaseModel] | None] = {**ERRORS, 409: ErrorBody}


# -- helpers ------------------------------------------------------------------------------------------------------


@bp.errorhandler(UnitError)
def _unit_error(error: UnitError) -> Response:
    body = {key: value for key, value in error.body.items() if value is not None}
    response = jsonify(body)
    response.status_code = error.status
    return response


def _author(course_id: str) -> int:
    """The requesting author's id (401 without credentials, 403 for people who may not author)."""
    if not current_user.is_authenticated:
        raise UnitError(401, _("Authentication credentials were not provided."))
    if not can_author(course_id):
        raise UnitError(403, _("You do not have permission to edit this course."))
    return int(current_user.id)


def _body(model: type[BaseModel]) -> Any:
    """The request's JSON as ``model``; 400 with each field's message when it does not fit."""
    raw = request.get_json(silent=True)
    if not isinstance(raw, dict):
        raise UnitError(400, _("Send a JSON object."))
    try:
        return model.model_validate(raw)
    except ValidationError as exc:
        errors = {".".join(str(p) for p in e["loc"]): str(e["msg"]) for e in exc.errors()}
        first = next(iter(errors.values()))
        raise UnitError(400, first, field_errors={name: {"developer_message": message, "user_message": message}
                                                  for name, message in errors.items()}) from None


def _changed(version: str, course_id: str, key: Any = None, status: int = 200) -> Response:
    body: dict[str, Any] = {"version": version}
    if key is not None:
        body["usage_id"] = service.usage_id_of(get_structure(course_id, DRAFT), key)
    response = jsonify(body)
    response.status_code = status
    return response


# -- units --------------------------------------------------------------------------------------------------------


@bp.get(f"{PREFIX}/units")
@unit_api.doc(resp={200: UnitList, **ERRORS})
def list_units(course_id: str) -> Response:
    """Every unit of the course's draft in outline order, with its path (where a component can move to)."""
    _author(course_id)
    return jsonify({"units": service.other_units(service.draft_of(course_id))})


@bp.get(f"{PREFIX}/units/<usage_id>")
@unit_api.doc(resp={200: Unit, **ERRORS})
def get_unit(course_id: str, usage_id: str) -> Response:
    """The unit with its state (as the outline shows it) and its components in order."""
    _author(course_id)
    return jsonify(service.unit_json(course_id, service.block_key_of(course_id, usage_id)))


@bp.patch(f"{PREFIX}/units/<usage_id>")
@unit_api.doc(json=Rename, validate=False, resp={200: Changed, **EDIT_ERRORS})
def rename_unit(course_id: str, usage_id: str) -> Response:
    """Rename the unit."""
    user_id = _author(course_id)
    body = _body(Rename)
    key = service.block_key_of(course_id, usage_id)
    version = service.rename_unit(course_id, key, body.display_name, user_id=user_id, version=body.expected_version)
    return _changed(version, course_id)


@bp.put(f"{PREFIX}/units/<usage_id>/order")
@unit_api.doc(json=Order, validate=False, resp={200: Changed, **EDIT_ERRORS})
def reorder(course_id: str, usage_id: str) -> Response:
    """Put the unit's components in a new order."""
    user_id = _author(course_id)
    body = _body(Order)
    key = service.block_key_of(course_id, usage_id)
    version = service.reorder_components(course_id, key, body.children, user_id=user_id,
                                         version=body.expected_version)
    return _changed(version, course_id)


@bp.post(f"{PREFIX}/units/<usage_id>/components")
@unit_api.doc(json=NewComponent, validate=False, resp={201: Changed, **EDIT_ERRORS})
def add_component(course_id: str, usage_id: str) -> Response:
    """Add a component of an installed type (a problem from a template) to the unit."""
    user_id = _author(course_id)
    body = _body(NewComponent)
    unit = service.block_key_of(course_id, usage_id)
    version, key = service.create_component(course_id, unit, body.block_type, template=body.template,
                                            user_id=user_id, version=body.expected_version, index=body.index)
    return _changed(version, course_id, key, status=201)


# -- components -----------------------------------------------------------------------------------------------------


@bp.get(f"{PREFIX}/components/<usage_id>")
@unit_api.doc(resp={200: Component, **ERRORS})
def get_component(course_id: str, usage_id: str) -> Response:
    """A component with its content and settings (what its editor shows)."""
    _author(course_id)
    return jsonify(service.component_json(course_id, service.block_key_of(course_id, usage_id)))


@bp.patch(f"{PREFIX}/components/<usage_id>")
@unit_api.doc(json=ComponentEdit, validate=False, resp={200: Changed, **EDIT_ERRORS})
def edit_component(course_id: str, usage_id: str) -> Response:
    """Save a component's editor: nothing is written when any value is refused."""
    user_id = _author(course_id)
    body = _body(ComponentEdit)
    key = service.block_key_of(course_id, usage_id)
    payload = body.model_dump(exclude_unset=True)
    payload.pop("expected_version", None)
    return _changed(service.update_component(course_id, key, payload, user_id=user_id, version=body.expected_version),
                    course_id)


@bp.delete(f"{PREFIX}/components/<usage_id>")
@unit_api.doc(query=VersionQuery, validate=False, resp={200: Changed, **EDIT_ERRORS})
def remove_component(course_id: str, usage_id: str) -> Response:
    """Delete the component."""
    user_id = _author(course_id)
    key = service.block_key_of(course_id, usage_id)
    expected = request.args.get("expected_version") or request.args.get("version") or None
    return _changed(service.delete_component(course_id, key, user_id=user_id, version=expected), course_id)


@bp.post(f"{PREFIX}/components/<usage_id>/duplicate")
@unit_api.doc(json=Versioned, validate=False, resp={201: Changed, **EDIT_ERRORS})
def duplicate(course_id: str, usage_id: str) -> Response:
    """Copy the component right after itself."""
    user_id = _author(course_id)
    body = _body(Versioned)
    version, key = service.duplicate_component(course_id, service.block_key_of(course_id, usage_id),
                                               user_id=user_id, version=body.expected_version)
    return _changed(version, course_id, key, status=201)


@bp.post(f"{PREFIX}/components/<usage_id>/move")
@unit_api.doc(json=Move, validate=False, resp={200: Changed, **EDIT_ERRORS})
def move(course_id: str, usage_id: str) -> Response:
    """Move the component to another unit."""
    user_id = _author(course_id)
    body = _body(Move)
    key = service.block_key_of(course_id, usage_id)
    target = service.block_key_of(course_id, body.target_unit)
    return _changed(service.move_component(course_id, key, target, user_id=user_id, version=body.expected_version,
                                           index=body.index), course_id)


@bp.post(f"{PREFIX}/components/<usage_id>/transcripts")
@unit_api.doc(form=TranscriptUpload, validate=False, resp={201: TranscriptAdded, 413: ErrorBody, **EDIT_ERRORS})
def upload_transcript(course_id: str, usage_id: str) -> Response:
    """Add (or replace) a video component's transcript in a language from an .srt or .sjson file."""
    user_id = _author(course_id)
    key = service.block_key_of(course_id, usage_id)
    upload = request.files.get("file")
    if upload is None or not upload.filename:
        message = _("Choose a transcript file (.srt or .sjson) to upload.")
        raise UnitError(400, message, field_errors={"file": {"developer_message": message,
                                                             "user_message": message}})
    expected = request.form.get("expected_version") or request.form.get("version") or None
    added = transcripts.upload_transcript(course_id, key, request.form.get("language", ""), upload.filename,
                                          upload.stream, user_id=user_id, version=expected)
    response = jsonify(added)
    response.status_code = 201
    return response


# -- the menu and the Markdown preview ----------------------------------------------------------------------


@bp.get(f"{PREFIX}/component_types")
@unit_api.doc(resp={200: ComponentTypes, **ERRORS})
def component_types(course_id: str) -> Response:
    """The "Add component" menu: the basic groups, problem templates, then every other installed XBlock."""
    _author(course_id)
    draft = service.draft_of(course_id)
    advanced = draft.blocks[draft.root].fields.get("advanced_modules")
    return jsonify({"groups": catalog.component_menu(advanced if isinstance(advanced, list) else None)})


@bp.post("/api/studio/v1/problem_markdown")
@unit_api.doc(json=MarkdownIn, validate=False, resp={200: MarkdownOut, 400: ErrorBody, 401: ErrorBody,
                                                                403: ErrorBody})
def problem_markdown() -> Response:
    """The CAPA XML the simple editor's Markdown makes, with what is wrong with it (nothing is saved)."""
    if not current_user.is_authenticated:
        raise UnitError(401, _("Authentication credentials were not provided."))
    body = _body(MarkdownIn)
    allowed = can_author(body.course_id) if body.course_id else is_course_author_anywhere(current_user)
    if not allowed:
        raise UnitError(403, _("You do not have permission to edit this course."))
    try:
        xml = markdown_to_xml(body.markdown)
    except MarkdownError as exc:
        raise UnitError(400, str(exc), errors=[{"message": str(exc), "line": None, "column": None}]) from None
    return jsonify({"xml": xml, "errors": [error.as_dict() for error in problem_xml_errors(xml)]})
