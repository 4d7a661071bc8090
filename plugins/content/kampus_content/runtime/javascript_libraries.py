"""The JavaScript libraries that XBlocks written for Open edX expect on the page.

Open edX gives every block jQuery 2.2.4 with jquery-migrate 1.4.1, so blocks
call jQuery APIs that jQuery 3 removed (``.load(handler)``, ``.size()``,
``.andSelf()``, ``.error(handler)``…). Kampus serves jQuery 3 with
jquery-migrate 3, which restores them, from the PyPI packages that carry the
files (XStatic-jQuery, XStatic-JQuery-Migrate): no third-party JavaScript is
kept in this repository. :data:`PAGE_SCRIPTS` lists them in the order a page
loads them, before the XBlock runtime and the blocks' own scripts.
"""

from __future__ import annotations

from pathlib import Path

import xstatic.pkg.jquery as xstatic_jquery  # type: ignore[import-untyped]
import xstatic.pkg.jquery_migrate as xstatic_jquery_migrate  # type: ignore[import-untyped]

#: The folder of each library's files, by the name it is served under (``/static/vendor/<name>/<file>``).
LIBRARY_FOLDERS: dict[str, Path] = {
    "jquery": Path(xstatic_jquery.BASE_DIR),
    "jquery-migrate": Path(xstatic_jquery_migrate.BASE_DIR),
}

#: (library, file) of the scripts every XBlock page loads, in order: jquery-migrate patches jQuery.
PAGE_SCRIPTS: tuple[tuple[str, str], ...] = (
    ("jquery", "jquery.min.js"),
    ("jquery-migrate", "jquery-migrate.min.js"),
)


def library_folder(name: str) -> Path | None:
    """The folder holding library ``name``'s files, or ``None`` for a name Kampus does not serve."""
    return LIBRARY_FOLDERS.get(name)
