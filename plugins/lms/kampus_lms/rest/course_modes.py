"""Open edX's course modes API (``common/djangoapps/course_modes/rest_api``): a course's modes for staff.

* ``GET /api/course_modes/v1/courses/<course_id>/``: the modes the course sets (none: ``[]``), not
  paginated; ``POST`` the same path creates one (201 with it).
* ``GET``/``PATCH``/``DELETE /api/course_modes/v1/courses/<course_id>/<mode_slug>``: one mode; ``PATCH``
  takes ``application/merge-patch+json`` (else 415) and answers 204, ``DELETE`` answers 204.

Global staff only (Open edX's ``IsStaff`` for users without a restricted JWT): 401 without
credentials, 403 for others, DRF's bodies (``{"detail"}``). Bad fields get DRF's serializer errors
(``{"<field>": ["<message>"]}``). Fields are Open edX's ``CourseModeSerializer``'s; Kampus keeps no SKUs
(``null``), and an expiration date is always explicit.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from flask import Blueprint, request
from pydantic import BaseModel, Field, RootModel
from werkzeug.wrappers import Response

from kampus.api_docs import ApiSection
from kampus_lms.catalog.api import course_overview
from kampus_lms.enrollment.api import CourseMode, delete_course_mode, set_course_mode, stored_course_modes
from kampus_lms.rest.common import (
    PERMISSION_DENIED,
    RestError,
    course_key_or_none,
    detail_error,
    drf_datetime,
    install_error_handler,
    is_global_staff,
    json_answer,
    requesting_user,
)

bp = Blueprint("rest_course_modes", __name__)
install_error_handler(bp)

course_modes_api = ApiSection("course modes", "Open edX's course modes API (global staff).", errors="openedx")

#: The fields a new mode needs (Open edX's serializer's required fields).
REQUIRED = ("course_id", "mode_slug", "mode_display_name", "currency")
#: The fields that name a mode and cannot change.
UNCHANGEABLE = ("course_id", "mode_slug")
MERGE_PATCH = "application/merge-patch+json"


class CourseModeJson(BaseModel):
    """Open edX's ``CourseModeSerializer``."""

    course_id: str
    mode_slug: str
    mode_display_name: str
    min_price: int
    currency: str
    expiration_datetime: str | None
    expiration_datetime_is_explicit: bool
    description: str | None
    sku: str | None
    bulk_sku: str | None


class CourseModeList(RootModel[list[CourseModeJson]]):
    pass


class CourseModeInput(BaseModel):
    """A mode to create (``course_id``, ``mode_slug``, ``mode_display_name``, ``currency`` required) or the
    fields to change (merge patch; ``course_id`` and ``mode_slug`` cannot change)."""

    course_id: str | None = None
    mode_slug: str | None = None
    mode_display_name: str | None = None
    min_price: int | None = Field(None, ge=0)
    currency: str | None = None
    expiration_datetime: str | None = Field(None, description="ISO 8601; null: never expires.")
    expiration_datetime_is_explicit: bool | None = None
    description: str | None = None
    sku: str | None = None
    bulk_sku: str | None = None


class FieldErrorsBody(RootModel[dict[str, Any]]):
    """DRF's errors: ``{"<field>": ["<message>"]}``, or ``{"detail"}``."""


def mode_json(course_id: str, mode: CourseMode) -> dict[str, Any]:
    """A mode as Open edX's ``CourseModeSerializer`` renders it."""
    return {"course_id": course_id, "mode_slug": mode.slug, "mode_display_name": mode.name,
            "min_price": mode.min_price, "currency": mode.currency,
            "expiration_datetime": drf_datetime(mode.expiration),
            "expiration_datetime_is_explicit": mode.expiration is not None,
            "description": mode.description or None, "sku": None, "bulk_sku": None}


def _staff() -> None:
    user = requesting_user()
    if not is_global_staff(user):
        raise detail_error(403, PERMISSION_DENIED)


def _course(course_id: str) -> str:
    key = course_key_or_none(course_id)
    if key is None or course_overview(str(key)) is None:
        raise detail_error(404, "Not found.")
    return str(key)


def _invalid(errors: dict[str, str]) -> RestError:
    return RestError(400, {name: [message] for name, message in errors.items()},
                     message=next(iter(errors.values())))


def _body() -> dict[str, Any]:
    body = request.get_json(silent=True, force=True)
    if not isinstance(body, dict):
        raise RestError(400, {"non_field_errors": ["Invalid data. Expected a dictionary."]},
                        message="Invalid data. Expected a dictionary.")
    return body


