"""The blob store driver family (``kampus.blob_store``): files by key.

A blob store keeps byte strings ("blobs") under keys that are relative POSIX
paths (``courses/course-v1:Org+Num+Run/static/a.pdf``). The interface is
:class:`BlobStore`; the kernel ships :class:`FilesystemBlobStore` (setting
``blob_store = "filesystem"``, folder ``blob_store_path``); an S3 driver lives
in a plugin. Every driver passes
:class:`kampus.testing.contracts.blob_store.BlobStoreContract`.

Rules every driver follows:

* keys are checked with :func:`check_key`: no absolute keys, no ``.`` or
  ``..`` segments, no empty segments (``a//b``, trailing ``/``), no
  backslashes, no NUL or other control characters, at most 1024 bytes;
  a bad key raises :class:`ValueError`;
* a missing key raises :class:`BlobNotFoundError` (a :class:`KeyError`) from
  :meth:`~BlobStore.open`, :meth:`~BlobStore.get` and :meth:`~BlobStore.info`;
  :meth:`~BlobStore.delete` of a missing key is not an error;
* a reader never sees half a blob: writes are atomic;
* :meth:`~BlobStore.list` yields keys in sorted order, matching the prefix as
  a plain string prefix (as S3 does): ``list("a/b")`` yields ``a/b.txt`` and
  ``a/bc/d``.
"""

from __future__ import annotations

import json
import mimetypes
import os
import posixpath
import shutil
import tempfile
from abc import ABC, abstractmethod
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import IO, Any, BinaryIO

DEFAULT_CONTENT_TYPE = "application/octet-stream"
MAX_KEY_BYTES = 1024
#: Names starting with this are the filesystem store's own (metadata, temporary files).
RESERVED_PREFIX = ".kampus-"
_COPY_CHUNK = 1024 * 1024


class BlobNotFoundError(KeyError):
    """No blob under this key."""

    def __str__(self) -> str:
        return f"no blob {self.args[0]!r}" if self.args else "no such blob"


@dataclass(frozen=True)
class BlobInfo:
    """What a store knows about one blob."""

    key: str
    size: int
    content_type: str
    modified: datetime


def check_key(key: str) -> str:
    """Return ``key`` if it is a valid blob key, else raise :class:`ValueError`."""
    if not isinstance(key, str):
        raise ValueError(f"blob key must be a string, not {type(key).__name__}")
    if not key:
        raise ValueError("blob key is empty")
    if len(key.encode("utf-8", "surrogatepass")) > MAX_KEY_BYTES:
        raise ValueError(f"blob key is longer than {MAX_KEY_BYTES} bytes")
    if "\\" in key:
        raise ValueError(f"blob key {key!r} contains a backslash")
    if any(ord(char) < 32 or ord(char) == 127 for char in key):
        raise ValueError(f"blob key {key!r} contains a NUL or control character")
    if key.startswith("/"):
        raise ValueError(f"blob key {key!r} is absolute")
    for segment in key.split("/"):
        if segment == "":
            raise ValueError(f"blob key {key!r} has an empty segment")
        if segment in (".", ".."):
            raise ValueError(f"blob key {key!r} has a {segment!r} segment")
    return key


def guess_content_type(key: str) -> str:
    """The content type of ``key`` guessed from its extension."""
    content_type, _encoding = mimetypes.guess_type(posixpath.basename(key), strict=False)
    return content_type or DEFAULT_CONTENT_TYPE


class BlobStore(ABC):
    """Interface of the ``kampus.blob_store`` drivers; built with the app's settings."""

    def __init__(self, settings: Any):
        self.settings = settings

    @abstractmethod
    def put(self, key: str, data: bytes | BinaryIO | IO[bytes], content_type: str | None = None) -> BlobInfo:
        """Store ``data`` (bytes, or a binary file object read to its end, streamed)
        under ``key``, replacing any blob there. ``content_type`` defaults to a
        guess from the key's extension."""

    @abstractmethod
    def open(self, key: str) -> IO[bytes]:
        """A binary stream of the blob (close it, or use ``with``)."""

    @abstractmethod
    def info(self, key: str) -> BlobInfo:
        """Size, content type and time of last change of the blob."""

    @abstractmethod
    def delete(self, key: str) -> bool:
        """Remove the blob; ``True`` if it existed."""

    @abstractmethod
    def list(self, prefix: str = "") -> Iterator[str]:
        """Keys starting with ``prefix`` (a plain string prefix), sorted."""

    def get(self, key: str) -> bytes:
        """The whole blob."""
        with self.open(key) as stream:
            return stream.read()

    def exists(self, key: str) -> bool:
        """Whether a blob is stored under ``key``."""
        try:
            self.info(key)
        except BlobNotFoundError:
            return False
        return True

    def size(self, key: str) -> int:
        """Size of the blob in bytes."""
        return self.info(key).size

    def url(self, key: str) -> str | None:
        """A URL where clients can fetch the blob directly, or ``None`` when the
        store has no public URLs (the app then serves the blob itself)."""
        check_key(key)
        return None

    def close(self) -> None:  # noqa: B027 - optional hook
        """Release connections; the default does nothing."""


def _as_bytes(data: Any) -> bytes | None:
    if isinstance(data, bytes | bytearray | memoryview):
        return bytes(data)
    if isinstance(data, str):
        raise TypeError("blob data must be bytes or a binary file object, not str")
    if not hasattr(data, "read"):
        raise TypeError(f"blob data must be bytes or a binary file object, not {type(data).__name__}")
    return None


