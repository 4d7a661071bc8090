"""The core blocks' HTML, rendered from Jinja templates under ``templates/content/blocks/``.

Blocks build their markup in templates (autoescape on, every user-visible string
through ``_()``), never in Python strings, so that escaping happens exactly once and
every word can be translated. The app's own Jinja environment renders them: site
overrides and plugins' template folders apply, and Flask-Babel's ``_`` is installed.
Flask's ``render_template`` is not used on purpose: it runs the page context
processors (navigation items, template-context hooks) for every fragment of a page.

Also here: what page assembly and blocks share about maths (:func:`openedx_math_to_tex`,
:func:`contains_math`).
"""

from __future__ import annotations

import re
from typing import Any

from flask import current_app

#: Where the core blocks' templates live in the template search path.
TEMPLATE_FOLDER = "content/blocks/"


def render_block_template(name: str, **context: Any) -> str:
    """The HTML of ``templates/content/blocks/<name>`` rendered with ``context`` (inside an app context).

    Values are escaped by the template; pass already-safe HTML (a child block's
    fragment, author HTML) wrapped in :class:`markupsafe.Markup`.
    """
    template = current_app.jinja_env.get_template(TEMPLATE_FOLDER + name)
    return template.render(**context)



# maths ------------------------------------------------------------------------------------------

#: Open edX's own maths markers and the MathJax delimiters they stand for (as capa_problem.py converts them).
_OPENEDX_MATH = (
    (re.compile(r"\[mathjaxinline\](.*?)\[/mathjaxinline\]", re.S | re.I), r"\\(\1\\)"),
    (re.compile(r"\[mathjax\](.*?)\[/mathjax\]", re.S | re.I), r"\\[\1\\]"),
)
#: Text MathJax typesets: ``\( \)``, ``\[ \]``, ``$$ $$``, ``\begin{...}``, Open edX's markers, MathML.
_MATH_MARKER = re.compile(r"\\\(|\\\[|\$\$|\\begin\{|\[mathjax(?:inline)?\]|<math[\s>]", re.I)


def openedx_math_to_tex(html: str) -> str:
    """``html`` with Open edX's ``[mathjaxinline]x[/mathjaxinline]`` as ``\\(x\\)`` and
    ``[mathjax]x[/mathjax]`` as ``\\[x\\]`` (the delimiters MathJax reads)."""
    if "[mathjax" not in html.lower():
        return html
    for pattern, replacement in _OPENEDX_MATH:
        html = pattern.sub(replacement, html)
    return html


def contains_math(html: str) -> bool:
    """Whether ``html`` holds maths for MathJax (so the page must load it)."""
    return _MATH_MARKER.search(html) is not None
