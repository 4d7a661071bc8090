"""What changed between two versions of a course: blocks added, removed, moved, reordered, and changed
fields, with a line diff (``difflib``) of text such as HTML and problem XML; and the course's files (about
pages, updates, policies, uploads: the root's ``files`` map) added, removed or changed, with a line diff of
small text files."""

from __future__ import annotations

import difflib
import json
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from kampus_content.api import BlockKey, Structure, usage_ids

#: Text fields longer than this, or holding several lines, are shown as a line diff.
INLINE_TEXT = 80
#: Course files up to this size (bytes) that are UTF-8 text get a line diff.
MAX_TEXT_FILE = 64 * 1024


@dataclass(frozen=True)
class BlockRef:
    """A block as the diff names it."""

    type: str
    id: str
    display_name: str
    usage_id: str


@dataclass(frozen=True)
class FieldChange:
    """One field of a block that differs; ``text_diff`` holds unified-diff lines for long text."""

    name: str
    old: Any
    new: Any
    text_diff: list[str] = field(default_factory=list)


@dataclass(frozen=True)
class BlockChange:
    block: BlockRef
    fields: list[FieldChange]


@dataclass(frozen=True)
class FileChange:
    """A course file (``about/overview.html``, ``static/logo.png``) ``added``, ``removed`` or ``changed``;
    ``text_diff`` holds unified-diff lines when both sides are small text files."""

    path: str
    change: str
    text_diff: list[str] = field(default_factory=list)


@dataclass(frozen=True)
class Move:
    block: BlockRef
    old_parent: BlockRef | None
    new_parent: BlockRef | None


@dataclass(frozen=True)
class StructureDiff:
    """The differences of ``new`` from ``old`` (block order: the new course's, then the old's)."""

    old_version: str
    new_version: str
    added: list[BlockRef]
    removed: list[BlockRef]
    moved: list[Move]
    reordered: list[BlockRef]
    changed: list[BlockChange]
    files: list[FileChange] = field(default_factory=list)

    @property
    def empty(self) -> bool:
        return not (self.added or self.removed or self.moved or self.reordered or self.changed or self.files)

    def to_json(self) -> dict[str, Any]:
        """The diff as the REST API answers it."""
        def ref(item: BlockRef | None) -> dict[str, str] | None:
            return None if item is None else {"type": item.type, "id": item.id, "display_name": item.display_name,
                                              "usage_id": item.usage_id}
        return {
            "old_version": self.old_version, "new_version": self.new_version,
            "added": [ref(b) for b in self.added], "removed": [ref(b) for b in self.removed],
            "moved": [{"block": ref(m.block), "old_parent": ref(m.old_parent), "new_parent": ref(m.new_parent)}
                      for m in self.moved],
            "reordered": [ref(b) for b in self.reordered],
            "changed": [{"block": ref(c.block), "fields": [
                {"name": f.name, "old": f.old, "new": f.new, "text_diff": f.text_diff} for f in c.fields]}
                for c in self.changed],
            "files": [{"path": f.path, "change": f.change, "text_diff": f.text_diff} for f in self.files],
        }


def _ref(structure: Structure, key: BlockKey, ids: dict[BlockKey, str]) -> BlockRef:
    block = structure.blocks[key]
    name = block.fields.get("display_name")
    return BlockRef(key[0], key[1], name if isinstance(name, str) and name else f"{key[0]} {key[1]}",
                    ids.get(key, ""))


def _text_diff(name: str, old: Any, new: Any) -> list[str]:
    if not isinstance(old, str | type(None)) or not isinstance(new, str | type(None)):
        return []
    old_text, new_text = old or "", new or ""
    if "\n" not in old_text + new_text and max(len(old_text), len(new_text)) <= INLINE_TEXT:
        return []
    return [line.rstrip("\n") for line in difflib.unified_diff(
        old_text.splitlines(), new_text.splitlines(), fromfile=f"{name} (before)", tofile=f"{name} (after)",
        lineterm="", n=2)]


