"""The content-store driver interface (entry points ``kampus.content_store``).

The store is versioned like Open edX's split modulestore:

* a **structure** is an immutable snapshot of a course's block tree (every
  block's type, id, fields and children), identified by a version id;
* the **course index** points its ``draft`` and ``published`` branches at
  structure versions; saving the draft writes a new structure and moves the
  draft pointer, publishing moves the published pointer to the draft's version;
* history follows each structure's ``previous_version``; reverting writes a new
  draft structure equal to an old one, so history only grows;
* a writer names the draft version it started from; when the draft moved in the
  meantime the save fails with :class:`VersionConflict` and nothing is written.

Drivers: ``sql`` (kampus-content, the default) and ``mongo`` (kampus-mongo).
Both pass :mod:`kampus_content.testing.contract`.
"""

from __future__ import annotations

import abc
import copy
import uuid
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from flask import g, has_app_context, has_request_context

from kampus import current_kampus

DRAFT = "draft"
PUBLISHED = "published"
BRANCHES = (DRAFT, PUBLISHED)

#: A block's key within a structure: (block type, block id).
BlockKey = tuple[str, str]


class ContentStoreError(Exception):
    """Base class of content-store errors."""


class CourseNotFound(ContentStoreError):
    """No course with that key."""


class CourseExists(ContentStoreError):
    """A course with that key exists already."""


class VersionNotFound(ContentStoreError):
    """No structure with that version id in this course."""


class VersionConflict(ContentStoreError):
    """The draft moved since the writer read it: reload and redo the edit."""

    def __init__(self, course_key: str, expected: str | None, actual: str | None):
        super().__init__(
            f"the draft of {course_key} changed (now at version {actual}, the edit was based on {expected}); "
            "reload the course and make the change again"
        )
        self.course_key = course_key
        self.expected = expected
        self.actual = actual


def new_version_id() -> str:
    """A fresh structure version id (32 hex digits, like a MongoDB-free ObjectId)."""
    return uuid.uuid4().hex


@dataclass
class Block:
    """One block of a structure.

    ``fields`` holds the block's content- and settings-scope field values by
    field name, in JSON form. Values imported from OLX attributes are kept as
    the strings written there (the runtime converts them with the XBlock
    field's ``from_string``); values from ``policy.json`` keep their JSON type.
    ``meta`` holds what OLX export needs and no XBlock sees: which fields were
    attributes and in which order, which came from the policy file, the raw XML
    of blocks no installed XBlock understands, file names.
    """

    type: str
    id: str
    fields: dict[str, Any] = field(default_factory=dict)
    children: list[BlockKey] = field(default_factory=list)
    meta: dict[str, Any] = field(default_factory=dict)

    @property
    def key(self) -> BlockKey:
        return (self.type, self.id)

    def to_json(self) -> dict[str, Any]:
        data = {"type": self.type, "id": self.id, "fields": self.fields, "children": [list(c) for c in self.children]}
        if self.meta:
            data["meta"] = self.meta
        return data

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> Block:
        return cls(
            data["type"], data["id"], data.get("fields") or {}, [tuple(c) for c in data.get("children") or ()],
            data.get("meta") or {},
        )


def walk_blocks(blocks: Mapping[BlockKey, Block], start: BlockKey) -> Iterator[Block]:
    """The blocks reachable from ``start`` in ``blocks`` (a structure's, or a copy being edited), depth
    first, in order; each once, missing children skipped."""
    stack = [start]
    seen: set[BlockKey] = set()
    while stack:
        key = stack.pop()
        if key in seen:
            continue
        seen.add(key)
        block = blocks.get(key)
        if block is None:
            continue
        yield block
        stack.extend(reversed(block.children))


@dataclass(frozen=True)
class Structure:
    """An immutable snapshot of a course's blocks. Do not mutate ``blocks``:
    copy with :meth:`edit` and save the copy."""

    version: str
    course_key: str
    root: BlockKey
    blocks: dict[BlockKey, Block]
    previous_version: str | None = None
    edited_by: int | None = None
    edited_at: datetime | None = None
    message: str = ""

    def get(self, key: BlockKey) -> Block | None:
        return self.blocks.get(key)

    def walk(self, start: BlockKey | None = None) -> Iterator[Block]:
        """Blocks reachable from ``start`` (the root by default), depth first, in order."""
        return walk_blocks(self.blocks, start or self.root)

    def parents(self) -> dict[BlockKey, BlockKey]:
        """Each child's parent."""
        return {child: block.key for block in self.blocks.values() for child in block.children}

    def edit(self) -> dict[BlockKey, Block]:
        """A deep-enough copy of the blocks to change and pass to ``save_draft``."""
        return {
            key: Block(block.type, block.id, copy.deepcopy(block.fields), list(block.children),
                       copy.deepcopy(block.meta))
            for key, block in self.blocks.items()
        }

    def to_document(self) -> dict[str, Any]:
        """The JSON document stored for this structure."""
        return {
            "root": list(self.root),
            "blocks": [block.to_json() for block in self.blocks.values()],
        }


