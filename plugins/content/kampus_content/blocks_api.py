"""The course blocks API at Open edX's path and in its shape.

``GET /api/courses/v1/blocks/?course_id=...&username=...`` (and ``/v2/``, and
``/api/courses/v{1,2}/blocks/<usage_id>`` for a subtree) answers::

    {"root": "<usage id>", "blocks": {"<usage id>": {"id", "block_id", "type", "display_name",
                                                     "student_view_url", "lms_web_url", "legacy_web_url", ...}}}

with the parameters of Open edX's ``lms/djangoapps/course_api/blocks`` (``username``,
``all_blocks``, ``depth``, ``requested_fields``, ``block_counts``,
``student_view_data``, ``nav_depth``, ``return_type``, ``block_types_filter``)
and its error bodies (``developer_message`` / ``field_errors``), plus Kampus's
``error`` object. Kampus adds ``branch=draft`` for course authors.

The answer is one walk over one structure (cached by the content store), with
no XBlock instantiated: settings come from the stored fields and Open edX's
inheritance (:mod:`kampus_content.settings_fields`). Learners see released
blocks only (beta testers early by ``days_early_for_beta``) and nothing
``visible_to_staff_only``; course staff see everything.
"""

from __future__ import annotations

import bisect
import json
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from types import MappingProxyType
from typing import Any

import sqlalchemy as sa
from flask import Blueprint, Response, jsonify, request
from flask_login import current_user
from opaque_keys import InvalidKeyError
from opaque_keys.edx.keys import CourseKey, UsageKey
from pydantic import BaseModel, Field, RootModel
from xblock.core import XBlock

from kampus import current_kampus, db
from kampus.api_docs import ApiSection
from kampus.identity.models import User
from kampus.identity.permissions import has_permission
from kampus.urls import site_base_url
from kampus_content.release import ReleaseInfo, release_info
from kampus_content.settings_fields import DEFAULT_START, inherited_settings, own_setting
from kampus_content.store import (
    DRAFT,
    PUBLISHED,
    Block,
    BlockKey,
    CourseNotFound,
    Structure,
    VersionNotFound,
    content_store,
)
from kampus_content.store.cache import app_version_cache
from kampus_content.usage_ids import usage_ids

bp = Blueprint("course_blocks_api", __name__)

blocks_api = ApiSection("course blocks", "Open edX's course blocks API.", errors="openedx")


class BlocksQuery(BaseModel):
    """Open edX's ``BlockListGetForm`` (checked by the view, with Open edX's messages)."""

    course_id: str | None = Field(None, description="The course (required without a usage id in the path).")
    username: str | None = Field(None, description="Whose view of the course; required unless all_blocks.")
    all_blocks: str | None = Field(None, description="true: every block (course staff only).")
    depth: str | None = Field(None, description="How deep to go: a number, or all. Default 0.")
    nav_depth: str | None = Field(None, description="Depth of the navigation fields.")
    requested_fields: str | None = Field(None, description="Comma-separated extra fields.")
    block_counts: str | None = Field(None, description="Comma-separated block types to count.")
    student_view_data: str | None = Field(None, description="Comma-separated block types whose data to add.")
    block_types_filter: str | None = Field(None, description="Comma-separated block types to keep.")
    return_type: str | None = Field(None, description="dict (default) or list.")
    branch: str | None = Field(None, description="published (default) or draft (course authors).")


class BlocksAnswer(BaseModel):
    root: str
    blocks: dict[str, dict[str, object]]


class BlocksResult(RootModel[BlocksAnswer | list[dict[str, object]]]):
    """``{"root", "blocks"}``, or a list of blocks with ``return_type=list``."""


class BlocksError(BaseModel):
    developer_message: str | None = None
    field_errors: dict[str, dict[str, str]] | None = None

#: Settings read with inheritance for the API's fields and the access checks.
INHERITED_NAMES = ("start", "due", "graded", "visible_to_staff_only", "days_early_for_beta", "show_correctness",
                   "hide_after_due")

#: Block types whose student view works on phones and touch screens (Open edX's ``multi_device`` support),
#: for types whose XBlock class is not installed here.
MULTI_DEVICE_TYPES = {"html", "problem", "video", "discussion", "drag-and-drop-v2", "poll", "survey", "word_cloud",
                      "done", "openassessment"}