class FilesystemBlobStore(BlobStore):
    """Blobs as files under ``settings.blob_store_path``.

    A key is the file's path relative to the folder. The content type given to
    :meth:`put` is kept in a sidecar JSON file under ``.kampus-meta/``; files
    without one (copied in by hand) get a guessed type. A write goes to a
    temporary file in the target's folder, then ``os.replace`` puts it in place.
    Keys whose segments start with ``.kampus-`` are reserved. A key cannot be
    both a blob and the folder of other blobs (``a`` and ``a/b``): that put
    raises :class:`ValueError`.
    """

    def __init__(self, settings: Any, root: str | os.PathLike[str] | None = None):
        super().__init__(settings)
        self.root = Path(root if root is not None else settings.blob_store_path).resolve()
        self.meta_root = self.root / f"{RESERVED_PREFIX}meta"

    # -- paths -----------------------------------------------------------
    def _check(self, key: str) -> str:
        check_key(key)
        if any(segment.startswith(RESERVED_PREFIX) for segment in key.split("/")):
            raise ValueError(f"blob key {key!r} uses the reserved prefix {RESERVED_PREFIX!r}")
        return key

    def path(self, key: str) -> Path:
        """The file of ``key`` (whether or not it exists)."""
        return self.root.joinpath(*self._check(key).split("/"))

    def _meta_path(self, key: str) -> Path:
        parts = key.split("/")
        return self.meta_root.joinpath(*parts[:-1], parts[-1] + ".json")

    # -- writing ---------------------------------------------------------
    def put(self, key: str, data: bytes | BinaryIO | IO[bytes], content_type: str | None = None) -> BlobInfo:
        target = self.path(key)
        payload = _as_bytes(data)
        try:
            target.parent.mkdir(parents=True, exist_ok=True)
        except (FileExistsError, NotADirectoryError):
            raise ValueError(f"blob key {key!r}: a parent of it is itself a blob") from None
        if target.is_dir():
            raise ValueError(f"blob key {key!r} is the folder of other blobs")
        self._write_atomic(target, payload, data)
        meta = self._meta_path(key)
        if content_type:
            meta.parent.mkdir(parents=True, exist_ok=True)
            self._write_atomic(meta, json.dumps({"content_type": content_type}).encode(), None)
        else:
            meta.unlink(missing_ok=True)
        return self.info(key)

    def _write_atomic(self, target: Path, payload: bytes | None, stream: Any) -> None:
        fd, temp_name = tempfile.mkstemp(prefix=f"{RESERVED_PREFIX}tmp-", dir=target.parent)
        try:
            with os.fdopen(fd, "wb") as out:
                if payload is not None:
                    out.write(payload)
                else:
                    shutil.copyfileobj(stream, out, _COPY_CHUNK)
                out.flush()
                os.fsync(out.fileno())
            os.chmod(temp_name, 0o644)
            os.replace(temp_name, target)
        except BaseException:
            try:
                os.unlink(temp_name)
            except FileNotFoundError:
                pass
            raise

    def delete(self, key: str) -> bool:
        target = self.path(key)
        try:
            target.unlink()
        except FileNotFoundError:
            return False
        except IsADirectoryError:
            return False
        self._meta_path(key).unlink(missing_ok=True)
        self._prune(target.parent, self.root)
        self._prune(self._meta_path(key).parent, self.meta_root)
        return True

    @staticmethod
    def _prune(folder: Path, stop: Path) -> None:
        """Remove empty folders from ``folder`` up to (not including) ``stop``."""
        while folder != stop and stop in folder.parents:
            try:
                folder.rmdir()
            except OSError:
                return
            folder = folder.parent

    # -- reading ---------------------------------------------------------
    def open(self, key: str) -> IO[bytes]:
        target = self.path(key)
        try:
            return open(target, "rb")  # the caller closes it
        except (FileNotFoundError, IsADirectoryError, NotADirectoryError):
            raise BlobNotFoundError(key) from None

    def info(self, key: str) -> BlobInfo:
        target = self.path(key)
        try:
            stat = target.stat()
        except (FileNotFoundError, NotADirectoryError):
            raise BlobNotFoundError(key) from None
        if not target.is_file():
            raise BlobNotFoundError(key)
        content_type = None
        try:
            content_type = json.loads(self._meta_path(key).read_text(encoding="utf-8")).get("content_type")
        except (FileNotFoundError, NotADirectoryError, ValueError):
            pass
        return BlobInfo(
            key=key,
            size=stat.st_size,
            content_type=content_type or guess_content_type(key),
            modified=datetime.fromtimestamp(stat.st_mtime, UTC),
        )

    def list(self, prefix: str = "") -> Iterator[str]:
        if not isinstance(prefix, str) or "\\" in prefix or "\x00" in prefix or prefix.startswith("/"):
            raise ValueError(f"bad blob key prefix {prefix!r}")
        # The deepest folder that every matching key lies in.
        folder_key = prefix.rsplit("/", 1)[0] if "/" in prefix else ""
        if folder_key:
            check_key(folder_key)
        start = self.root.joinpath(*folder_key.split("/")) if folder_key else self.root
        if not start.is_dir():
            return
        yield from sorted(key for key in self._walk(start, folder_key) if key.startswith(prefix))

    def _walk(self, folder: Path, folder_key: str) -> Iterator[str]:
        try:
            entries = list(os.scandir(folder))
        except (FileNotFoundError, NotADirectoryError):
            return
        for entry in entries:
            if entry.name.startswith(RESERVED_PREFIX):
                continue
            key = f"{folder_key}/{entry.name}" if folder_key else entry.name
            if entry.is_dir(follow_symlinks=False):
                yield from self._walk(Path(entry.path), key)
            elif entry.is_file():
                yield key


__all__ = [
    "BlobInfo",
    "BlobNotFoundError",
    "BlobStore",
    "FilesystemBlobStore",
    "check_key",
    "guess_content_type",
]
