"""Import and export of OLX courses: folders and ``.tar.gz`` archives, in and out of the store.

An import reads and checks everything first; files kept verbatim go to the
blob store under content-addressed keys (so every version of the course keeps
its own files); only then is the course written (``ContentStore.replace_course``, one
transaction in the SQL store): a new version, published (into an existing
course: replacing its whole draft, as Open edX's import does) and, when the
archive's ``drafts/`` held unpublished units, one more draft version on top
with them (the published branch does not have them; authors see them as
draft and publish them). A failed import writes no course version, and
removes the blobs it wrote that nothing else uses.

Plugins take part through two hooks: an export calls ``kampus_course_export``
so a plugin adds its own files to the archive; an import calls
``kampus_course_import`` with the archive's files (before anything is
written), so a plugin reads its files back, or raises ``ValueError`` to refuse
the import (:class:`ImportRefused`, nothing written).
"""

from __future__ import annotations

import hashlib
import io
import logging
import shutil
import tarfile
import tempfile
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path

from kampus import current_kampus
from kampus_content.olx.reader import ReadCourse, read_course
from kampus_content.olx.safety import (
    DEFAULT_LIMITS,
    Limits,
    UnsafeInput,
    extract_archive,
    find_course_root,
    safe_relative,
)
from kampus_content.olx.writer import split_draft_units, write_course, write_draft_units, write_folder
from kampus_content.store.interface import DRAFT, BlockKey, ContentStore, CourseNotFound, Structure

BLOB_PREFIX = "olx-files"
logger = logging.getLogger(__name__)

Progress = Callable[[int, int, str], None]


@dataclass(frozen=True)
class ImportResult:
    course_key: str
    version: str
    blocks: int
    files: int
    #: Blocks only the draft has (from ``drafts/``), and what was skipped as ``(file, line, message)``.
    draft_blocks: int = 0
    warnings: tuple[tuple[str, int | None, str], ...] = ()


class ImportRefused(ValueError):
    """A plugin refused the import (its ``kampus_course_import`` raised ``ValueError``); nothing was written."""


class ArchiveFiles(Mapping[str, bytes]):
    """The files of the course folder being imported, by relative path, read when asked for."""

    def __init__(self, read: ReadCourse):
        self._paths = read.files

    def __getitem__(self, relative: str) -> bytes:
        return self._paths[relative].read_bytes()

    def __iter__(self) -> Iterator[str]:
        return iter(sorted(self._paths))

    def __len__(self) -> int:
        return len(self._paths)


def _noop(_current: int, _total: int, _message: str) -> None:
    return None


def blob_key(data: bytes) -> str:
    digest = hashlib.sha256(data).hexdigest()
    return f"{BLOB_PREFIX}/{digest[:2]}/{digest}"


def _store_files(read: ReadCourse, progress: Progress) -> tuple[dict[str, str], list[str]]:
    """Put the kept files into the blob store; returns (path -> key, keys newly written)."""
    blobs = current_kampus().blob_store
    mapping: dict[str, str] = {}
    written: list[str] = []
    total = len(read.files)
    for index, (relative, path) in enumerate(sorted(read.files.items())):
        data = path.read_bytes()
        key = blob_key(data)
        if not blobs.exists(key):
            blobs.put(key, data)
            written.append(key)
        mapping[relative] = key
        if index % 50 == 0:
            progress(index, total, f"Storing files ({index}/{total})")
    return mapping, written


def import_folder(
    folder: Path,
    store: ContentStore,
    *,
    user_id: int | None,
    course_key: str | None = None,
    limits: Limits = DEFAULT_LIMITS,
    progress: Progress = _noop,
) -> ImportResult:
    """Import the OLX course in ``folder`` (a course folder or its parent) and publish it."""
    progress(0, 3, "Reading the course")
    read = read_course(find_course_root(folder), limits)
    key = course_key or read.course_key
    try:
        current_kampus().hook.kampus_course_import(course_id=key, files=ArchiveFiles(read))
    except ValueError as exc:
        raise ImportRefused(f"the import was refused: {exc}") from exc
    progress(1, 3, "Storing files")
    files, written = _store_files(read, progress)
    for tree in (read.blocks, read.draft_blocks) if read.draft_blocks is not None else (read.blocks,):
        tree[read.root].meta["files"] = files
        tree[read.root].meta["olx_key"] = [read.org, read.number, read.run]
    progress(2, 3, "Writing the course")
    try:
        # One transaction where the store can (SQL): the published course, the drafts on top, both pointers.
        # This is ContentStore.replace_course without its hooks: they run below, once the write committed.
        published, version = store._replace_course(
            key, list(read.blocks.values()),
            None if read.draft_blocks is None else list(read.draft_blocks.values()), tuple(read.root),
            user_id=user_id, message="OLX import", draft_message="OLX import: unpublished units (drafts/)")
    except BaseException:
        _remove_unused_blobs(store, written)
        raise
    warnings = list(read.warnings)
    # The course is written: a plugin failing on the news must not make it look unwritten (nor lose its files).
    for hook, hook_version in (("kampus_content_changed", version), ("kampus_content_published", published)):
        try:
            store._call_hook(hook, course_id=key, version=hook_version, user_id=user_id)
        except Exception as exc:
            logger.exception("import of %s: the %s hook failed after the course was written", key, hook)
            warnings.append(("", None, f"The course was imported, but a plugin failed to process it ({hook}: "
                                       f"{type(exc).__name__}); it may need to be published again."))
    progress(3, 3, "Imported")
    draft_only = len(set(read.draft_blocks or ()) - set(read.blocks))
    return ImportResult(course_key=key, version=version, blocks=len(read.blocks), files=len(files),
                        draft_blocks=draft_only, warnings=tuple(warnings))


