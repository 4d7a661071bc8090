"""The JavaScript and CSS libraries that course content written for Open edX expects on the page.

Open edX gives every block jQuery 2.2.4 with jquery-migrate 1.4.1, so blocks
call jQuery APIs that jQuery 3 removed (``.load(handler)``, ``.size()``,
``.andSelf()``, ``.error(handler)``…). Kampus serves jQuery 3 with
jquery-migrate 3, which restores them, from the PyPI packages that carry the
files (XStatic-jQuery, XStatic-JQuery-Migrate): no third-party JavaScript is
kept in this repository. :data:`PAGE_SCRIPTS` lists them in the order a page
loads them, before the XBlock runtime and the blocks' own scripts.

Course HTML also relies on two things every Open edX page provides:

* MathJax, for ``\\( \\)``, ``\\[ \\]``, ``$$`` and Open edX's ``[mathjaxinline]``
  markers: MathJax 3 from the PyPI package ``django-static-mathjax`` (its files
  only; Django is not needed), loaded only on pages that hold maths
  (:data:`MATHJAX_SCRIPT`);
* Font Awesome 4.7's ``fa fa-...`` icon classes (XStatic-Font-Awesome 4.7,
  :data:`FONT_AWESOME_CSS`).
"""

from __future__ import annotations

from pathlib import Path

import mathjax as mathjax_package  # type: ignore[import-untyped]  # django-static-mathjax: files only
import xstatic.pkg.font_awesome as xstatic_font_awesome  # type: ignore[import-untyped]
import xstatic.pkg.jquery as xstatic_jquery  # type: ignore[import-untyped]
import xstatic.pkg.jquery_migrate as xstatic_jquery_migrate  # type: ignore[import-untyped]

#: The folder of each library's files, by the name it is served under (``/static/vendor/<name>/<file>``).
LIBRARY_FOLDERS: dict[str, Path] = {
    "jquery": Path(xstatic_jquery.BASE_DIR),
    "jquery-migrate": Path(xstatic_jquery_migrate.BASE_DIR),
    "mathjax": Path(next(iter(mathjax_package.__path__))) / "static" / "mathjax",
    "font-awesome": Path(xstatic_font_awesome.BASE_DIR),
}

#: (library, file) of the scripts every XBlock page loads, in order: jquery-migrate patches jQuery.
PAGE_SCRIPTS: tuple[tuple[str, str], ...] = (
    ("jquery", "jquery.min.js"),
    ("jquery-migrate", "jquery-migrate.min.js"),
)

#: (library, file) of MathJax's TeX and MathML input with HTML-CSS output (Open edX's "HTMLorMML").
MATHJAX_SCRIPT: tuple[str, str] = ("mathjax", "es5/tex-mml-chtml.js")

#: (library, file) of Font Awesome 4.7's stylesheet (its fonts are found relative to it).
FONT_AWESOME_CSS: tuple[str, str] = ("font-awesome", "css/font-awesome.min.css")


def library_folder(name: str) -> Path | None:
    """The folder holding library ``name``'s files, or ``None`` for a name Kampus does not serve."""
    return LIBRARY_FOLDERS.get(name)