def _shown(value: Any) -> Any:
    """A field value for display: JSON types as they are (``None`` when absent)."""
    try:
        json.dumps(value)
    except (TypeError, ValueError):
        return repr(value)
    return value


def _files_of(structure: Structure) -> dict[str, str]:
    root = structure.blocks.get(structure.root)
    files = root.meta.get("files") if root is not None else None
    return {str(k): str(v) for k, v in files.items()} if isinstance(files, dict) else {}


def _text_of(read_file: Callable[[str], bytes | None] | None, key: str) -> str | None:
    if read_file is None:
        return None
    try:
        data = read_file(key)
    except Exception:  # a missing blob: no line diff, the change is still listed
        return None
    if data is None or len(data) > MAX_TEXT_FILE or b"\x00" in data:
        return None
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        return None


def diff_files(old: Structure, new: Structure,
               read_file: Callable[[str], bytes | None] | None = None) -> list[FileChange]:
    """The course files added, removed or changed from ``old`` to ``new`` (by path), with a line diff of
    small text files when ``read_file`` (blob key -> bytes, ``None`` when too large) is given."""
    before, after = _files_of(old), _files_of(new)
    changes: list[FileChange] = []
    for path in sorted(set(before) | set(after)):
        if path not in before:
            changes.append(FileChange(path, "added"))
        elif path not in after:
            changes.append(FileChange(path, "removed"))
        elif before[path] != after[path]:
            old_text, new_text = _text_of(read_file, before[path]), _text_of(read_file, after[path])
            lines: list[str] = []
            if old_text is not None and new_text is not None:
                lines = [line.rstrip("\n") for line in difflib.unified_diff(
                    old_text.splitlines(), new_text.splitlines(), fromfile=f"{path} (before)",
                    tofile=f"{path} (after)", lineterm="", n=2)]
            changes.append(FileChange(path, "changed", lines))
    return changes


def diff_structures(old: Structure, new: Structure,
                    read_file: Callable[[str], bytes | None] | None = None) -> StructureDiff:
    """The differences between the reachable blocks of ``old`` and ``new``, and between their course files
    (``read_file``: see :func:`diff_files`)."""
    old_order = [block.key for block in old.walk()]
    new_order = [block.key for block in new.walk()]
    old_set, new_set = set(old_order), set(new_order)
    old_ids, new_ids = usage_ids(old), usage_ids(new)
    old_parents, new_parents = old.parents(), new.parents()
    added = [_ref(new, key, new_ids) for key in new_order if key not in old_set]
    removed = [_ref(old, key, old_ids) for key in old_order if key not in new_set]
    moved: list[Move] = []
    reordered: list[BlockRef] = []
    changed: list[BlockChange] = []
    for key in new_order:
        if key not in old_set:
            continue
        before, after = old.blocks[key], new.blocks[key]
        old_parent, new_parent = old_parents.get(key), new_parents.get(key)
        if old_parent != new_parent:
            moved.append(Move(_ref(new, key, new_ids),
                              _ref(old, old_parent, old_ids) if old_parent in old.blocks else None,
                              _ref(new, new_parent, new_ids) if new_parent in new.blocks else None))
        common = [child for child in after.children if child in set(before.children)]
        if common != [child for child in before.children if child in set(after.children)]:
            reordered.append(_ref(new, key, new_ids))
        if before.fields != after.fields:
            names = list(after.fields) + [name for name in before.fields if name not in after.fields]
            fields = [FieldChange(name, _shown(before.fields.get(name)), _shown(after.fields.get(name)),
                                  _text_diff(name, before.fields.get(name), after.fields.get(name)))
                      for name in names if before.fields.get(name) != after.fields.get(name)]
            changed.append(BlockChange(_ref(new, key, new_ids), fields))
    return StructureDiff(old.version, new.version, added, removed, moved, reordered, changed,
                         diff_files(old, new, read_file))