def _remove_unused_blobs(store: ContentStore, written: list[str]) -> None:
    """After a failed write, delete the blobs this import wrote that no course's draft or published version
    names (another course's edit may have reused one meanwhile: blob keys are content hashes)."""
    if not written:
        return
    candidates = set(written)
    try:
        for index in store.list_courses():
            for version in {v for v in index.versions.values() if v}:
                root = store.get_structure(index.course_key, version)
                candidates -= set(root.blocks[root.root].meta.get("files", {}).values())
                if not candidates:
                    return
    except Exception:
        logger.exception("import: could not check which new files are unused; they are kept")
        return
    blobs = current_kampus().blob_store
    for blob in candidates:
        blobs.delete(blob)


def import_path(path: Path, store: ContentStore, **kwargs: object) -> ImportResult:
    """Import a course folder or a ``.tar.gz`` archive."""
    if path.is_dir():
        return import_folder(path, store, **kwargs)  # type: ignore[arg-type]
    limits = kwargs.get("limits", DEFAULT_LIMITS)
    with tempfile.TemporaryDirectory(prefix="kampus-import-") as tmp:
        root = extract_archive(path, Path(tmp) / "unpacked", limits)  # type: ignore[arg-type]
        return import_folder(root, store, **kwargs)  # type: ignore[arg-type]


def export_files(course_key: str, store: ContentStore, branch: str = DRAFT) -> tuple[str, dict[str, bytes]]:
    """The files of the OLX export of a course's branch, and the name of its top folder.

    Exporting the draft of a published course writes its unpublished units under ``drafts/``
    as Open edX does, so that an import gives them back as unpublished work."""
    structure = store.get_branch(course_key, branch)
    if structure is None:
        raise CourseNotFound(f"{course_key} has no {branch} version")
    index = store.get_course_index(course_key)
    kampus = current_kampus()
    units: list[tuple[BlockKey, BlockKey, int]] = []
    main = structure
    if branch == DRAFT and index.published_version not in (None, index.draft_version):
        published = store.get_structure(course_key, index.published_version)  # type: ignore[arg-type]
        blocks, units = split_draft_units(structure, published)
        main = Structure(structure.version, course_key, structure.root, blocks)
    files = write_course(main, index.org, index.course, index.run, read_file=kampus.blob_store.get)
    if units:
        files.update(write_draft_units(structure, units, index.org, index.course, index.run,
                                       read_file=kampus.blob_store.get))
    kampus.hook.kampus_course_export(course_id=course_key, files=files)
    for relative, data in files.items():
        try:
            safe_relative(relative)
        except UnsafeInput:
            raise ValueError(f"a plugin added the file {relative!r}, which leads outside the course folder") from None
        if not isinstance(data, bytes):
            raise ValueError(f"a plugin added the file {relative!r} as {type(data).__name__}, not bytes")
    return index.run, files


def export_path(course_key: str, target: Path, store: ContentStore, branch: str = DRAFT) -> Path:
    """Export to the folder ``target`` or, when it ends in ``.tar.gz``, to an archive
    whose single top folder is ``course/`` (as Studio exports). The draft's unpublished
    units go under ``drafts/`` (see :func:`export_files`)."""
    _run, files = export_files(course_key, store, branch)
    if target.name.endswith((".tar.gz", ".tgz")):
        target.parent.mkdir(parents=True, exist_ok=True)
        partial = target.with_name(target.name + ".partial")
        with tarfile.open(partial, "w:gz", compresslevel=5) as tar:
            for relative, data in sorted(files.items()):
                info = tarfile.TarInfo(f"course/{relative}")
                info.size = len(data)
                info.mode = 0o644
                tar.addfile(info, io.BytesIO(data))
        partial.replace(target)
        return target
    if target.exists() and any(target.iterdir()):
        raise FileExistsError(f"{target} is not empty")
    partial = target.with_name(target.name + ".partial")
    shutil.rmtree(partial, ignore_errors=True)
    write_folder(files, partial)
    partial.replace(target)
    return target