#: Block types that hold a score (Open edX's ``has_score``), for types whose class is not installed here.
SCORED_TYPES = {"problem", "openassessment", "lti", "lti_consumer", "drag-and-drop-v2", "staffgradedxblock",
                "edx_sga", "done"}
#: Open edX's default display names of the core block types.
DEFAULT_DISPLAY_NAMES = {"chapter": "Section", "sequential": "Subsection", "vertical": "Unit", "html": "Text",
                         "problem": "Blank Problem", "video": "Video", "discussion": "Discussion"}
CONTAINER_TYPES = {"course", "chapter", "sequential", "vertical", "library_content", "split_test", "conditional"}

#: ``student_view_data`` of the core block types: ``(block, usage_id) -> JSON``, read from the stored fields
#: (no block is instantiated). Open edX asks a block's own ``student_view_data()`` method, which would
#: also serve third-party blocks: that comes with the REST API issue; until then other types have none.
_STUDENT_VIEW_DATA: Mapping[str, Callable[[Block, str], Any]] = MappingProxyType({
    "html": lambda block, _usage_id: {"enabled": True, "html": block.fields.get("data", "")},
    "discussion": lambda block, _usage_id: {"topic_id": block.fields.get("discussion_id", block.id)},
})


class ApiError(Exception):
    """An error answered in Open edX's shape (``developer_message`` or ``field_errors``)."""

    def __init__(self, status: int, message: str, field: str | None = None):
        super().__init__(message)
        self.status = status
        self.message = message
        self.field = field

    def response(self) -> Response:
        body: dict[str, Any]
        if self.field:
            body = {"field_errors": {self.field: {"developer_message": self.message}}}
        else:
            body = {"developer_message": self.message}
        body["error"] = {"status": self.status, "message": self.message}
        if self.field:
            body["error"]["field"] = self.field
        response = jsonify(body)
        response.status_code = self.status
        return response


# -- what a structure tells once (cached by version id: structures never change) ---------------------------------


class CourseTree:
    """Per-structure facts the API needs on every request: usage ids, inherited settings, release times."""

    def __init__(self, structure: Structure):
        self.structure = structure
        self.usage_ids: dict[BlockKey, str] = usage_ids(structure)
        self.settings = inherited_settings(structure, INHERITED_NAMES)
        self.release: ReleaseInfo = release_info(structure)
        self.merged = self.release.merged
        release = self.release
        #: The effective starts of the blocks, sorted, for learners and for beta testers: between two of
        #: them, the blocks a learner sees stay the same (see :meth:`ReleaseInfo.visible`).
        self.release_times: dict[bool, list[datetime]] = {
            False: sorted(release.starts.values()),
            True: sorted(start - timedelta(days=release.beta_days[key]) if key in release.beta_days else start
                         for key, start in release.starts.items()),
        }

    def next_release(self, now: datetime, beta: bool) -> datetime | None:
        """The first moment after ``now`` at which a block is released (``None``: none is left to release)."""
        times = self.release_times[beta]
        index = bisect.bisect_right(times, now)
        return times[index] if index < len(times) else None


def course_tree(structure: Structure) -> CourseTree:
    """The :class:`CourseTree` of ``structure``, kept per app by version id."""
    return app_version_cache("course_tree", 32).get_or_compute(structure.version, lambda: CourseTree(structure))


def class_facts(block_type: str) -> tuple[bool | None, bool | None, str | None]:
    """(has_score, multi_device, default display name) from the installed XBlock class, without instantiating it.

    Kept per app (the app's plugins decide which classes are installed)."""
    known: dict[str, tuple[bool | None, bool | None, str | None]] = current_kampus().kept(
        "kampus_content.class_facts", dict)
    if block_type in known:
        return known[block_type]
    facts: tuple[bool | None, bool | None, str | None] = (None, None, None)
    if block_type not in CONTAINER_TYPES:
        try:
            cls = XBlock.load_class(block_type)
        except Exception:  # not installed, or failing to import: fall back to the tables
            cls = None
        if cls is not None:
            view = getattr(cls, "student_view", None)
            field = getattr(cls, "fields", {}).get("display_name")
            default = getattr(field, "default", None)
            facts = (bool(getattr(cls, "has_score", False)), "multi_device" in getattr(view, "_supports", ()),
                     default if isinstance(default, str) else None)
    known[block_type] = facts
    return facts


