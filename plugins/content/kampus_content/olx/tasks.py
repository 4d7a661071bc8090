"""Background tasks of OLX import and export (run by the worker, with progress)."""

from __future__ import annotations

import tempfile
from pathlib import Path
from typing import Any

from kampus.tasks.api import TaskContext, task_name
from kampus_content.api import content_store
from kampus_content.olx.safety import UnsafeInput
from kampus_content.olx.service import export_path, import_path

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


@task_name("content.export_olx")
def export_olx(task: TaskContext, course_key: str, branch: str = "draft") -> dict[str, Any]:
    """Export ``course_key`` as a .tar.gz archive into the blob store."""
    task.progress(0, 2, "Exporting")
    with tempfile.TemporaryDirectory(prefix="kampus-export-") as tmp:
        archive = export_path(course_key, Path(tmp) / "course.tar.gz", content_store(), branch)
        key = f"{EXPORT_PREFIX}/{task.record_id}.tar.gz"
        with archive.open("rb") as data:
            task.kampus.blob_store.put(key, data, "application/gzip")
    task.progress(2, 2, "Exported")
    return {"course_key": course_key, "output": key}
