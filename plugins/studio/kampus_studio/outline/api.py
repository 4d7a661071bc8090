"""The `outline` area's API: a course's outline as authors see it, and the outline edits.

The outline is the draft's sections (``chapter``) > subsections (``sequential``) > units
(``vertical``), each with its settings and its publishing state, as Open edX's Studio shows them
(``cms/djangoapps/contentstore/xblock_storage_handlers/view_handlers.py``, ``_compute_visibility_state``):

* ``never_published``: "Draft (never published)": the block is not in the published version;
* ``unpublished_changes``: "Draft (unpublished changes)": it or something below it differs from the
  published version;
* ``live``: "Published" and released (its effective start has passed);
* ``ready``: "Published not yet released";
* ``staff_only``: "Staff only": ``visible_to_staff_only`` set on it or an ancestor (published).

The facts are computed once per (draft, published) pair of versions and kept in the app's version
cache: a 10,000-block course's outline costs one walk per edit, not per page view.

Every edit goes through :mod:`kampus_content.api`, carries the draft version the author saw
(``expected_version``) and raises :class:`~kampus_content.api.VersionConflict` when the draft moved on.
Wrong requests raise :class:`OutlineError` (with an HTTP status and a message per field).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from kampus_content.api import (
    DEFAULT_DISPLAY_NAMES,
    DRAFT,
    PUBLISHED,
    BlockKey,
    BlockNotFound,
    InvalidEdit,
    Structure,
    VersionConflict,
    VersionNotFound,
    app_version_cache,
    content_store,
    create_block,
    delete_block,
    discard_block,
    discard_changes,
    duplicate_block,
    get_structure,
    grading_policy_of,
    move_block,
    on_latest_draft,
    parse_date,
    publish,
    publish_block,
    release_info,
    reorder_children,
    update_fields,
)
from opaque_keys import InvalidKeyError
from opaque_keys.edx.keys import CourseKey, UsageKey

#: The outline's levels: which category each holds.
CHILD_CATEGORY = {"course": "chapter", "chapter": "sequential", "sequential": "vertical"}
PARENT_CATEGORY = {child: parent for parent, child in CHILD_CATEGORY.items()}
OUTLINE_CATEGORIES = ("chapter", "sequential", "vertical")
#: Open edX's names of new blocks.
NEW_NAMES = {"chapter": "Section", "sequential": "Subsection", "vertical": "Unit"}

NEVER_PUBLISHED, UNPUBLISHED_CHANGES, LIVE, READY, STAFF_ONLY = (
    "never_published", "unpublished_changes", "live", "ready", "staff_only")
#: The label of each state (translated by the templates).
STATE_LABELS = {
    NEVER_PUBLISHED: "Draft (never published)",
    UNPUBLISHED_CHANGES: "Draft (unpublished changes)",
    LIVE: "Published",
    READY: "Published not yet released",
    STAFF_ONLY: "Staff only",
}
#: Settings an outline item may change (PATCH), by category.
EDITABLE = {
    "chapter": {"display_name", "start", "visible_to_staff_only", "hide_from_toc"},
    "sequential": {"display_name", "start", "due", "format", "visible_to_staff_only", "hide_from_toc"},
    "vertical": {"display_name", "visible_to_staff_only"},
}


class OutlineError(ValueError):
    """A wrong outline request: ``status`` (400, 404, 409) and a message per field."""

    def __init__(self, message: str, status: int = 400, fields: dict[str, str] | None = None):
        super().__init__(message)
        self.status = status
        self.fields = fields or {}


@dataclass
class OutlineItem:
    """One row of the outline: a section, subsection or unit (or the course, the tree's root)."""

    key: BlockKey
    usage_id: str
    category: str
    display_name: str
    state: str
    published: bool  #: the block is in the published version
    start: str | None  #: its own release date (ISO, UTC), if set
    effective_start: str  #: the release date with inheritance
    due: str | None
    format: str | None  #: graded as (assignment type), subsections
    graded: bool
    visible_to_staff_only: bool  #: its own flag
    staff_only: bool  #: its own or an ancestor's
    hide_from_toc: bool
    children: list[OutlineItem] = field(default_factory=list)

    @property
    def state_label(self) -> str:
        return STATE_LABELS[self.state]

    def count(self) -> int:
        """This row and every row below it."""
        return 1 + sum(child.count() for child in self.children)

    def to_json(self) -> dict[str, Any]:
        """The item as the REST API gives it."""
        return {
            "usage_id": self.usage_id, "category": self.category, "display_name": self.display_name,
            "state": self.state, "state_label": self.state_label, "published": self.published,
            "start": self.start, "effective_start": self.effective_start, "due": self.due, "format": self.format,
            "graded": self.graded, "visible_to_staff_only": self.visible_to_staff_only,
            "staff_only": self.staff_only, "hide_from_toc": self.hide_from_toc,
            "children": [child.to_json() for child in self.children],
        }


@dataclass
class Outline:
    """A course's outline: the root item, the draft and published versions, the assignment types."""

    course_id: str
    version: str
    published_version: str | None
    root: OutlineItem
    assignment_types: list[str]
    index: dict[str, OutlineItem]  #: every item by usage id

    @property
    def has_changes(self) -> bool:
        return self.published_version != self.version and self.root.state in (NEVER_PUBLISHED,
                                                                               UNPUBLISHED_CHANGES)

    def to_json(self) -> dict[str, Any]:
        return {"course_id": self.course_id, "version": self.version, "published_version": self.published_version,
                "has_changes": self.has_changes, "assignment_types": self.assignment_types,
                "root": self.root.to_json()}


def _iso(value: Any) -> str | None:
    parsed = parse_date(value)
    return None if parsed is None else parsed.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def _flag(value: Any) -> bool:
    if isinstance(value, str):
        return value.strip().lower() in ("true", "1", "yes")
    return bool(value)


def _build(course_id: str, draft: Structure, published: Structure | None, now: datetime) -> Outline:
    course_key = CourseKey.from_string(course_id)
    releases = release_info(draft)
    changed: dict[BlockKey, bool] = {}
    old = published.blocks if published is not None else {}

    def differs(key: BlockKey) -> bool:
        """Whether the block or anything below it differs from the published version (memoised)."""
        known = changed.get(key)
        if known is not None:
            return known
        changed[key] = False  # a cycle counts as unchanged
        block = draft.blocks[key]
        before = old.get(key)
        result = (before is None or before.fields != block.fields or before.children != block.children
                  or any(differs(child) for child in block.children if child in draft.blocks))
        changed[key] = result
        return result

    index: dict[str, OutlineItem] = {}

    def item(key: BlockKey, depth: int) -> OutlineItem:
        block = draft.blocks[key]
        name = block.fields.get("display_name")
        staff_only = releases.merged.get(key, (False, False))[0]
        start = releases.starts.get(key)
        in_published = key in old
        if not in_published:
            state = NEVER_PUBLISHED
        elif differs(key):
            state = UNPUBLISHED_CHANGES
        elif staff_only:
            state = STAFF_ONLY
        elif start is not None and start <= now:
            state = LIVE
        else:
            state = READY
        usage_id = str(course_key.make_usage_key(block.type, block.id))
        node = OutlineItem(
            key=key, usage_id=usage_id, category=block.type,
            display_name=name if isinstance(name, str) and name else DEFAULT_DISPLAY_NAMES.get(block.type, block.type),
            state=state, published=in_published, start=_iso(block.fields.get("start")),
            effective_start=start.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ") if start else "",
            due=_iso(block.fields.get("due")), format=(block.fields.get("format") or None),
            graded=_flag(block.fields.get("graded")), visible_to_staff_only=_flag(block.fields.get(
                "visible_to_staff_only")), staff_only=bool(staff_only),
            hide_from_toc=_flag(block.fields.get("hide_from_toc")),
        )
        index[usage_id] = node
        if depth < 3:
            wanted = CHILD_CATEGORY.get(block.type)
            node.children = [item(child, depth + 1) for child in block.children
                             if child in draft.blocks and child[0] == wanted]
        return node

    root = item(draft.root, 0)
    types = [str(grader.get("type")) for grader in grading_policy_of(draft).get("GRADER", [])
             if isinstance(grader, dict) and grader.get("type")]
    return Outline(course_id, draft.version, published.version if published else None, root, types, index)


def course_outline(course_id: str, *, now: datetime | None = None) -> Outline:
    """The outline of the course's draft (kept per draft and published version for the current hour:
    "released" depends on the time). Raises :class:`~kampus_content.api.CourseNotFound`."""
    draft = get_structure(course_id, DRAFT)
    try:
        published = get_structure(course_id, "published")
    except VersionNotFound:
        published = None
    moment = now or datetime.now(UTC)
    cache_key = f"{draft.version}:{published.version if published else '-'}:{moment:%Y%m%d%H}"
    if now is not None:
        return _build(course_id, draft, published, moment)
    return app_version_cache("studio_outline", size=16).get_or_compute(
        cache_key, lambda: _build(course_id, draft, published, moment))


# -- edits ----------------------------------------------------------------------------------------------------


def block_key(course_id: str, usage_id: str) -> BlockKey:
    """The (type, id) of ``usage_id`` in course ``course_id``; :class:`OutlineError` 404 when it names no
    block of this course's outline."""
    try:
        usage = UsageKey.from_string(usage_id)
    except InvalidKeyError as error:
        raise OutlineError(f"'{usage_id}' is not a usage id.", 400, {"usage_id": "Not a usage id."}) from error
    if str(usage.course_key) != course_id:
        raise OutlineError(f"{usage_id} is not a block of {course_id}.", 404)
    return (usage.block_type, usage.block_id)


def _existing(structure: Structure, key: BlockKey, usage_id: str) -> None:
    if key not in structure.blocks:
        raise OutlineError(f"No block {usage_id} in this course.", 404)


def _parent(structure: Structure, key: BlockKey) -> BlockKey | None:
    for block in structure.blocks.values():
        if key in block.children:
            return block.key
    return None


def _check_version(structure: Structure, expected_version: str | None) -> None:
    if expected_version is not None and expected_version != structure.version:
        raise VersionConflict(structure.course_key, expected_version, structure.version)


def add_item(course_id: str, parent_usage_id: str, category: str, *, user_id: int | None,
             display_name: str | None = None, index: int | None = None,
             expected_version: str | None = None) -> tuple[str, str]:
    """Create a section, subsection or unit under its parent; returns (usage id, new draft version)."""
    if category not in OUTLINE_CATEGORIES:
        raise OutlineError(f"Category must be one of {', '.join(OUTLINE_CATEGORIES)}.", 400,
                           {"category": "Not an outline category."})
    draft = get_structure(course_id, DRAFT)
    parent = block_key(course_id, parent_usage_id)
    _existing(draft, parent, parent_usage_id)
    if CHILD_CATEGORY.get(parent[0]) != category:
        raise OutlineError(f"A {category} cannot go under a {parent[0]}.", 400, {"parent": "Wrong parent."})
    if index is not None and index < 0:
        raise OutlineError("The position must be 0 or more.", 400, {"index": "Must be 0 or more."})
    name = (display_name or "").strip() or NEW_NAMES[category]
    structure, key = create_block(course_id, parent, category, user_id=user_id, fields={"display_name": name},
                                  index=index, expected_version=expected_version)
    return str(CourseKey.from_string(course_id).make_usage_key(*key)), structure.version


def _date_value(name: str, value: Any) -> str | None:
    if value is None or value == "":
        return None
    parsed = parse_date(value) if isinstance(value, str) else None
    if parsed is None:
        raise OutlineError(f"'{value}' is not a date.", 400, {name: "Not a date (use YYYY-MM-DDTHH:MM, UTC)."})
    return parsed.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def update_item(course_id: str, usage_id: str, changes: dict[str, Any], *, user_id: int | None,
                expected_version: str | None = None) -> str:
    """Change an item's settings (display name, release and due dates, graded-as type, staff-only,
    hide-from-outline); ``None`` clears a date or the assignment type. Returns the new draft version.

    The due date is checked against the release date of the draft the change is saved on (without
    ``expected_version``, another author's save in between is read again)."""
    return on_latest_draft(lambda: _update_item(course_id, usage_id, changes, user_id=user_id,
                                                expected_version=expected_version),
                           expected_version=expected_version)


def _update_item(course_id: str, usage_id: str, changes: dict[str, Any], *, user_id: int | None,
                 expected_version: str | None) -> str:
    draft = get_structure(course_id, DRAFT)
    key = block_key(course_id, usage_id)
    _existing(draft, key, usage_id)
    allowed = EDITABLE.get(key[0], set())
    wrong = sorted(set(changes) - allowed)
    if wrong:
        raise OutlineError(f"A {key[0]} has no setting {', '.join(wrong)} here.", 400,
                           dict.fromkeys(wrong, "Not a setting of this item."))
    if not changes:
        raise OutlineError("Nothing to change.", 400)
    fields: dict[str, Any] = {}
    remove: list[str] = []
    for name, value in changes.items():
        if name == "display_name":
            text = str(value or "").strip()
            if not text:
                raise OutlineError("The name cannot be empty.", 400, {"display_name": "The name cannot be empty."})
            if len(text) > 255:
                raise OutlineError("The name is at most 255 characters.", 400,
                                   {"display_name": "At most 255 characters."})
            fields[name] = text
        elif name in ("start", "due"):
            date = _date_value(name, value)
            if date is None:
                remove.append(name)
            else:
                fields[name] = date
        elif name == "format":
            text = str(value or "").strip()
            if not text:
                remove.append("format")
                fields["graded"] = False
            else:
                types = [str(g.get("type")) for g in grading_policy_of(draft).get("GRADER", []) if isinstance(g, dict)]
                if text not in types:
                    raise OutlineError(f"'{text}' is not an assignment type of this course's grading policy.", 400,
                                       {"format": f"One of: {', '.join(types)}."})
                fields["format"] = text
                fields["graded"] = True
        else:  # the flags
            if not isinstance(value, bool):
                raise OutlineError(f"{name} must be true or false.", 400, {name: "Must be true or false."})
            if value:
                fields[name] = True
            else:
                remove.append(name)
    start = parse_date(fields.get("start", draft.blocks[key].fields.get("start")))
    due = parse_date(fields.get("due", None if "due" in remove else draft.blocks[key].fields.get("due")))
    if start is not None and due is not None and due < start:
        raise OutlineError("The due date cannot be before the release date.", 400,
                           {"due": "The due date cannot be before the release date."})
    structure = update_fields(course_id, key, fields, user_id=user_id, remove=remove,
                              expected_version=expected_version or draft.version)
    return structure.version


def move_item(course_id: str, usage_id: str, parent_usage_id: str, *, user_id: int | None,
              index: int | None = None, expected_version: str | None = None) -> str:
    """Move an item under another parent of the right category (or elsewhere in its own), at ``index``
    (last by default). Returns the new draft version. The index counts the children of the draft the move
    is saved on (read again when another author's save lands first and the author sent no version)."""
    return on_latest_draft(lambda: _move_item(course_id, usage_id, parent_usage_id, user_id=user_id, index=index,
                                              expected_version=expected_version),
                           expected_version=expected_version)


def _move_item(course_id: str, usage_id: str, parent_usage_id: str, *, user_id: int | None,
               index: int | None, expected_version: str | None) -> str:
    draft = get_structure(course_id, DRAFT)
    _check_version(draft, expected_version)
    key = block_key(course_id, usage_id)
    _existing(draft, key, usage_id)
    parent = block_key(course_id, parent_usage_id)
    _existing(draft, parent, parent_usage_id)
    if key[0] not in OUTLINE_CATEGORIES or CHILD_CATEGORY.get(parent[0]) != key[0]:
        raise OutlineError(f"A {key[0]} cannot go under a {parent[0]}.", 400, {"parent": "Wrong parent."})
    if index is not None and index < 0:
        raise OutlineError("The position must be 0 or more.", 400, {"index": "Must be 0 or more."})
    old_parent = _parent(draft, key)
    if old_parent == parent and index is not None:
        # within one parent: the index counts the children without the moved one (as after removing it)
        children = [c for c in draft.blocks[parent].children if c != key]
        index = min(index, len(children))
    structure = move_block(course_id, key, parent, user_id=user_id, index=index,
                           expected_version=expected_version or draft.version)
    return structure.version


def reorder_items(course_id: str, parent_usage_id: str, children: list[str], *, user_id: int | None,
                  expected_version: str | None = None) -> str:
    """Put a parent's children in a new order (the same usage ids). Returns the new draft version."""
    draft = get_structure(course_id, DRAFT)
    parent = block_key(course_id, parent_usage_id)
    _existing(draft, parent, parent_usage_id)
    keys = [block_key(course_id, child) for child in children]
    try:
        structure = reorder_children(course_id, parent, keys, user_id=user_id,
                                     expected_version=expected_version)
    except InvalidEdit as error:
        raise OutlineError("The new order must list exactly the children of this item.", 400,
                           {"children": str(error)}) from error
    return structure.version


def duplicate_item(course_id: str, usage_id: str, *, user_id: int | None,
                   expected_version: str | None = None) -> tuple[str, str]:
    """Copy an item and everything below it, right after it; returns (the copy's usage id, new version)."""
    draft = get_structure(course_id, DRAFT)
    key = block_key(course_id, usage_id)
    _existing(draft, key, usage_id)
    if key[0] not in OUTLINE_CATEGORIES:
        raise OutlineError("Only sections, subsections and units are duplicated here.", 400)
    structure, copy_key = duplicate_block(course_id, key, user_id=user_id,
                                          expected_version=expected_version)
    block = structure.blocks[copy_key]
    name = block.fields.get("display_name")
    if isinstance(name, str) and name:  # Open edX names the copy "Duplicate of '<name>'"
        structure = update_fields(course_id, copy_key, {"display_name": f"Duplicate of '{name}'"[:255]},
                                  user_id=user_id, expected_version=structure.version)
    return str(CourseKey.from_string(course_id).make_usage_key(*copy_key)), structure.version


def delete_item(course_id: str, usage_id: str, *, user_id: int | None, expected_version: str | None = None) -> str:
    """Delete an item and everything below it. Returns the new draft version."""
    draft = get_structure(course_id, DRAFT)
    key = block_key(course_id, usage_id)
    _existing(draft, key, usage_id)
    if key[0] not in OUTLINE_CATEGORIES:
        raise OutlineError("Only sections, subsections and units are deleted here.", 400)
    try:
        structure = delete_block(course_id, key, user_id=user_id, expected_version=expected_version)
    except BlockNotFound as error:
        raise OutlineError(str(error), 404) from error
    return structure.version


def publish_course(course_id: str, *, user_id: int | None, expected_version: str | None = None) -> str:
    """Publish the whole draft (Open edX's "Publish" of the course's changes); returns the version."""
    draft = get_structure(course_id, DRAFT)
    _check_version(draft, expected_version)
    return publish(course_id, user_id=user_id, expected_version=expected_version or draft.version)


def publish_item(course_id: str, usage_id: str, *, user_id: int | None,
                 expected_version: str | None = None) -> tuple[str, str]:
    """Publish one section, subsection or unit with everything below it (Open edX's per-item "Publish"):
    other draft changes stay unpublished. Returns ``(published version, new draft version)``."""
    draft = get_structure(course_id, DRAFT)
    _check_version(draft, expected_version)
    key = block_key(course_id, usage_id)
    _existing(draft, key, usage_id)
    if key[0] not in OUTLINE_CATEGORIES:
        raise OutlineError("Only sections, subsections and units are published here.", 400)
    return publish_block(course_id, key, user_id=user_id, expected_version=expected_version or draft.version)


def discard_course_changes(course_id: str, *, user_id: int | None, expected_version: str | None = None) -> str:
    """Drop the draft's changes since the last publish; returns the new draft version."""
    draft = get_structure(course_id, DRAFT)
    _check_version(draft, expected_version)
    if content_store().get_course_index(course_id).published_version is None:
        raise OutlineError("This course was never published: there are no published contents to go back to.", 409)
    return discard_changes(course_id, user_id=user_id, expected_version=expected_version or draft.version).version


def discard_item_changes(course_id: str, usage_id: str, *, user_id: int | None,
                         expected_version: str | None = None) -> str:
    """Take one section, subsection or unit back to its published version with everything below it (Open
    edX's "Discard changes" of a unit); other draft changes stay. Returns the new draft version."""
    draft = get_structure(course_id, DRAFT)
    _check_version(draft, expected_version)
    key = block_key(course_id, usage_id)
    _existing(draft, key, usage_id)
    if key[0] not in OUTLINE_CATEGORIES:
        raise OutlineError("Only the changes of sections, subsections and units are discarded here.", 400)
    published = content_store().get_branch(course_id, PUBLISHED)
    if published is None or key not in published.blocks:
        raise OutlineError("This item was never published: there is no published version to go back to. "
                           "Delete it instead.", 409)
    return discard_block(course_id, key, user_id=user_id, expected_version=expected_version or draft.version).version


__all__ = [
    "LIVE", "NEVER_PUBLISHED", "READY", "STAFF_ONLY", "STATE_LABELS", "UNPUBLISHED_CHANGES", "Outline",
    "OutlineError", "OutlineItem", "add_item", "block_key", "course_outline", "delete_item", "discard_course_changes",
    "discard_item_changes", "duplicate_item", "move_item", "publish_course", "publish_item", "reorder_items",
    "update_item",
]