# -- parameters (Open edX's BlockListGetForm) -------------------------------------------------------------------


def _multi(name: str) -> set[str]:
    values: set[str] = set()
    for raw in request.args.getlist(name):
        values.update(part.strip() for part in raw.split(",") if part.strip())
    return values


def _boolean(name: str) -> bool:
    value = request.args.get(name)
    if value is None or value == "":
        return False
    if value.lower() in ("true", "1", "yes", "on"):
        return True
    if value.lower() in ("false", "0", "no", "off"):
        return False
    raise ApiError(400, f"'{value}' is not a valid boolean value.", name)


def _depth() -> int | None:
    value = request.args.get("depth", "")
    if not value:
        return 0
    if value == "all":
        return None
    try:
        depth = int(value)
    except ValueError:
        raise ApiError(400, f"'{value}' is not a valid depth value.", "depth")
    if depth < 0:
        raise ApiError(400, f"'{value}' is not a valid depth value.", "depth")
    return depth


def _nav_depth() -> int | None:
    value = request.args.get("nav_depth", "")
    if value == "":
        return None
    try:
        nav_depth = int(value)
    except ValueError:
        raise ApiError(400, "Enter a whole number.", "nav_depth")
    if nav_depth < 0:
        raise ApiError(400, "Ensure this value is greater than or equal to 0.", "nav_depth")
    return nav_depth


# -- the view --------------------------------------------------------------------------------------------------


def _has(user: Any, permission: str, course_id: str) -> bool:
    return has_permission(user, permission, course_id)


def _find_user(username: str) -> Any:
    return db.session().scalar(sa.select(User).where(sa.func.lower(User.username) == username.lower()))


@bp.get("/api/courses/v1/blocks/", endpoint="blocks_in_course")
@bp.get("/api/courses/v2/blocks/", endpoint="blocks_in_course_v2")
@bp.get("/api/courses/v1/blocks/<path:usage_id>", endpoint="blocks_in_block_tree")
@bp.get("/api/courses/v2/blocks/<path:usage_id>", endpoint="blocks_in_block_tree_v2")
@blocks_api.doc(query=BlocksQuery, validate=False, resp={200: BlocksResult, 400: BlocksError, 401: BlocksError,
                                                         403: BlocksError, 404: BlocksError})
def blocks_view(usage_id: str | None = None) -> Any:
    try:
        body = _blocks(usage_id.rstrip("/") if usage_id else None)
    except ApiError as error:
        return error.response()
    return Response(body, mimetype="application/json")


