"""Background tasks of OLX import and export (run by the worker, with progress).

An export is a blob under ``olx-exports/`` that lives ``content_export_ttl_hours``
(it may hold a whole course): after that its download answers 410 and the blob is
deleted, either when someone asks for it or when the next export of any course
sweeps the expired ones. No scheduler is needed.
"""

from __future__ import annotations

import tempfile
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from kampus import current_kampus
from kampus.drivers.blob_store import BlobNotFoundError
from kampus.tasks.api import TaskContext, task_name
from kampus_content.olx.safety import UnsafeInput
from kampus_content.olx.service import export_path, import_path
from kampus_content.store import content_store

UPLOAD_PREFIX = "olx-uploads"
EXPORT_PREFIX = "olx-exports"


@task_name("content.import_olx")
def import_olx(task: TaskContext, course_key: str, upload_key: str, filename: str) -> dict[str, Any]:
    """Import the uploaded archive ``upload_key`` (in the blob store) into ``course_key``."""
    blobs = task.kampus.blob_store
    with tempfile.TemporaryDirectory(prefix="kampus-import-") as tmp:
        archive = Path(tmp) / "course.tar.gz"
        with blobs.open(upload_key) as source, archive.open("wb") as target:
            while chunk := source.read(1024 * 1024):
                target.write(chunk)
        try:
            result = import_path(archive, content_store(), user_id=task.user_id, course_key=course_key,
                                 progress=task.progress)
        except UnsafeInput as exc:
            # The learner-facing error names every problem with its file and line.
            raise ValueError("the archive was refused: " + "; ".join(
                f"{file}{f':{line}' if line else ''}: {message}" for file, line, message in exc.problems)) from None
        finally:
            blobs.delete(upload_key)
    return {"course_key": result.course_key, "version": result.version, "blocks": result.blocks,
            "files": result.files, "filename": filename}


def export_lifetime() -> timedelta:
    """How long an exported archive may be downloaded (the ``content_export_ttl_hours`` setting)."""
    return timedelta(hours=current_kampus().settings.content_export_ttl_hours)


def export_expired(finished_at: datetime | None, now: datetime | None = None) -> bool:
    """Whether an export finished at ``finished_at`` is past its lifetime."""
    if finished_at is None:
        return False
    if finished_at.tzinfo is None:
        finished_at = finished_at.replace(tzinfo=UTC)
    return (now or datetime.now(UTC)) >= finished_at + export_lifetime()


def sweep_expired_exports(now: datetime | None = None) -> list[str]:
    """Delete the exported archives older than their lifetime; returns their keys."""
    blobs = current_kampus().blob_store
    deleted = []
    for key in list(blobs.list(f"{EXPORT_PREFIX}/")):
        try:
            modified = blobs.info(key).modified
        except BlobNotFoundError:
            continue
        if export_expired(modified, now) and blobs.delete(key):
            deleted.append(key)
    return deleted


@task_name("content.export_olx")
def export_olx(task: TaskContext, course_key: str, branch: str = "draft") -> dict[str, Any]:
    """Export ``course_key`` as a .tar.gz archive into the blob store (and drop expired exports)."""
    sweep_expired_exports()
    task.progress(0, 2, "Exporting")
    with tempfile.TemporaryDirectory(prefix="kampus-export-") as tmp:
        archive = export_path(course_key, Path(tmp) / "course.tar.gz", content_store(), branch)
        key = f"{EXPORT_PREFIX}/{task.record_id}.tar.gz"
        with archive.open("rb") as data:
            task.kampus.blob_store.put(key, data, "application/gzip")
    task.progress(2, 2, "Exported")
    return {"course_key": course_key, "output": key}
