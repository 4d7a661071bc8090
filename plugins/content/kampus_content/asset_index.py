"""A course's assets: the files of its ``static/`` folder, their names, their locks.

The index of a course's files is the ``files`` map of its root block's meta
(``"static/<path>"`` -> a content-addressed blob key), so every structure
version keeps the files it had; locks come from ``policies/assets.json``
(Open edX's asset policy, ``{"<name>": {"locked": true, ...}}``), itself one
of the course's files. Editing an asset (add, lock, unlock, delete) is one new
draft version, like any block edit; blobs are never deleted here, because older
versions (history, revert) may still name them.

Names follow Open edX's asset naming (``StaticContent.compute_location``): an
asset's name is its path under ``static/`` with ``/`` and every character an
asset key does not allow (spaces, ``+``, ...) replaced by ``_``. A course that
ships ``static/Brain green.png`` and refers to ``/static/Brain_green.png``
therefore finds its image, as it does on Open edX.
"""

from __future__ import annotations

import hashlib
import json
import mimetypes
import shutil
import tempfile
from collections.abc import Sequence
from dataclasses import dataclass
from typing import IO, Any

from opaque_keys.edx.locator import AssetLocator

from kampus import current_kampus
from kampus_content.block_edits import BlockNotFound, InvalidEdit, apply_edit
from kampus_content.olx.safety import UnsafeInput, safe_relative
from kampus_content.olx.service import BLOB_PREFIX, blob_key
from kampus_content.store import (
    DRAFT,
    Block,
    BlockKey,
    ContentStoreError,
    Structure,
    VersionNotFound,
    content_store,
)
from kampus_content.store.cache import app_version_cache

STATIC = "static/"
ASSET_POLICY = "policies/assets.json"


class AssetNotFound(ContentStoreError, LookupError):
    """No asset with that path or name in the course."""


@dataclass(frozen=True)
class Asset:
    """One file of a course's ``static/`` folder."""

    path: str  #: the path under ``static/``, as imported or added
    name: str  #: Open edX's asset name (``path`` normalised), also served at ``/assets/<course>/<name>``
    blob_key: str
    content_type: str
    locked: bool


def asset_name(path: str) -> str:
    """Open edX's asset name of a path under ``static/``: ``/`` and characters not allowed in asset keys -> ``_``."""
    return AssetLocator.clean_keeping_underscores(path.replace("/", "_"))


def course_files(structure: Structure) -> dict[str, str]:
    """The course's kept files: relative path -> blob key."""
    return dict(structure.blocks[structure.root].meta.get("files") or {})


def _read_policy(structure: Structure) -> dict[str, Any]:
    key = course_files(structure).get(ASSET_POLICY)
    if not key:
        return {}
    try:
        policy = json.loads(current_kampus().blob_store.get(key))
    except (ValueError, KeyError):
        return {}
    return {name: info for name, info in policy.items() if isinstance(info, dict)} if isinstance(policy, dict) else {}


def asset_policy(structure: Structure) -> dict[str, dict[str, Any]]:
    """The course's ``policies/assets.json`` (cached per structure version)."""
    return app_version_cache("asset_policy").get_or_compute(structure.version, lambda: _read_policy(structure))


def _names(structure: Structure) -> dict[str, str]:
    names: dict[str, str] = {}
    for relative in sorted(course_files(structure)):
        if relative.startswith(STATIC):
            names.setdefault(asset_name(relative[len(STATIC):]), relative)
    return names


def asset_names(structure: Structure) -> dict[str, str]:
    """Asset name -> ``static/<path>`` (cached per structure version; the first path wins a clash)."""
    return app_version_cache("asset_names").get_or_compute(structure.version, lambda: _names(structure))


def is_locked(structure: Structure, path: str) -> bool:
    """Whether the asset policy locks the asset at ``path`` (looked up by path and by asset name)."""
    policy = asset_policy(structure)
    info = policy.get(path) or policy.get(asset_name(path)) or {}
    return bool(info.get("locked"))


def find_asset(structure: Structure, path: str) -> Asset | None:
    """The asset a course refers to as ``/static/<path>``: by exact path, else by Open edX's asset name."""
    files = course_files(structure)
    relative = STATIC + path if STATIC + path in files else asset_names(structure).get(asset_name(path))
    if relative is None:
        return None
    stored = relative[len(STATIC):]
    return Asset(path=stored, name=asset_name(stored), blob_key=files[relative],
                 content_type=mimetypes.guess_type(stored)[0] or "application/octet-stream",
                 locked=is_locked(structure, stored))


def list_assets(course_id: str, branch: str = DRAFT) -> list[Asset]:
    """The course's assets on ``branch``, sorted by path.

    Raises :class:`CourseNotFound`, or :class:`VersionNotFound` when the branch has no version."""
    structure = content_store().get_branch(course_id, branch)
    if structure is None:
        raise VersionNotFound(f"{course_id} has no {branch} version")
    assets = []
    for relative in sorted(course_files(structure)):
        if relative.startswith(STATIC):
            asset = find_asset(structure, relative[len(STATIC):])
            if asset is not None:
                assets.append(asset)
    return assets


