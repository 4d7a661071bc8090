"""Studio's REST API for the course outline, under ``/api/studio/v1/courses/<course_id>/``.

* ``GET outline``: the draft's sections > subsections > units with settings and publishing states;
* ``POST blocks``: a new section, subsection or unit (``parent``, ``category``, ``display_name``, ``index``);
* ``PATCH blocks/<usage_id>``: rename and settings (``display_name``, ``start``, ``due``, ``format``,
  ``visible_to_staff_only``, ``hide_from_toc``; ``null`` clears a date or the graded-as type);
  ``DELETE blocks/<usage_id>``: delete it and everything below;
* ``POST blocks/<usage_id>/move`` (``parent``, ``index``), ``.../reorder`` (``children``: the parent's
  children in their new order), ``.../duplicate``;
* ``POST blocks/<usage_id>/publish``: publish one section, subsection or unit (Open edX's per-item publish);
  ``POST blocks/<usage_id>/discard``: take one back to its published version (Open edX's "Discard changes"
  of a unit; 409 when it was never published);
* ``POST publish``, ``POST discard``: publish the draft, or go back to the published version.

Every write takes ``expected_version`` (the draft version the caller saw; the outline gives it):
when the draft moved on, nothing is written and the answer is **409** with a message and
``current_version``. Answers of writes carry the new draft ``version``. Errors have Open edX's
body (``developer_message``, ``user_message``, ``field_errors``). The outline page calls these
same endpoints.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from flask import Blueprint, jsonify, request
from flask_login import current_user, login_required
from kampus_content.api import BlockNotFound, CourseNotFound, InvalidEdit, VersionConflict, content_store
from pydantic import BaseModel, Field, StrictBool
from werkzeug.wrappers import Response

from kampus.api_docs import ApiSection, KampusErrorBody, either, validated
from kampus.identity.permissions import has_permission
from kampus_studio.outline import api as outline

bp = Blueprint("studio_outline_api", __name__, url_prefix="/api/studio/v1/courses/<course_id>")
outline_api = ApiSection("studio-outline", "Studio: the course outline (sections, subsections, units), "
                                           "publish and discard.", errors="openedx")

CONFLICT_MESSAGE = ("Someone else changed this course since you loaded it, so your change was not saved. "
                    "Reload the page to see the current outline, then make your change again.")


class StudioError(BaseModel):
    """An error: Open edX's ``developer_message`` / ``user_message``, ``field_errors`` per field;
    a conflict (409) adds ``current_version``."""

    developer_message: str
    user_message: str
    field_errors: dict[str, dict[str, str]] = {}
    current_version: str | None = None


#: A 400 is the endpoint's own error, or the site's (a CSRF refusal of a cookie session: Kampus's error object).
BAD_REQUEST = either(StudioError, KampusErrorBody)


class OutlineItemModel(BaseModel):
    usage_id: str
    category: str
    display_name: str
    state: str = Field(description="never_published | unpublished_changes | live | ready | staff_only")
    state_label: str
    published: bool
    start: str | None
    effective_start: str
    due: str | None
    format: str | None
    graded: bool
    visible_to_staff_only: bool
    staff_only: bool
    hide_from_toc: bool
    children: list[OutlineItemModel]


class OutlineModel(BaseModel):
    course_id: str
    version: str = Field(description="The draft version: send it back as expected_version.")
    published_version: str | None
    has_changes: bool
    assignment_types: list[str]
    root: OutlineItemModel


class Versioned(BaseModel):
    expected_version: str | None = Field(None, description="The draft version the change is based on.")


class NewItem(Versioned):
    parent: str = Field(description="Usage id of the parent (the course, a section or a subsection).")
    category: str = Field(description="chapter | sequential | vertical")
    display_name: str | None = Field(None, max_length=255)
    index: int | None = Field(None, ge=0, description="Position among the parent's children (last by default).")


class ItemChange(Versioned):
    display_name: str | None = Field(None, max_length=1000)
    start: str | None = Field(None, description="Release date (ISO 8601, UTC when naive); null clears it.")
    due: str | None = Field(None, description="Due date (subsections); null clears it.")
    format: str | None = Field(None, description="Graded as: an assignment type; null or '' for not graded.")
    visible_to_staff_only: StrictBool | None = None
    hide_from_toc: StrictBool | None = None


class Move(Versioned):
    parent: str = Field(description="Usage id of the new parent.")
    index: int | None = Field(None, ge=0, description="Position among the new parent's children (last by default).")


class Reorder(Versioned):
    children: list[str] = Field(description="The item's children's usage ids in their new order.")


class Changed(BaseModel):
    version: str = Field(description="The new draft version.")
    usage_id: str | None = None


class Published(BaseModel):
    version: str
    published_version: str


def error(status: int, message: str, fields: dict[str, str] | None = None, **extra: Any) -> Response:
    """Open edX's error body with ``status``."""
    answer = jsonify({
        "developer_message": message, "user_message": message,
        "field_errors": {name: {"developer_message": text, "user_message": text}
                         for name, text in (fields or {}).items()}, **extra,
    })
    answer.status_code = status
    return answer


