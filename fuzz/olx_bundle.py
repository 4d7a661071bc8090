"""A course folder as one byte string, so that a fuzzer can mutate several OLX files at once.

The format is plain text a mutator handles well: the bytes up to the first marker are
``course.xml``; each ``\\n==> PATH\\n`` marker starts another file, ``PATH`` relative to the course
folder. ``decode`` never yields a path that leaves the folder (the fuzz harness writes these files
to disk, so it sanitises them before the reader under test ever sees them).
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path

MARKER = b"\n==> "
#: Files and folders a seed taken from a real course leaves out (binary or too large to mutate well).
SKIPPED_SUFFIXES = (".png", ".jpg", ".jpeg", ".gif", ".pdf", ".svg", ".mp4", ".srt", ".sjson", ".woff", ".ttf",
                    ".js", ".css", ".zip", ".gz")
MAX_PATH_BYTES = 200
MAX_DEPTH = 8
_COMPONENT = re.compile(r"^[^/\x00]{1,100}$")


def encode(files: dict[str, bytes]) -> bytes:
    """The bundle of ``files`` (``course.xml`` first; the other paths in sorted order)."""
    parts = [files.get("course.xml", b"")]
    for path in sorted(files):
        if path != "course.xml":
            parts.append(MARKER + path.encode("utf-8") + b"\n" + files[path])
    return b"".join(parts)


def safe_path(raw: bytes) -> str | None:
    """``raw`` as a relative path inside the folder, or ``None`` when it could leave it or is unusable."""
    if len(raw) > MAX_PATH_BYTES:
        return None
    path = raw.decode("utf-8", errors="replace").strip()
    components = path.split("/")
    if not path or len(components) > MAX_DEPTH:
        return None
    if any(part in ("", ".", "..") or not _COMPONENT.match(part) for part in components):
        return None
    return path


def decode(data: bytes) -> list[tuple[str, bytes]]:
    """The files of a bundle, in order; files with an unusable path are dropped."""
    chunks = data.split(MARKER)
    files = [("course.xml", chunks[0])]
    for chunk in chunks[1:]:
        header, _, content = chunk.partition(b"\n")
        path = safe_path(header)
        if path is not None:
            files.append((path, content))
    return files


def folder_bundle(folder: Path, max_bytes: int = 64 * 1024) -> bytes | None:
    """A seed from a course folder on disk (text files only), or ``None`` when it is too large."""
    files: dict[str, bytes] = {}
    for path in sorted(folder.rglob("*")):
        if not path.is_file() or path.suffix.lower() in SKIPPED_SUFFIXES:
            continue
        files[path.relative_to(folder).as_posix()] = path.read_bytes()
    bundle = encode(files)
    return bundle if len(bundle) <= max_bytes else None


def corpus_bundles(corpus: Path) -> Iterator[bytes]:
    """Seeds from every small course folder under ``corpus/olx`` (read at run time, never copied here)."""
    for folder in sorted((corpus / "olx").glob("*")):
        if (folder / "course.xml").is_file():
            bundle = folder_bundle(folder)
            if bundle is not None:
                yield bundle