def _checked(body: dict[str, Any]) -> dict[str, Any]:
    """The fields of ``body`` Kampus keeps, checked as DRF's serializer checks them."""
    errors: dict[str, str] = {}
    values: dict[str, Any] = {}
    for name in ("course_id", "mode_slug", "mode_display_name", "currency", "description", "sku", "bulk_sku"):
        if name in body:
            value = body[name]
            if value is None or not isinstance(value, str | int | float) or isinstance(value, bool):
                errors[name] = "This field may not be null." if value is None else "Not a valid string."
            elif not str(value).strip() and name != "description":
                errors[name] = "This field may not be blank."
            else:
                values[name] = str(value).strip()
    if "currency" in values and len(values["currency"]) > 8:
        errors["currency"] = "Ensure this field has no more than 8 characters."
    if "mode_display_name" in values and len(values["mode_display_name"]) > 255:
        errors["mode_display_name"] = "Ensure this field has no more than 255 characters."
    if "min_price" in body:
        price = body["min_price"]
        try:
            number = int(price) if not isinstance(price, bool) and float(price) == int(price) else None
        except (TypeError, ValueError, OverflowError):
            number = None
        if number is None or number < 0 or number > 2**31 - 1:
            errors["min_price"] = "A valid integer is required."
        else:
            values["min_price"] = number
    if "expiration_datetime" in body:
        raw = body["expiration_datetime"]
        if raw is None:
            values["expiration_datetime"] = None
        else:
            try:
                moment = datetime.fromisoformat(str(raw).replace("Z", "+00:00"))
            except ValueError:
                errors["expiration_datetime"] = ("Datetime has wrong format. Use one of these formats instead: "
                                                 "YYYY-MM-DDThh:mm[:ss[.uuuuuu]][+HH:MM|-HH:MM|Z].")
            else:
                values["expiration_datetime"] = moment if moment.tzinfo else moment.replace(tzinfo=UTC)
    if "expiration_datetime_is_explicit" in body and not isinstance(body["expiration_datetime_is_explicit"], bool):
        errors["expiration_datetime_is_explicit"] = "Must be a valid boolean."
    if errors:
        raise _invalid(errors)
    return values


def _save(course_id: str, slug: str, values: dict[str, Any], current: CourseMode | None) -> CourseMode:
    try:
        return set_course_mode(
            course_id, slug, values.get("mode_display_name", current.name if current else slug),
            min_price=values.get("min_price", current.min_price if current else 0),
            currency=values.get("currency", current.currency if current else "usd"),
            expiration=values.get("expiration_datetime", current.expiration if current else None),
            description=values.get("description", current.description if current else ""),
        )
    except ValueError as error:
        raise _invalid({"mode_slug" if "slug" in str(error) else "min_price": str(error)}) from None


def _no_content() -> Any:
    """204 with no body (a status in a tuple, which the API layer keeps)."""
    return Response(b"", content_type="application/json"), 204


def _find(course_id: str, slug: str) -> CourseMode:
    for mode in stored_course_modes(course_id):
        if mode.slug == slug:
            return mode
    raise detail_error(404, "Not found.")


@bp.get("/api/course_modes/v1/courses/<course_id>/")
@course_modes_api.doc(resp={200: CourseModeList, 401: FieldErrorsBody, 403: FieldErrorsBody, 404: FieldErrorsBody})
def mode_list(course_id: str) -> Response:
    """The modes the course sets (Open edX's ``CourseModesView``)."""
    _staff()
    course_id = _course(course_id)
    return json_answer([mode_json(course_id, mode) for mode in stored_course_modes(course_id)])


@bp.post("/api/course_modes/v1/courses/<course_id>/")
@course_modes_api.doc(json=CourseModeInput, validate=False,
                      resp={201: CourseModeJson, 400: FieldErrorsBody, 401: FieldErrorsBody, 403: FieldErrorsBody,
                            404: FieldErrorsBody})
def mode_create(course_id: str) -> Response:
    """Add a mode to the course (Open edX's ``CourseModesView.post``)."""
    _staff()
    course_id = _course(course_id)
    values = _checked(_body())
    missing = {name: "This field is required." for name in REQUIRED if name not in values}
    if missing:
        raise _invalid(missing)
    if course_key_or_none(values["course_id"]) is None or str(course_key_or_none(values["course_id"])) != course_id:
        raise _invalid({"course_id": f"The course_id must be the course of the URL, {course_id}."})
    if any(mode.slug == values["mode_slug"] for mode in stored_course_modes(course_id)):
        raise _invalid({"mode_slug": "This course already has a mode with this slug."})
    return json_answer(mode_json(course_id, _save(course_id, values["mode_slug"], values, None)), 201)


@bp.get("/api/course_modes/v1/courses/<course_id>/<mode_slug>")
@course_modes_api.doc(resp={200: CourseModeJson, 401: FieldErrorsBody, 403: FieldErrorsBody, 404: FieldErrorsBody})
def mode_detail(course_id: str, mode_slug: str) -> Response:
    """One mode of the course (Open edX's ``CourseModesDetailView``)."""
    _staff()
    course_id = _course(course_id)
    return json_answer(mode_json(course_id, _find(course_id, mode_slug)))


@bp.patch("/api/course_modes/v1/courses/<course_id>/<mode_slug>")
@course_modes_api.doc(json=CourseModeInput, validate=False,
                      resp={204: None, 400: FieldErrorsBody, 401: FieldErrorsBody, 403: FieldErrorsBody,
                            404: FieldErrorsBody, 415: FieldErrorsBody})
def mode_update(course_id: str, mode_slug: str) -> Any:
    """Change a mode by merge patch (``application/merge-patch+json``); 204."""
    _staff()
    course_id = _course(course_id)
    current = _find(course_id, mode_slug)
    if request.mimetype != MERGE_PATCH:
        raise detail_error(415, f'Unsupported media type "{request.mimetype}" in request.')
    body = _body()
    unchangeable = {name: "This field cannot be modified." for name in UNCHANGEABLE if name in body}
    if unchangeable:
        raise _invalid(unchangeable)
    _save(course_id, mode_slug, _checked(body), current)
    return _no_content()


@bp.delete("/api/course_modes/v1/courses/<course_id>/<mode_slug>")
@course_modes_api.doc(resp={204: None, 401: FieldErrorsBody, 403: FieldErrorsBody, 404: FieldErrorsBody})
def mode_delete(course_id: str, mode_slug: str) -> Any:
    """Remove a mode from the course (enrollments in it stay); 204."""
    _staff()
    course_id = _course(course_id)
    if not delete_course_mode(course_id, mode_slug):
        raise detail_error(404, "Not found.")
    return _no_content()
