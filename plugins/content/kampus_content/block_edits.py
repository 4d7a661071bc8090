"""Edits of a course's blocks: create, update fields, move, reorder, duplicate, delete.

Every edit reads the course's draft, changes a copy of its blocks and saves
the copy as **one** new draft version through the store, so that:

* the draft only moves by compare-and-set: an edit based on ``expected_version``
  (the draft the author saw; the current draft when omitted) raises
  :class:`~kampus_content.store.VersionConflict` when the draft moved, and
  nothing is written;
* ``kampus_content_changed`` is called once, after the version is committed
  (the store does it, for every driver);
* a bad edit (an unknown block, a block moved under itself, a reorder that is
  not a permutation) raises before anything is written: :class:`BlockNotFound`
  or :class:`InvalidEdit`.
"""

from __future__ import annotations

import random
import time
import uuid
from collections.abc import Callable, Iterable, Mapping
from typing import Any, TypeVar

from kampus_content.store import (
    DRAFT,
    Block,
    BlockKey,
    ContentStore,
    ContentStoreError,
    CourseNotFound,
    Structure,
    VersionConflict,
    content_store,
)
from kampus_content.store.interface import walk_blocks


class BlockNotFound(ContentStoreError, LookupError):
    """No block with that key in the course's draft."""


class InvalidEdit(ContentStoreError, ValueError):
    """The edit makes no sense for this course (e.g. a block moved under itself)."""


Edit = Callable[[dict[BlockKey, Block], Structure], Any]
T = TypeVar("T")


def draft(course_id: str, store: ContentStore | None = None) -> Structure:
    """The course's draft structure. Raises :class:`CourseNotFound`."""
    structure = (store or content_store()).get_branch(course_id, DRAFT)
    if structure is None:  # every course has a draft; a store answering None is broken
        raise CourseNotFound(f"no draft of {course_id}")
    return structure


def apply_edit(
    course_id: str,
    edit: Edit,
    *,
    user_id: int | None,
    message: str,
    expected_version: str | None = None,
    store: ContentStore | None = None,
) -> tuple[Structure, Any]:
    """Apply ``edit(blocks, structure)`` to a copy of the draft and save it as one new version.

    Returns the new structure and what ``edit`` returned. Without ``expected_version`` the edit applies to
    the latest draft (the last writer wins): when another edit lands between reading the draft and saving,
    ``edit`` runs again on top of it (up to :data:`EDIT_ATTEMPTS` times, after a short random wait) instead of
    raising a conflict.
    """
    store = store or content_store()

    def attempt() -> tuple[Structure, Any]:
        current = draft(course_id, store)
        if expected_version is not None and expected_version != current.version:
            raise VersionConflict(course_id, expected_version, current.version)
        blocks = current.edit()
        result = edit(blocks, current)
        saved = store.save_draft(course_id, blocks.values(), current.root, expected_version=current.version,
                                 user_id=user_id, message=message)
        return saved, result

    return on_latest_draft(attempt, expected_version=expected_version)


def on_latest_draft(run: Callable[[], T], *, expected_version: str | None) -> T:
    """Run ``run`` once when the author sent ``expected_version``; without one, run it again (up to
    :data:`EDIT_ATTEMPTS` times, after a short random wait) when it raises
    :class:`~kampus_content.store.VersionConflict` because another edit landed first.

    ``run`` reads the draft, computes its change from what it read and saves the change pinned to that
    draft's version (``expected_version or structure.version``): a change computed from a draft is never
    written on top of a newer one (the other author's save would be lost), it is computed again from the
    newer one.
    """
    attempts = 1 if expected_version is not None else EDIT_ATTEMPTS
    for attempt in range(attempts):
        try:
            return run()
        except VersionConflict:
            if attempt == attempts - 1:
                raise
            # a short random wait that grows with each try, so that several edits at once (an uploader
            # sends files in parallel) do not keep colliding
            time.sleep(random.uniform(0, 0.01 * 2 ** min(attempt, 5)))
    raise AssertionError("unreachable")


#: How many times an edit without an expected version is tried when other edits keep landing first.
EDIT_ATTEMPTS = 8


def _block(blocks: Mapping[BlockKey, Block], key: BlockKey, course_id: str) -> Block:
    block = blocks.get(tuple(key))  # type: ignore[arg-type]
    if block is None:
        raise BlockNotFound(f"no block {key[0]}/{key[1]} in {course_id}")
    return block


def _parent_of(blocks: Mapping[BlockKey, Block], key: BlockKey) -> Block | None:
    for block in blocks.values():
        if key in block.children:
            return block
    return None


def _subtree(blocks: Mapping[BlockKey, Block], key: BlockKey) -> list[BlockKey]:
    """``key`` and every block below it, depth first."""
    return [block.key for block in walk_blocks(blocks, key)]


def _insert(children: list[BlockKey], key: BlockKey, index: int | None) -> None:
    if index is None or index >= len(children):
        children.append(key)
    elif index < 0:
        raise InvalidEdit(f"position {index} is not a position among {len(children)} children")
    else:
        children.insert(index, key)


def new_block_id() -> str:
    """A fresh block id (32 hex digits, as Studio makes them)."""
    return uuid.uuid4().hex


def create_block(
    course_id: str,
    parent: BlockKey,
    block_type: str,
    *,
    user_id: int | None,
    block_id: str | None = None,
    fields: Mapping[str, Any] | None = None,
    index: int | None = None,
    expected_version: str | None = None,
) -> tuple[Structure, BlockKey]:
    """Add a new ``block_type`` block under ``parent`` (at ``index``, last by default)."""
    if not block_type or "/" in block_type:
        raise InvalidEdit(f"{block_type!r} is not a block type")
    key: BlockKey = (block_type, block_id or new_block_id())

    def edit(blocks: dict[BlockKey, Block], _structure: Structure) -> BlockKey:
        parent_block = _block(blocks, parent, course_id)
        if key in blocks:
            raise InvalidEdit(f"a block {key[0]}/{key[1]} exists already in {course_id}")
        blocks[key] = Block(key[0], key[1], dict(fields or {}))
        _insert(parent_block.children, key, index)
        return key

    return apply_edit(course_id, edit, user_id=user_id, expected_version=expected_version,
                      message=f"create {key[0]}/{key[1]}")