def _blocks(usage_id: str | None) -> bytes:
    """The JSON answer of the view (see the module's documentation); raises :class:`ApiError`."""
    if not current_user.is_authenticated:
        raise ApiError(401, "Authentication credentials were not provided.")

    # the start block
    if usage_id is None:
        course_id = request.args.get("course_id", "")
        if not course_id:
            raise ApiError(400, "course_id is required.")
        try:
            course_key = CourseKey.from_string(course_id)
        except InvalidKeyError:
            raise ApiError(400, f"'{course_id}' is not a valid course key.")
        start_key: BlockKey | None = None
    else:
        try:
            usage_key = UsageKey.from_string(usage_id)
        except InvalidKeyError:
            raise ApiError(400, f"'{usage_id}' is not a valid usage key.", "usage_key")
        course_key = usage_key.course_key
        start_key = (usage_key.block_type, usage_key.block_id)
    course_id = str(course_key)

    # the parameters
    all_blocks = _boolean("all_blocks")
    depth = _depth()
    nav_depth = _nav_depth()
    return_type = request.args.get("return_type") or "dict"
    if return_type not in ("dict", "list"):
        raise ApiError(400, f"Select a valid choice. {return_type} is not one of the available choices.",
                       "return_type")
    branch = request.args.get("branch") or PUBLISHED
    if branch not in (PUBLISHED, DRAFT):
        raise ApiError(400, f"Select a valid choice. {branch} is not one of the available choices.", "branch")
    requested_fields = _multi("requested_fields") | {"type", "display_name"}
    block_counts = _multi("block_counts")
    student_view_data = _multi("student_view_data")
    block_types_filter = _multi("block_types_filter")
    for name, value in (("student_view_data", student_view_data), ("block_counts", block_counts),
                        ("nav_depth", nav_depth), ("block_types_filter", block_types_filter)):
        if value or value == 0:
            requested_fields.add(name)

    store = content_store()
    try:
        store.get_course_index(course_id)
    except CourseNotFound:
        raise ApiError(404, f"Block not found: course {course_id} does not exist.")

    # whose view (Open edX's _clean_requested_user)
    username = None if all_blocks else request.args.get("username")
    if username is None and not all_blocks:
        raise ApiError(400, "This field is required unless all_blocks is requested.", "username")
    me = current_user._get_current_object()
    if all_blocks:
        if not _has(me, "course.view_staff", course_id):
            raise ApiError(403, f"'{me.username}' does not have permission to access all blocks in '{course_id}'.")
        target = None
    elif username.lower() == me.username.lower():
        if not _has(me, "course.view", course_id):
            raise ApiError(403, f"Course blocks for '{me.username}' cannot be accessed.")
        target = me
    else:
        if not _has(me, "course.view_staff", course_id):
            raise ApiError(403, f"'{me.username}' does not have permission to access view for '{username}'.")
        target = _find_user(username)
        if target is None:
            raise ApiError(404, f"Requested user '{username}' does not exist.")
    if branch == DRAFT and not _has(me, "course.edit_content", course_id):
        raise ApiError(403, f"'{me.username}' does not have permission to read the draft of '{course_id}'.")

    # the structure
    try:
        structure = store.get_branch(course_id, branch)
    except (CourseNotFound, VersionNotFound):
        structure = None
    if structure is None:
        raise ApiError(404, f"Block not found: course {course_id} is not published.")
    start_key = start_key or structure.root
    tree = course_tree(structure)
    if start_key not in tree.usage_ids or start_key not in tree.merged:
        raise ApiError(404, f"Block not found: {usage_id or course_id}")

    if target is None:
        see_all, beta = True, False
    else:
        see_all = _has(target, "course.view_staff", course_id)
        beta = not see_all and _has(target, "course.view_beta", course_id)

    return blocks_answer(
        tree, start_key, see_all=see_all, beta=beta, depth=depth, nav_depth=nav_depth,
        requested_fields=requested_fields, block_counts=block_counts, student_view_data=student_view_data,
        block_types_filter=block_types_filter, return_type=return_type,
    )


# -- the answers, kept -----------------------------------------------------------------------------------------

#: Serialised answers kept per app (a big course's answer is a few hundred kilobytes).
ANSWER_CACHE_SIZE = 32


@dataclass(frozen=True)
class KeptAnswer:
    """A serialised answer and the moment it stops being right (``None``: as long as its version lives)."""

    body: bytes
    valid_until: datetime | None


def blocks_answer(
    tree: CourseTree,
    start_key: BlockKey,
    *,
    see_all: bool,
    beta: bool,
    depth: int | None,
    nav_depth: int | None,
    requested_fields: set[str],
    block_counts: set[str],
    student_view_data: set[str],
    block_types_filter: set[str],
    return_type: str,
) -> bytes:
    """:func:`build_blocks`'s answer as JSON, kept per app.

    The answer depends on the structure (immutable: its version is in the key), the parameters, whose
    view it is (everything, or a learner's or a beta tester's) and, for a learner, on the time only
    through the release dates: it is kept until the next block is released."""
    now = datetime.now(UTC)
    base_url = site_base_url().rstrip("/")
    key = json.dumps([tree.structure.version, list(start_key), see_all, beta, base_url, depth, nav_depth,
                      sorted(requested_fields), sorted(block_counts), sorted(student_view_data),
                      sorted(block_types_filter), return_type])
    cache = app_version_cache("blocks_answers", ANSWER_CACHE_SIZE)
    kept: KeptAnswer | None = cache.get(key)
    if kept is not None and (kept.valid_until is None or now < kept.valid_until):
        return kept.body
    data = build_blocks(
        tree, start_key, see_all=see_all, beta=beta, depth=depth, nav_depth=nav_depth,
        requested_fields=requested_fields, block_counts=block_counts, student_view_data=student_view_data,
        block_types_filter=block_types_filter, return_type=return_type, now=now, base_url=base_url,
    )
    # Not jsonify: it sorts keys, and the blocks keep the course's order (as Open edX answers them).
    body = json.dumps(data, ensure_ascii=False, separators=(",", ":")).encode()
    cache.put(key, KeptAnswer(body, None if see_all else tree.next_release(now, beta)))
    return body