@dataclass(frozen=True)
class CourseIndex:
    """Where the branches of a course point."""

    course_key: str
    org: str
    course: str
    run: str
    versions: dict[str, str | None]
    created_by: int | None = None
    created_at: datetime | None = None
    edited_by: int | None = None
    edited_at: datetime | None = None

    @property
    def draft_version(self) -> str:
        return self.versions[DRAFT]  # type: ignore[return-value]

    @property
    def published_version(self) -> str | None:
        return self.versions.get(PUBLISHED)


@dataclass(frozen=True)
class VersionInfo:
    """One entry of a course's history."""

    version: str
    previous_version: str | None
    edited_by: int | None
    edited_at: datetime | None
    message: str
    published: bool = False


class ContentStore(abc.ABC):
    """The interface every content-store driver implements. Built with the app's settings.

    The public writing operations (:meth:`create_course`, :meth:`save_draft`,
    :meth:`publish`, :meth:`discard_draft`, :meth:`revert`, :meth:`rerun`,
    :meth:`delete_course`) live here, once for every driver: each calls the
    driver's primitive (``_create_course``, ``_save_draft``, ``_publish``,
    ``_delete_course``), which commits or raises, and only then calls the
    content life-cycle hook of the app, once: ``kampus_content_changed`` when
    the draft moved, ``kampus_content_published``, ``kampus_content_deleted``.
    A failed or conflicting operation raises before any hook is called. Hooks
    are called when the store is used inside an app context (requests, tasks,
    CLI commands); a bare driver in a contract test calls none.
    """

    # -- the driver's primitives -------------------------------------------------------------------------------

    @abc.abstractmethod
    def _create_course(
        self, course_key: str, blocks: list[Block], root: BlockKey, *, user_id: int | None, message: str
    ) -> CourseIndex:
        """Write the course and its first draft structure, committed. Raises :class:`CourseExists`."""

    @abc.abstractmethod
    def _save_draft(
        self, course_key: str, blocks: list[Block], root: BlockKey, *, expected_version: str,
        user_id: int | None, message: str,
    ) -> Structure:
        """Write a new draft structure with a compare-and-set on the draft pointer, committed.

        Raises :class:`VersionConflict` (nothing written) or :class:`CourseNotFound`.
        """

    @abc.abstractmethod
    def _publish(self, course_key: str, *, user_id: int | None, expected_version: str | None) -> str:
        """Point the published branch at the draft's version, committed; returns it."""

    @abc.abstractmethod
    def _delete_course(self, course_key: str) -> None:
        """Delete the course, its index and every structure, committed. Raises :class:`CourseNotFound`."""

    # -- reading -------------------------------------------------------------------------------------------------

    @abc.abstractmethod
    def get_course_index(self, course_key: str) -> CourseIndex:
        """The course's index. Raises :class:`CourseNotFound`."""

    @abc.abstractmethod
    def list_courses(self) -> list[CourseIndex]:
        """Every course, sorted by key."""

    @abc.abstractmethod
    def get_structure(self, course_key: str, version: str) -> Structure:
        """The structure ``version`` of the course. Raises :class:`VersionNotFound`."""

    def get_branch(self, course_key: str, branch: str = PUBLISHED) -> Structure | None:
        """The structure a branch points at (``None`` for a never-published course)."""
        version = self.request_course_index(course_key).versions.get(branch)
        return None if version is None else self.get_structure(course_key, version)

    def request_course_index(self, course_key: str) -> CourseIndex:
        """:meth:`get_course_index`, read once per request (``flask.g``; every write of this store in the
        request forgets the course's entry): a page asks for a course's branches as often as it likes."""
        if not has_request_context():
            return self.get_course_index(course_key)
        cache = g.setdefault("_kampus_content_course_index", {})
        key = (id(self), course_key)
        if key not in cache:
            cache[key] = self.get_course_index(course_key)
        return cache[key]  # type: ignore[no-any-return]

    @abc.abstractmethod
    def history(self, course_key: str, limit: int = 100) -> list[VersionInfo]:
        """The draft's versions, newest first, marking those that were published."""

    # -- writing (one implementation for every driver, with the life-cycle hooks) -------------------------------

    def create_course(
        self, course_key: str, blocks: Iterable[Block], root: BlockKey, *, user_id: int | None, message: str = ""
    ) -> CourseIndex:
        """Create a course whose draft is the given blocks. Raises :class:`CourseExists`."""
        index = self._create_course(course_key, list(blocks), tuple(root), user_id=user_id, message=message)
        self._call_hook("kampus_content_changed", course_id=course_key, version=index.draft_version,
                        user_id=user_id)
        return index

    def save_draft(
        self,
        course_key: str,
        blocks: Iterable[Block],
        root: BlockKey,
        *,
        expected_version: str,
        user_id: int | None,
        message: str = "",
    ) -> Structure:
        """Write a new draft structure based on ``expected_version``.

        Raises :class:`VersionConflict` when the draft is no longer at
        ``expected_version``; nothing is written then.
        """
        try:
            structure = self._save_draft(course_key, list(blocks), tuple(root), expected_version=expected_version,
                                         user_id=user_id, message=message[:500])
        except VersionConflict:
            # The request's cached index is stale: a retry in this request must read the new draft.
            if has_request_context():
                g.get("_kampus_content_course_index", {}).pop((id(self), course_key), None)
            raise
        self._call_hook("kampus_content_changed", course_id=course_key, version=structure.version,
                        user_id=user_id)
        return structure

    def publish(self, course_key: str, *, user_id: int | None, expected_version: str | None = None) -> str:
        """Point the published branch at the draft's version; returns it.

        Raises :class:`VersionConflict` when ``expected_version`` is given and the draft is elsewhere.
        """
        version = self._publish(course_key, user_id=user_id, expected_version=expected_version)
        self._call_hook("kampus_content_published", course_id=course_key, version=version, user_id=user_id)
        return version

    def revert(self, course_key: str, version: str, *, user_id: int | None,
               expected_version: str | None = None) -> Structure:
        """Make a new draft equal to the old ``version`` (history keeps both)."""
        index = self.get_course_index(course_key)
        old = self.get_structure(course_key, version)
        return self.save_draft(
            course_key, old.edit().values(), old.root, expected_version=expected_version or index.draft_version,
            user_id=user_id, message=f"revert to {version}",
        )

    def discard_draft(self, course_key: str, *, user_id: int | None,
                      expected_version: str | None = None) -> Structure:
        """Make a new draft equal to the published version (the draft's changes are dropped, history keeps them).

        Raises :class:`VersionNotFound` when the course was never published.
        """
        index = self.get_course_index(course_key)
        if index.published_version is None:
            raise VersionNotFound(f"{course_key} was never published: there is nothing to go back to")
        published = self.get_structure(course_key, index.published_version)
        return self.save_draft(
            course_key, published.edit().values(), published.root,
            expected_version=expected_version or index.draft_version, user_id=user_id,
            message=f"discard changes since {index.published_version}",
        )

    def rerun(self, source_key: str, dest_key: str, *, user_id: int | None) -> CourseIndex:
        """Copy the source's draft into a new course (a new run); history starts afresh."""
        source = self.get_structure(source_key, self.get_course_index(source_key).draft_version)
        return self.create_course(
            dest_key, source.edit().values(), source.root, user_id=user_id, message=f"rerun of {source_key}"
        )

    def replace_course(
        self, course_key: str, published: Iterable[Block], root: BlockKey, *, user_id: int | None,
        draft: Iterable[Block] | None = None, message: str = "", draft_message: str = "",
        expected_version: str | None = None,
    ) -> tuple[str, str]:
        """Make ``published`` the course's new published version and ``draft`` (default: the same) its
        draft, creating the course when it does not exist (an OLX import). Returns ``(published, draft)``
        versions. Whatever the draft was is replaced, as Open edX's import does; history keeps it.
        With ``expected_version``, raises :class:`VersionConflict` (nothing written) when the draft is
        elsewhere. ``kampus_content_changed`` then ``kampus_content_published`` fire once each."""
        published_version, draft_version = self._replace_course(
            course_key, list(published), None if draft is None else list(draft), tuple(root), user_id=user_id,
            message=message[:500], draft_message=draft_message[:500], expected_version=expected_version)
        self._call_hook("kampus_content_changed", course_id=course_key, version=draft_version, user_id=user_id)
        self._call_hook("kampus_content_published", course_id=course_key, version=published_version,
                        user_id=user_id)
        return published_version, draft_version

    def _replace_course(
        self, course_key: str, published: list[Block], draft: list[Block] | None, root: BlockKey, *,
        user_id: int | None, message: str, draft_message: str, expected_version: str | None = None,
    ) -> tuple[str, str]:
        """:meth:`replace_course`'s writing, committed. Drivers that can should do it in one transaction
        (the SQL store does); this default uses the other primitives, one commit each."""
        try:
            index = self.get_course_index(course_key)
        except CourseNotFound:
            if expected_version is not None:
                raise
            version = self._create_course(course_key, published, root, user_id=user_id, message=message).draft_version
        else:
            version = self._save_draft(course_key, published, root,
                                       expected_version=expected_version or index.draft_version,
                                       user_id=user_id, message=message).version
        published_version = self._publish(course_key, user_id=user_id, expected_version=version)
        if draft is None:
            return published_version, published_version
        return published_version, self._save_draft(course_key, draft, root, expected_version=published_version,
                                                   user_id=user_id, message=draft_message).version

    def delete_course(self, course_key: str) -> None:
        """Delete the course, its index and every structure. Raises :class:`CourseNotFound`."""
        self._delete_course(course_key)
        self._call_hook("kampus_content_deleted", course_id=course_key)

    def _call_hook(self, name: str, **kwargs: Any) -> None:
        """Call the life-cycle hook ``name`` of the current app, once (nothing outside an app context).
        Every write calls it after changing the course index: the request's cached index is forgotten first."""
        if has_request_context() and "course_id" in kwargs:
            g.get("_kampus_content_course_index", {}).pop((id(self), kwargs["course_id"]), None)
        if has_app_context():
            getattr(current_kampus().hook, name)(**kwargs)