def update_fields(
    course_id: str,
    key: BlockKey,
    fields: Mapping[str, Any],
    *,
    user_id: int | None,
    remove: Iterable[str] = (),
    expected_version: str | None = None,
) -> Structure:
    """Set ``fields`` (JSON values) on a block and remove the fields named in ``remove``."""
    names = list(remove)

    def edit(blocks: dict[BlockKey, Block], _structure: Structure) -> None:
        block = _block(blocks, key, course_id)
        block.fields.update(fields)
        for name in names:
            block.fields.pop(name, None)

    structure, _ = apply_edit(course_id, edit, user_id=user_id, expected_version=expected_version,
                              message=f"edit {key[0]}/{key[1]}")
    return structure


def move_block(
    course_id: str,
    key: BlockKey,
    new_parent: BlockKey,
    *,
    user_id: int | None,
    index: int | None = None,
    expected_version: str | None = None,
) -> Structure:
    """Move a block (with its subtree) under ``new_parent``, at ``index`` (last by default)."""
    key, new_parent = tuple(key), tuple(new_parent)  # type: ignore[assignment]

    def edit(blocks: dict[BlockKey, Block], structure: Structure) -> None:
        _block(blocks, key, course_id)
        target = _block(blocks, new_parent, course_id)
        if key == structure.root:
            raise InvalidEdit("the course itself cannot be moved")
        if new_parent in _subtree(blocks, key):
            raise InvalidEdit(f"{key[0]}/{key[1]} cannot move under itself")
        old_parent = _parent_of(blocks, key)
        if old_parent is not None:
            old_parent.children.remove(key)
        _insert(target.children, key, index)

    structure, _ = apply_edit(course_id, edit, user_id=user_id, expected_version=expected_version,
                              message=f"move {key[0]}/{key[1]} to {new_parent[0]}/{new_parent[1]}")
    return structure


def reorder_children(
    course_id: str,
    parent: BlockKey,
    children: list[BlockKey],
    *,
    user_id: int | None,
    expected_version: str | None = None,
) -> Structure:
    """Put the children of ``parent`` in the order ``children`` (the same children, reordered)."""
    order = [tuple(child) for child in children]

    def edit(blocks: dict[BlockKey, Block], _structure: Structure) -> None:
        block = _block(blocks, parent, course_id)
        if sorted(order) != sorted(block.children):
            raise InvalidEdit(f"the new order must list exactly the children of {parent[0]}/{parent[1]}")
        block.children = order  # type: ignore[assignment]

    structure, _ = apply_edit(course_id, edit, user_id=user_id, expected_version=expected_version,
                              message=f"reorder {parent[0]}/{parent[1]}")
    return structure


def duplicate_block(
    course_id: str,
    key: BlockKey,
    *,
    user_id: int | None,
    parent: BlockKey | None = None,
    expected_version: str | None = None,
) -> tuple[Structure, BlockKey]:
    """Copy a block and its subtree with new ids; the copy goes right after the original
    (or last under ``parent``). Returns the new structure and the copy's key."""
    key = tuple(key)  # type: ignore[assignment]

    def edit(blocks: dict[BlockKey, Block], structure: Structure) -> BlockKey:
        _block(blocks, key, course_id)
        if key == structure.root:
            raise InvalidEdit("the course itself cannot be duplicated")
        target = _block(blocks, parent, course_id) if parent is not None else _parent_of(blocks, key)
        if target is None:
            raise InvalidEdit(f"{key[0]}/{key[1]} has no parent to hold a copy")
        subtree = _subtree(blocks, key)
        if target.key in subtree:
            raise InvalidEdit(f"a copy of {key[0]}/{key[1]} cannot go under itself")
        new_keys = {old: (old[0], new_block_id()) for old in subtree}
        for old, new in new_keys.items():
            source = blocks[old]
            copy = Block(new[0], new[1], dict(source.fields), [new_keys.get(c, c) for c in source.children],
                         dict(source.meta))
            copy.meta.pop("generated_id", None)
            blocks[new] = copy
        position = target.children.index(key) + 1 if parent is None else None
        _insert(target.children, new_keys[key], position)
        return new_keys[key]

    return apply_edit(course_id, edit, user_id=user_id, expected_version=expected_version,
                      message=f"duplicate {key[0]}/{key[1]}")


def delete_block(
    course_id: str,
    key: BlockKey,
    *,
    user_id: int | None,
    expected_version: str | None = None,
) -> Structure:
    """Remove a block and its subtree (blocks of the subtree still used elsewhere stay)."""
    key = tuple(key)  # type: ignore[assignment]

    def edit(blocks: dict[BlockKey, Block], structure: Structure) -> None:
        _block(blocks, key, course_id)
        if key == structure.root:
            raise InvalidEdit("the course itself cannot be deleted this way (delete the course)")
        for block in blocks.values():
            if key in block.children:
                block.children.remove(key)
        removed = set(_subtree(blocks, key))
        still_used = {child for k, block in blocks.items() if k not in removed for child in block.children}
        for gone in removed - still_used:
            del blocks[gone]

    structure, _ = apply_edit(course_id, edit, user_id=user_id, expected_version=expected_version,
                              message=f"delete {key[0]}/{key[1]}")
    return structure
