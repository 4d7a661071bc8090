"""The core blocks' HTML, rendered from Jinja templates under ``templates/content/blocks/``.

Blocks build their markup in templates (autoescape on, every user-visible string
through ``_()``), never in Python strings, so that escaping happens exactly once and
every word can be translated. The app's own Jinja environment renders them: site
overrides and plugins' template folders apply, and Flask-Babel's ``_`` is installed.
Flask's ``render_template`` is not used on purpose: it runs the page context
processors (navigation items, template-context hooks) for every fragment of a page.
"""

from __future__ import annotations

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

