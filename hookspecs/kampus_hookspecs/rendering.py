"""Rendering hooks: course tabs, dashboard panels and block fragment wrappers."""

from __future__ import annotations

from typing import Any

from kampus_hookspecs._marker import hookspec


@hookspec
def kampus_course_tabs(course_id: str, user: Any) -> list[dict[str, Any]]:
    """Return tabs to show in a course for ``user``: dicts with ``type``,
    ``name``, ``url`` and an optional ``order``.

    """


@hookspec(firstresult=True)
def kampus_front_page(user: Any) -> Any | None:
    """Return the site's front page (``/``) for ``user`` (anonymous or not): a response or an HTML
    string, or ``None`` to leave it to other plugins. The first plugin that answers wins; when none
    answers, the kernel shows its own home page with the dashboard panels."""


@hookspec
def kampus_dashboard_panels(user: Any) -> list[str]:
    """Return HTML snippets (already escaped or marked safe by the plugin) to
    show on the home page of a logged-in ``user``."""


@hookspec
def kampus_template_context() -> dict[str, Any]:
    """Return extra variables available in every template. Called per render."""


@hookspec
def kampus_wrap_fragment(block: Any, view: str, fragment: Any, context: dict[str, Any]) -> Any:
    """Return a new fragment wrapping ``fragment`` (the rendering of ``block``
    in ``view``), or ``None`` to leave it as it is."""