def _checked_path(path: str) -> str:
    try:
        relative = safe_relative(path)
    except UnsafeInput:
        raise ValueError(f"{path!r} is not a file name inside the course's static folder") from None
    if relative in (".", "") or relative.endswith("/"):
        raise ValueError(f"{path!r} is not a file name")
    return relative


def _root(blocks: dict[BlockKey, Block], structure: Structure) -> Block:
    return blocks[structure.root]


def _set_policy(blocks: dict[BlockKey, Block], structure: Structure, path: str, changes: dict[str, Any] | None) -> None:
    """Write a new ``policies/assets.json`` blob with the entry of ``path`` changed (removed when ``None``)."""
    policy = dict(asset_policy(structure))
    name = asset_name(path)
    policy.pop(path, None)
    entry = dict(policy.pop(name, {}))
    if changes is not None:
        entry.update(changes)
        policy[name] = entry
    data = (json.dumps(policy, indent=4, ensure_ascii=False, sort_keys=True) + "\n").encode("utf-8")
    key = blob_key(data)
    blobs = current_kampus().blob_store
    if not blobs.exists(key):
        blobs.put(key, data, "application/json")
    _root(blocks, structure).meta.setdefault("files", {})[ASSET_POLICY] = key


#: Streams are hashed and copied in chunks of this size; a stream that cannot seek back is spooled
#: to a temporary file (in memory up to the chunk size) first.
_CHUNK = 1024 * 1024


def _store_blob(data: bytes | IO[bytes], content_type: str) -> str:
    """Store ``data`` (bytes, or a binary stream read in chunks, never whole) under its content's hash."""
    blobs = current_kampus().blob_store
    if isinstance(data, bytes | bytearray | memoryview):
        payload = bytes(data)
        key = blob_key(payload)
        if not blobs.exists(key):
            blobs.put(key, payload, content_type)
        return key
    stream: Any = data
    spool = None
    if not (hasattr(stream, "seekable") and stream.seekable()):
        spool = tempfile.SpooledTemporaryFile(max_size=8 * _CHUNK)  # noqa: SIM115 - closed below
        shutil.copyfileobj(stream, spool, _CHUNK)
        spool.seek(0)
        stream = spool
    try:
        start = stream.tell()
        digest = hashlib.sha256()
        for chunk in iter(lambda: stream.read(_CHUNK), b""):
            digest.update(chunk)
        hexdigest = digest.hexdigest()
        key = f"{BLOB_PREFIX}/{hexdigest[:2]}/{hexdigest}"
        if not blobs.exists(key):
            stream.seek(start)
            blobs.put(key, stream, content_type)
        return key
    finally:
        if spool is not None:
            spool.close()


def _stored(files: Sequence[tuple[str, bytes | IO[bytes]]]) -> list[tuple[str, str, str]]:
    """Each file's checked path, blob key (stored in the blob store) and content type."""
    checked = [(_checked_path(path), data) for path, data in files]
    stored: list[tuple[str, str, str]] = []
    for relative, data in checked:
        content_type = mimetypes.guess_type(relative)[0] or "application/octet-stream"
        stored.append((relative, _store_blob(data, content_type), content_type))
    return stored


def _put_files(blocks: dict[BlockKey, Block], structure: Structure, stored: Sequence[tuple[str, str, str]],
               locked: bool) -> list[Asset]:
    """Name the ``stored`` files as ``static/<path>`` in the draft being edited (a replaced file keeps its lock)."""
    added = []
    for relative, key, content_type in stored:
        now_locked = locked or is_locked(structure, relative)
        _root(blocks, structure).meta.setdefault("files", {})[STATIC + relative] = key
        if now_locked:
            _set_policy(blocks, structure, relative, {"locked": True, "contentType": content_type,
                                                     "displayname": relative.rsplit("/", 1)[-1]})
        added.append(Asset(path=relative, name=asset_name(relative), blob_key=key, content_type=content_type,
                           locked=now_locked))
    return added


def _remove_file(blocks: dict[BlockKey, Block], structure: Structure, asset: Asset) -> None:
    """Drop ``asset``'s file (and its policy entry) from the edited course root."""
    del _root(blocks, structure).meta["files"][STATIC + asset.path]
    if asset.path in asset_policy(structure) or asset.name in asset_policy(structure):
        _set_policy(blocks, structure, asset.path, None)