# -- the walk --------------------------------------------------------------------------------------------------


def _json_value(value: Any) -> Any:
    if isinstance(value, datetime):
        text = value.astimezone(UTC).isoformat()
        return text[:-6] + "Z" if text.endswith("+00:00") else text
    return value


def build_blocks(
    tree: CourseTree,
    start_key: BlockKey,
    *,
    see_all: bool,
    beta: bool = False,
    depth: int | None = 0,
    nav_depth: int | None = None,
    requested_fields: set[str] | None = None,
    block_counts: set[str] | frozenset[str] = frozenset(),
    student_view_data: set[str] | frozenset[str] = frozenset(),
    block_types_filter: set[str] | frozenset[str] = frozenset(),
    return_type: str = "dict",
    now: datetime | None = None,
    base_url: str | None = None,
) -> Any:
    """The API's answer for the subtree at ``start_key`` of ``tree`` (see the module's documentation)."""
    structure = tree.structure
    requested = requested_fields if requested_fields is not None else {"type", "display_name"}
    now = now or datetime.now(UTC)
    if base_url is None:
        base_url = site_base_url()
    base_url = base_url.rstrip("/")

    def visible(key: BlockKey) -> bool:
        return see_all or tree.release.visible(key, now, beta)

    # Accessible blocks, depth first in order, with their depth and accessible children (Open edX's access
    # transformers remove an inaccessible block with everything below it).
    order: list[BlockKey] = []
    depth_of: dict[BlockKey, int] = {}
    children_of: dict[BlockKey, list[BlockKey]] = {}
    stack: list[tuple[BlockKey, int]] = [(start_key, 0)]
    while stack:
        key, level = stack.pop()
        if key in depth_of:
            continue
        block = structure.blocks.get(key)
        if block is None or not visible(key):
            continue
        depth_of[key] = level
        order.append(key)
        children_of[key] = []
        stack.extend((child, level + 1) for child in reversed(block.children))
    for key in order:
        children_of[key] = [c for c in structure.blocks[key].children if c in depth_of and depth_of[c] > depth_of[key]]

    # block_counts: over the accessible subtree, before the depth cut (as Open edX's transformer order has it)
    counts: dict[BlockKey, dict[str, int]] = {}
    if block_counts:
        for key in reversed(order):
            own = {t: int(key[0] == t) for t in block_counts}
            for child in children_of[key]:
                for t, n in counts[child].items():
                    own[t] += n
            counts[key] = own

    # the depth cut
    if depth is not None:
        order = [key for key in order if depth_of[key] <= depth]
        for key in order:
            if depth_of[key] == depth:
                children_of[key] = []

    # nav_depth: Open edX's BlockNavigationTransformer ("descendants")
    descendants: dict[BlockKey, list[str]] = {}
    if nav_depth is not None:
        lists_for_children: dict[BlockKey, list[list[str]] | None] = {}
        parent_of = {child: key for key in order for child in children_of[key]}
        kept = set(order)
        for key in order:
            parent = parent_of.get(key) if parent_of.get(key) in kept else None
            parent_lists = lists_for_children.get(parent) if parent is not None else None
            hidden = bool(own_setting(structure.blocks[key], "hide_from_toc"))
            if hidden or (parent is not None and not parent_lists):
                lists_for_children[key] = None
                continue
            for items in parent_lists or ():
                items.append(tree.usage_ids[key])
            if depth_of[key] > nav_depth:
                lists_for_children[key] = parent_lists
            else:
                descendants[key] = []
                lists_for_children[key] = [descendants[key]]

    # block_types_filter: drop other types, their children move up to the nearest kept ancestor
    if block_types_filter:
        kept_keys = {key for key in order if key[0] in block_types_filter}

        def kept_children(key: BlockKey) -> list[BlockKey]:
            out: list[BlockKey] = []
            for child in children_of.get(key, ()):
                if child in kept_keys:
                    out.append(child)
                else:
                    out.extend(kept_children(child))
            return out

        children_of = {key: kept_children(key) for key in kept_keys}
        order = [key for key in order if key in kept_keys]

    blocks: list[dict[str, Any]] = []
    facts_of: dict[str, tuple[bool | None, bool | None, str | None]] = {}
    for key in order:
        block = structure.blocks[key]
        settings = tree.settings.get(key, {})
        usage_id = tree.usage_ids[key]
        jump_to = f"{base_url}/courses/{structure.course_key}/jump_to/{usage_id}"
        data: dict[str, Any] = {
            "id": usage_id,
            "block_id": block.id,
            "lms_web_url": jump_to,
            "legacy_web_url": jump_to + "?experience=legacy",
            "student_view_url": f"{base_url}/xblock/{usage_id}",
        }
        facts = facts_of.get(block.type)
        if facts is None:
            facts = facts_of[block.type] = class_facts(block.type)
        fields = _requested_fields(block, settings, tree.merged.get(key, (False, False)), requested, facts)
        data.update((name, _json_value(value)) for name, value in fields.items() if value is not None)
        if "student_view_data" in requested and block.type in student_view_data:
            provider = _STUDENT_VIEW_DATA.get(block.type)
            if provider is not None:
                data["student_view_data"] = provider(block, usage_id)
        if "block_counts" in requested and key in counts:
            data["block_counts"] = counts[key]
        if "nav_depth" in requested and key in descendants:
            data["descendants"] = descendants[key]
        if "children" in requested and children_of.get(key):
            data["children"] = [tree.usage_ids[child] for child in children_of[key]]
        blocks.append(data)

    if return_type == "list":
        return blocks
    return {"root": tree.usage_ids[start_key], "blocks": {data["id"]: data for data in blocks}}


