"""What the `transfer` area adds to the app; :mod:`kampus_studio.plugin` gathers every area's lists."""

from __future__ import annotations

from typing import Any

from kampus_hookspecs import Setting

from kampus_studio.navigation import MenuEntry, lazy_gettext
from kampus_studio.transfer.rest import bp as rest_bp
from kampus_studio.transfer.uploads import import_course
from kampus_studio.transfer.views import bp as pages_bp


def blueprints() -> list[Any]:

    return [pages_bp, rest_bp]


def permissions() -> dict[str, list[str]]:
    return {}


def settings() -> list[Setting]:
    return [
        Setting("studio_import_max_bytes", int, 1024 * 1024 * 1024,
                "Largest OLX archive Studio's import accepts, in bytes (uploaded in chunks)."),
        Setting("studio_import_chunk_bytes", int, 20 * 1024 * 1024,
                "Largest chunk of an import upload, in bytes (Open edX Studio: 20 MB; keep below max_request_bytes)."),
        Setting("studio_upload_ttl_hours", int, 24,
                "Hours an unfinished import upload is kept for resuming; then its chunks are deleted."),
        Setting("studio_import_max_open_uploads_per_user", int, 3,
                "Most unfinished import uploads one person may have at a time (more answer 429)."),
        Setting("studio_import_max_open_uploads_per_course", int, 5,
                "Most unfinished import uploads into one course at a time (more answer 429)."),
    ]


def tasks() -> list[Any]:
    return [import_course]


def menu() -> list[MenuEntry]:
    """Entries of Studio's course menu (see :mod:`kampus_studio.navigation`)."""
    return [MenuEntry("import", lazy_gettext("Import"), "studio_transfer.import_page", order=80),
            MenuEntry("export", lazy_gettext("Export"), "studio_transfer.export_page", order=81)]