def add_assets(
    course_id: str,
    files: Sequence[tuple[str, bytes | IO[bytes]]],
    *,
    user_id: int | None,
    locked: bool = False,
    expected_version: str | None = None,
) -> list[Asset]:
    """Add (or replace) the files ``static/<path>`` given as ``(path, bytes or binary stream)``, as one
    new draft version; returns them. Every name is checked before anything is stored (``ValueError``
    for a bad one). A replaced file keeps its lock; ``locked`` locks the new ones."""
    if not files:
        return []
    stored = _stored(files)

    def edit(blocks: dict[BlockKey, Block], structure: Structure) -> list[Asset]:
        return _put_files(blocks, structure, stored, locked)

    names = ", ".join(relative for relative, _key, _type in stored)
    message = f"add asset {names}" if len(stored) == 1 else f"add assets {names}"
    # Without an expected version the files go onto the latest draft (apply_edit tries again when
    # another edit landed between reading and saving it).
    _, added = apply_edit(course_id, edit, user_id=user_id, expected_version=expected_version, message=message[:500])
    return added


def add_asset(
    course_id: str,
    path: str,
    data: bytes | IO[bytes],
    *,
    user_id: int | None,
    locked: bool = False,
    expected_version: str | None = None,
) -> Asset:
    """Add (or replace) the file ``static/<path>`` (bytes, or a binary stream stored without reading it
    whole); returns it. Raises ``ValueError`` for a bad name. A replaced file keeps its lock."""
    return add_assets(course_id, [(path, data)], user_id=user_id, locked=locked,
                      expected_version=expected_version)[0]


def add_video_transcript(
    course_id: str,
    video: BlockKey,
    language: str,
    path: str,
    data: bytes,
    *,
    user_id: int | None,
    expected_version: str | None = None,
) -> Asset:
    """Add the transcript file ``static/<path>`` and make it the video block ``video``'s transcript in
    ``language`` (its ``transcripts`` field, language code to file name, as Open edX's), as one new draft
    version; returns the file. Raises ``ValueError`` for a bad name, :class:`BlockNotFound` when there is
    no such block and :class:`InvalidEdit` when it is not a video. The file's content is the caller's to check.

    The file it replaces for that language (an ``.srt`` replaced by an ``.sjson``) is removed in the same
    version, unless another video or language still names it."""
    if video[0] != "video":
        raise InvalidEdit(f"{video[0]}/{video[1]} is not a video")
    stored = _stored([(path, data)])

    def edit(blocks: dict[BlockKey, Block], structure: Structure) -> Asset:
        block = blocks.get(tuple(video))  # type: ignore[arg-type]
        if block is None:
            raise BlockNotFound(f"no block {video[0]}/{video[1]} in {course_id}")
        added = _put_files(blocks, structure, stored, False)[0]
        transcripts = block.fields.get("transcripts")
        transcripts = transcripts if isinstance(transcripts, dict) else {}
        previous = find_asset(structure, transcripts[language]) if isinstance(transcripts.get(language), str) \
            else None
        block.fields["transcripts"] = {**transcripts, language: added.path}
        if previous is not None and previous.path == transcripts[language] and previous.path != added.path \
                and not any(isinstance(other.fields.get("transcripts"), dict)
                            and previous.path in other.fields["transcripts"].values() for other in blocks.values()):
            _remove_file(blocks, structure, previous)
        return added

    _, added = apply_edit(course_id, edit, user_id=user_id, expected_version=expected_version,
                          message=f"add {language} transcript {stored[0][0]} to video {video[1]}"[:500])
    return added


def set_asset_locked(
    course_id: str, path: str, locked: bool, *, user_id: int | None, expected_version: str | None = None
) -> Asset:
    """Lock (only the course's users get it) or unlock an asset. Raises :class:`AssetNotFound` when there is none."""

    def edit(blocks: dict[BlockKey, Block], structure: Structure) -> Asset:
        asset = find_asset(structure, path)
        if asset is None:
            raise AssetNotFound(f"no asset {path!r} in {course_id}")
        _set_policy(blocks, structure, asset.path, {"locked": locked, "contentType": asset.content_type,
                                                   "displayname": asset.path.rsplit("/", 1)[-1]})
        return Asset(asset.path, asset.name, asset.blob_key, asset.content_type, locked)

    _, asset = apply_edit(course_id, edit, user_id=user_id, expected_version=expected_version,
                          message=f"{'lock' if locked else 'unlock'} asset {path}")
    return asset


def delete_asset(course_id: str, path: str, *, user_id: int | None, expected_version: str | None = None) -> None:
    """Remove an asset from the course's draft. Raises :class:`AssetNotFound` when there is none."""

    def edit(blocks: dict[BlockKey, Block], structure: Structure) -> None:
        asset = find_asset(structure, path)
        if asset is None:
            raise AssetNotFound(f"no asset {path!r} in {course_id}")
        _remove_file(blocks, structure, asset)

    apply_edit(course_id, edit, user_id=user_id, expected_version=expected_version, message=f"delete asset {path}")
