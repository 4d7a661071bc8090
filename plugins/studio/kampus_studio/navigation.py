"""Studio's course menu: the entries each area contributes (``wiring.menu()``), in one list.

A :class:`MenuEntry` names a Flask endpoint that takes ``course_id``; the course
layout (``studio/course_base.html``) shows the entries the user may use, in
``order``, and marks the one whose ``key`` the page sets as ``active_menu``.
"""

from __future__ import annotations

from dataclasses import dataclass

from flask import url_for
from flask_babel import lazy_gettext


@dataclass(frozen=True)
class MenuEntry:
    key: str
    label: str | object  # a lazy_gettext string
    endpoint: str
    order: int = 100
    permission: str = "studio.author"


def course_menu(entries: list[MenuEntry], course_id: str) -> list[dict[str, str]]:
    """The menu of one course, as ``{"key", "label", "url"}`` dicts in order."""
    return [{"key": e.key, "label": str(e.label), "url": url_for(e.endpoint, course_id=course_id)}
            for e in sorted(entries, key=lambda e: (e.order, e.key))]


__all__ = ["MenuEntry", "course_menu", "lazy_gettext"]