def _guarded(course_id: str, work: Callable[[], Response]) -> Response:
    """Check the caller may author the course, then run ``work``, answering its errors."""
    if not current_user.is_authenticated:
        return error(401, "Authentication credentials were not provided.")
    if not has_permission(current_user, "studio.author", course_id):
        return error(403, "You do not have permission to perform this action.")
    try:
        content_store().get_course_index(course_id)
        return work()
    except CourseNotFound:
        return error(404, f"No course {course_id}.")
    except VersionConflict as conflict:
        return error(409, CONFLICT_MESSAGE, current_version=conflict.actual)
    except outline.OutlineError as failure:
        return error(failure.status, str(failure), failure.fields)
    except BlockNotFound as failure:
        return error(404, str(failure))
    except InvalidEdit as failure:
        return error(400, str(failure))


def _changed(version: str, usage_id: str | None = None, status: int = 200) -> Response:
    answer = jsonify({"version": version, "usage_id": usage_id})
    answer.status_code = status
    return answer


STANDARD = {400: BAD_REQUEST, 401: StudioError, 403: StudioError, 404: StudioError, 409: StudioError}


@bp.get("/outline")
@login_required
@outline_api.doc(resp={200: OutlineModel, 401: StudioError, 403: StudioError, 404: StudioError})
def outline_tree(course_id: str) -> Response:
    """The draft's outline with each item's settings and publishing state."""
    return _guarded(course_id, lambda: jsonify(outline.course_outline(course_id).to_json()))


@bp.post("/blocks")
@login_required
@outline_api.doc(json=NewItem, resp={201: Changed, **STANDARD})
def block_create(course_id: str) -> Response:
    """Add a section (under the course), subsection (under a section) or unit (under a subsection)."""
    def work() -> Response:
        body: NewItem = validated("json")
        usage_id, version = outline.add_item(course_id, body.parent, body.category, user_id=current_user.id,
                                             display_name=body.display_name, index=body.index,
                                             expected_version=body.expected_version)
        return _changed(version, usage_id, 201)
    return _guarded(course_id, work)


@bp.patch("/blocks/<usage_id>")
@login_required
@outline_api.doc(json=ItemChange, resp={200: Changed, **STANDARD})
def block_update(course_id: str, usage_id: str) -> Response:
    """Rename an item or change its settings; fields left out are left as they are."""
    def work() -> Response:
        body: ItemChange = validated("json")
        changes = {name: getattr(body, name) for name in body.model_fields_set if name != "expected_version"}
        version = outline.update_item(course_id, usage_id, changes, user_id=current_user.id,
                                      expected_version=body.expected_version)
        return _changed(version, usage_id)
    return _guarded(course_id, work)


