"""The `files` area's API for Studio's other areas (e.g. a course image or a file picker in an editor).

Other areas import this module only; other plugins use Studio's REST API
(``/api/studio/v1/courses/<course_id>/assets/``) or :mod:`kampus_content.api` directly.
"""

from __future__ import annotations

from kampus_studio.files.service import (
    FilePage,
    FileRow,
    UploadRefused,
    check_upload,
    course_files,
    find_file,
    max_upload_bytes,
    page_of_files,
    upload_files,
)


def files_page_url(course_id: str) -> str:
    """The URL of the course's Files & uploads page."""
    return f"/studio/course/{course_id}/files/"


__all__ = [
    "FilePage",
    "FileRow",
    "UploadRefused",
    "check_upload",
    "course_files",
    "files_page_url",
    "find_file",
    "max_upload_bytes",
    "page_of_files",
    "upload_files",
]
