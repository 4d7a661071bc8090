"""The Jinja environment the problems plugin renders its HTML with.

Inside an app (a request, ``kampus check-problem``, a task) that is the app's own environment:
autoescape on, gettext of the current locale (Flask-Babel), and the site's template overrides
searched before the plugin's ``templates/``. Without an app (the CAPA engine used as a library,
its unit tests) a standalone environment over the same templates, with autoescape and untranslated
strings. That one is built once per process: it holds only the plugin's own templates and no app's
settings, translations or overrides, so no app can see another's state through it (building it per
call cost 55-80 ms a problem).
"""

from __future__ import annotations

from functools import cache
from pathlib import Path
from typing import Any

from flask import current_app, has_app_context
from jinja2 import Environment, FileSystemLoader
from markupsafe import Markup

TEMPLATES = Path(__file__).resolve().parent / "templates"


@cache
def standalone_environment() -> Environment:
    """An environment over the plugin's templates for code that runs without an app."""
    env = Environment(loader=FileSystemLoader(str(TEMPLATES)), autoescape=True, extensions=["jinja2.ext.i18n"])
    env.install_null_translations(newstyle=True)  # type: ignore[attr-defined]
    return env


def problem_environment() -> Environment:
    """The app's Jinja environment, or a standalone one outside an app."""
    return current_app.jinja_env if has_app_context() else standalone_environment()


def render(template: str, env: Environment | None = None, **context: Any) -> Markup:
    """``template`` (e.g. ``problems/inputs/textline.html``) rendered with ``context``, as safe markup."""
    return Markup((env or problem_environment()).get_template(template).render(**context))