@bp.delete("/blocks/<usage_id>")
@login_required
@outline_api.doc(query=Versioned, resp={200: Changed, **STANDARD})
def block_delete(course_id: str, usage_id: str) -> Response:
    """Delete an item and everything below it (``expected_version`` in the query)."""
    def work() -> Response:
        version = outline.delete_item(course_id, usage_id, user_id=current_user.id,
                                      expected_version=request.args.get("expected_version") or None)
        return _changed(version)
    return _guarded(course_id, work)


@bp.post("/blocks/<usage_id>/move")
@login_required
@outline_api.doc(json=Move, resp={200: Changed, **STANDARD})
def block_move(course_id: str, usage_id: str) -> Response:
    """Move an item under a parent of the right level (or within its own), at ``index``."""
    def work() -> Response:
        body: Move = validated("json")
        version = outline.move_item(course_id, usage_id, body.parent, user_id=current_user.id, index=body.index,
                                    expected_version=body.expected_version)
        return _changed(version, usage_id)
    return _guarded(course_id, work)


@bp.post("/blocks/<usage_id>/reorder")
@login_required
@outline_api.doc(json=Reorder, resp={200: Changed, **STANDARD})
def block_reorder(course_id: str, usage_id: str) -> Response:
    """Put an item's children in a new order."""
    def work() -> Response:
        body: Reorder = validated("json")
        version = outline.reorder_items(course_id, usage_id, body.children, user_id=current_user.id,
                                        expected_version=body.expected_version)
        return _changed(version, usage_id)
    return _guarded(course_id, work)


@bp.post("/blocks/<usage_id>/duplicate")
@login_required
@outline_api.doc(json=Versioned, resp={201: Changed, **STANDARD})
def block_duplicate(course_id: str, usage_id: str) -> Response:
    """Copy an item and everything below it, right after it."""
    def work() -> Response:
        body: Versioned = validated("json")
        copy_id, version = outline.duplicate_item(course_id, usage_id, user_id=current_user.id,
                                                  expected_version=body.expected_version)
        return _changed(version, copy_id, 201)
    return _guarded(course_id, work)


@bp.post("/blocks/<usage_id>/publish")
@login_required
@outline_api.doc(json=Versioned, resp={200: Published, **STANDARD})
def block_publish(course_id: str, usage_id: str) -> Response:
    """Publish one section, subsection or unit with everything below it; other draft changes stay drafts."""
    def work() -> Response:
        body: Versioned = validated("json")
        published, version = outline.publish_item(course_id, usage_id, user_id=current_user.id,
                                                  expected_version=body.expected_version)
        return jsonify({"version": version, "published_version": published})
    return _guarded(course_id, work)


@bp.post("/blocks/<usage_id>/discard")
@login_required
@outline_api.doc(json=Versioned, resp={200: Changed, **STANDARD})
def block_discard(course_id: str, usage_id: str) -> Response:
    """Discard one section's, subsection's or unit's unpublished changes (it and everything below it go back
    to their published version); other draft changes stay. 409 when it was never published."""
    def work() -> Response:
        body: Versioned = validated("json")
        version = outline.discard_item_changes(course_id, usage_id, user_id=current_user.id,
                                               expected_version=body.expected_version)
        return _changed(version, usage_id)
    return _guarded(course_id, work)


@bp.post("/publish")
@login_required
@outline_api.doc(json=Versioned, resp={200: Published, **STANDARD})
def course_publish(course_id: str) -> Response:
    """Publish the draft: learners see it (search re-indexes on ``kampus_content_published``)."""
    def work() -> Response:
        body: Versioned = validated("json")
        version = outline.publish_course(course_id, user_id=current_user.id, expected_version=body.expected_version)
        return jsonify({"version": version, "published_version": version})
    return _guarded(course_id, work)


@bp.post("/discard")
@login_required
@outline_api.doc(json=Versioned, resp={200: Changed, **STANDARD})
def course_discard(course_id: str) -> Response:
    """Discard the draft's changes since the last publish."""
    def work() -> Response:
        body: Versioned = validated("json")
        version = outline.discard_course_changes(course_id, user_id=current_user.id,
                                                 expected_version=body.expected_version)
        return _changed(version)
    return _guarded(course_id, work)
