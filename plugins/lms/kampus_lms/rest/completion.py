"""Open edX's completion REST API (the ``completion`` app's ``api/v1``) at its paths, in its shapes.

* ``POST /api/completion/v1/completion-batch`` (``CompletionBatchView``): ``{"username", "course_key",
  "blocks": {usage_id: completion}}`` records the learner's completions in one transaction (all or
  nothing) and answers ``{"detail": "ok"}``; mistakes answer 400 ``{"detail": ...}`` with Open edX's
  messages ("Key 'blocks' not found.", "Invalid course key: ...", "User is not enrolled in course.",
  "Invalid block key: ...", "Block with key: '...' is not in course ..."), an unknown user 404.
* ``GET /api/completion/v1/subsection-completion/<username>/<course_key>/<subsection_id>``
  (``SubsectionCompletionView``): ``{"completion": true}`` when every completable block under the
  subsection is complete for the learner.

Who: the learner named (``username`` in the body or the path) or global staff (Open edX's
``IsStaffOrOwner``); others get DRF's 403. As everywhere in Kampus, a completion only ever rises: a lower
value than the stored one leaves it (Open edX overwrites); a block must be in the published course (Open
edX does not check).
"""

from __future__ import annotations

from typing import Any

from flask import Blueprint, request
from kampus_content.api import (
    CourseNotFound,
    InvalidCompletion,
    VersionNotFound,
    aggregate_completion,
    app_version_cache,
    completable_leaves,
    completion_value,
    course_completions,
    get_structure,
    record_completion,
)
from opaque_keys import InvalidKeyError
from opaque_keys.edx.keys import UsageKey
from pydantic import BaseModel, Field
from werkzeug.wrappers import Response

from kampus import current_kampus
from kampus.api_docs import ApiSection
from kampus_lms.enrollment.api import get_enrollment
from kampus_lms.rest.common import (
    PERMISSION_DENIED,
    RestError,
    course_key_or_none,
    detail_error,
    install_error_handler,
    is_global_staff,
    json_answer,
    requesting_user,
    user_by_username,
)

bp = Blueprint("lms_rest_completion", __name__)
install_error_handler(bp)

completion_api = ApiSection("completion", "Block completion (Open edX's completion API).", errors="openedx")

REQUIRED_KEYS = ("username", "course_key", "blocks")


class CompletionBatch(BaseModel):
    username: str = Field(description="Whose completions (the requesting user, unless staff).")
    course_key: str = Field(description="The course (course-v1:Org+Number+Run).")
    blocks: dict[str, float] = Field(description="Completion (0.0 to 1.0) by usage id.")


class Detail(BaseModel):
    detail: str


class SubsectionCompletion(BaseModel):
    completion: bool


def _bad(message: str) -> RestError:
    return detail_error(400, message)


def _owner_or_staff(viewer: Any, username: Any) -> None:
    """``IsStaffOrOwner``."""
    if not (is_global_staff(viewer) or (isinstance(username, str) and username == viewer.username)):
        raise detail_error(403, PERMISSION_DENIED)


def _parsed_batch(batch: Any) -> tuple[Any, str, list[tuple[str, str, float]], Any]:
    """``_validate_and_parse``: the learner, the course id, ``(usage id, block type, completion)`` s and the
    published structure; else a 400 / 404 ``RestError``."""
    for key in REQUIRED_KEYS:
        if key not in batch:
            raise _bad(f"Key '{key}' not found.")
    user = user_by_username(batch["username"])
    if user is None:
        raise detail_error(404, "User matching query does not exist.")
    raw_course = batch["course_key"]
    course_key = course_key_or_none(raw_course) if isinstance(raw_course, str) else None
    if course_key is None:
        raise _bad(f"Invalid course key: {raw_course}")
    course_id = str(course_key)
    enrollment = get_enrollment(user.id, course_id)
    if enrollment is None or not enrollment.is_active:
        raise _bad("User is not enrolled in course.")
    blocks = batch["blocks"]
    if not isinstance(blocks, dict):
        raise _bad("'blocks' must be an object of usage ids and completions.")
    try:
        structure = get_structure(course_id)
    except (CourseNotFound, VersionNotFound):
        structure = None
    parsed = []
    for block_id, value in blocks.items():
        try:
            usage_key = UsageKey.from_string(str(block_id))
        except InvalidKeyError:
            raise _bad(f"Invalid block key: {block_id}") from None
        key = (usage_key.block_type, usage_key.block_id)
        if str(usage_key.course_key) != course_id or structure is None or key not in structure.blocks:
            raise _bad(f"Block with key: '{block_id}' is not in course {course_id}")
        try:
            completion = completion_value(value)
        except InvalidCompletion as exc:
            raise _bad(str(exc)) from None
        parsed.append((str(usage_key), usage_key.block_type, completion))
    return user, course_id, parsed, structure


@bp.post("/api/completion/v1/completion-batch")
@completion_api.doc(json=CompletionBatch, validate=False, resp={200: Detail, 400: Detail, 401: Detail,
                                                                  403: Detail, 404: Detail})
def completion_batch() -> Response:
    """Record several completions of one learner in one course (all or nothing)."""
    viewer = requesting_user()
    batch = request.get_json(silent=True)
    if not isinstance(batch, dict):
        batch = {}
    _owner_or_staff(viewer, batch.get("username"))
    user, course_id, blocks, _structure = _parsed_batch(batch)
    with current_kampus().db.session_scope() as db_session:
        for usage_id, block_type, completion in blocks:
            record_completion(db_session, user_id=user.id, course_key=course_id, usage_key=usage_id,
                              block_type=block_type, completion=completion)
    return json_answer({"detail": "ok"})


@bp.get("/api/completion/v1/subsection-completion/<username>/<course_key>/<subsection_id>")
@completion_api.doc(resp={200: SubsectionCompletion, 401: Detail, 403: Detail, 404: Detail})
def subsection_completion(username: str, course_key: str, subsection_id: str) -> Response:
    """Whether the learner completed every completable block of a subsection."""
    viewer = requesting_user()
    _owner_or_staff(viewer, username)
    user = user_by_username(username)
    if user is None:
        raise detail_error(404, "User matching query does not exist.")
    key = course_key_or_none(course_key)
    try:
        usage_key = UsageKey.from_string(subsection_id)
    except InvalidKeyError:
        usage_key = None
    if key is None or usage_key is None or str(usage_key.course_key) != str(key):
        raise detail_error(404, "Not found.")
    course_id = str(key)
    try:
        structure = get_structure(course_id)
    except (CourseNotFound, VersionNotFound):
        raise detail_error(404, "Not found.") from None
    if (usage_key.block_type, usage_key.block_id) not in structure.blocks:
        raise detail_error(404, "Not found.")
    leaves = app_version_cache("completable_leaves").get_or_compute(
        structure.version, lambda: completable_leaves(structure))
    stored = course_completions(course_id, [user.id])[user.id]
    summary = aggregate_completion(structure, stored, leaves=leaves).get(str(usage_key))
    return json_answer({"completion": bool(summary is not None and summary.complete)})
