"""Course-level draft edits: the course block's settings and the course's own files, in one version.

Studio's settings pages change what Open edX keeps on the course block (policy
keys: ``start``, ``grading_policy``, ``tabs``, ``certificates``, ...) together
with the files an OLX course carries beside its blocks: ``about/*.html`` (the
about page), ``info/*`` (course updates and handouts) and ``tabs/*.html``
(custom pages). :func:`edit_course` writes both as **one** new draft version
(compare-and-set on ``expected_version``, one ``kampus_content_changed``), so a
page save is never half written. File bytes go to the blob store under their
content address (like an import's files), and older versions keep naming
theirs, so history and revert work on them as on blocks.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from kampus.current import current_kampus
from kampus_content.block_edits import InvalidEdit, apply_edit
from kampus_content.olx.safety import UnsafeInput, safe_relative
from kampus_content.olx.service import blob_key
from kampus_content.store import Block, BlockKey, Structure

#: The folders of course files :func:`edit_course` may write (Open edX's about, course info and static tab files).
COURSE_FILE_FOLDERS = ("about/", "info/", "tabs/")


def _checked_file_path(path: str) -> str:
    try:
        relative = safe_relative(path)
    except UnsafeInput:
        raise InvalidEdit(f"{path!r} is not a path inside the course") from None
    if relative != path or not relative.startswith(COURSE_FILE_FOLDERS) or relative.endswith("/"):
        raise InvalidEdit(f"{path!r} is not a file of {', '.join(COURSE_FILE_FOLDERS)}")
    return relative


def _content_type(path: str) -> str:
    if path.endswith(".json"):
        return "application/json"
    return "text/html; charset=utf-8" if path.endswith(".html") else "application/octet-stream"


def edit_course(
    course_id: str,
    *,
    user_id: int | None,
    fields: Mapping[str, Any] | None = None,
    remove: Iterable[str] = (),
    files: Mapping[str, bytes | None] | None = None,
    expected_version: str | None = None,
    message: str = "edit course settings",
) -> Structure:
    """Set ``fields`` (JSON values) on the course block, remove the fields named in ``remove``, and write
    (bytes) or delete (``None``) the course ``files`` (paths under ``about/``, ``info/``, ``tabs/``), as one
    new draft version. Raises :class:`InvalidEdit` for a path outside those folders (nothing written) and
    :class:`~kampus_content.store.VersionConflict` when the draft moved past ``expected_version``."""
    checked = {_checked_file_path(path): data for path, data in (files or {}).items()}
    names = list(remove)
    keys: dict[str, str | None] = {}
    blobs = current_kampus().blob_store
    for path, data in checked.items():
        if data is None:
            keys[path] = None
            continue
        key = blob_key(bytes(data))
        if not blobs.exists(key):
            blobs.put(key, bytes(data), _content_type(path))
        keys[path] = key

    def edit(blocks: dict[BlockKey, Block], structure: Structure) -> None:
        root = blocks[structure.root]
        root.fields.update(dict(fields or {}))
        for name in names:
            root.fields.pop(name, None)
        if keys:
            kept = root.meta.setdefault("files", {})
            for path, key in keys.items():
                if key is None:
                    kept.pop(path, None)
                else:
                    kept[path] = key

    structure, _ = apply_edit(course_id, edit, user_id=user_id, expected_version=expected_version, message=message)
    return structure


__all__ = ["COURSE_FILE_FOLDERS", "edit_course"]