def _requested_fields(
    block: Block, settings: dict[str, Any], merged: tuple[bool, bool], requested: set[str],
    facts: tuple[bool | None, bool | None, str | None],
) -> dict[str, Any]:
    """Open edX's SUPPORTED_FIELDS that were requested, read from the stored fields (``None``: left out);
    ``facts`` are the block type's :func:`class_facts`."""
    out: dict[str, Any] = {}
    if "type" in requested:
        out["type"] = block.type
    has_score, multi_device, default_name = facts
    if "display_name" in requested:
        name = block.fields.get("display_name")
        out["display_name"] = name if isinstance(name, str) and name else (
            default_name or DEFAULT_DISPLAY_NAMES.get(block.type, ""))
    if "graded" in requested:
        out["graded"] = bool(settings.get("graded") or False)
    if "format" in requested:
        out["format"] = block.fields.get("format") or None
    if "start" in requested:
        out["start"] = settings.get("start") or DEFAULT_START
    if "due" in requested:
        out["due"] = settings.get("due")
    if "has_score" in requested:
        out["has_score"] = has_score if has_score is not None else block.type in SCORED_TYPES
    if "weight" in requested:
        out["weight"] = own_setting(block, "weight")
    if "show_correctness" in requested:
        out["show_correctness"] = settings.get("show_correctness") or "always"
    if "hide_from_toc" in requested:
        out["hide_from_toc"] = bool(own_setting(block, "hide_from_toc") or False)
    if "visible_to_staff_only" in requested:
        out["visible_to_staff_only"] = merged[0]
    if "hide_after_due" in requested:
        out["hide_after_due"] = merged[1]
    if "student_view_multi_device" in requested:
        out["student_view_multi_device"] = (
            multi_device if multi_device is not None else block.type in MULTI_DEVICE_TYPES
        )
    return out
