"""What the `files` area adds to the app; :mod:`kampus_studio.plugin` gathers every area's lists."""

from __future__ import annotations

from typing import Any

from kampus_hookspecs import Setting

from kampus_studio.files.rest import bp as rest_bp
from kampus_studio.files.service import DEFAULT_DENIED_EXTENSIONS, DEFAULT_MAX_UPLOAD_MB, DEFAULT_PAGE_SIZE
from kampus_studio.files.views import bp as page_bp
from kampus_studio.navigation import MenuEntry, lazy_gettext


def blueprints() -> list[Any]:

    return [page_bp, rest_bp]


def permissions() -> dict[str, list[str]]:
    return {}


def settings() -> list[Setting]:
    return [
        Setting("studio_max_upload_mb", int, DEFAULT_MAX_UPLOAD_MB,
                "Largest file an author may upload to a course's Files & uploads, in MB "
                "(Open edX's MAX_ASSET_UPLOAD_FILE_SIZE_IN_MB)."),
        Setting("studio_upload_max_request_bytes", int, 256 * 1024 * 1024,
                "Largest upload request of Files & uploads (all the files of one form), in bytes; "
                "each file is also held to studio_max_upload_mb."),
        Setting("studio_upload_denied_extensions", list, list(DEFAULT_DENIED_EXTENSIONS),
                "File extensions refused by Files & uploads (programs and scripts)."),
        Setting("studio_files_page_size", int, DEFAULT_PAGE_SIZE, "Files shown per page of Files & uploads."),
    ]


def tasks() -> list[Any]:
    return []


def menu() -> list[MenuEntry]:
    """Entries of Studio's course menu (see :mod:`kampus_studio.navigation`)."""
    return [MenuEntry("files", lazy_gettext("Files & uploads"), "studio_files.files_page", order=50)]
