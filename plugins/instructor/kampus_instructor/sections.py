"""The instructor dashboard's sections (its tabs): each area contributes some (``wiring.sections()``).

A :class:`Section` names a Flask endpoint that takes ``course_id``; the
dashboard layout (``instructor/dashboard_base.html``) lists the sections the
user holds ``permission`` for (and, when the section has ``available``, in the
courses where it answers true or for global staff), in ``order``, and marks the
one whose ``key`` the page sets as ``active_section``.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from flask import url_for

from kampus.identity.permissions import has_permission
from kampus_instructor.access import is_global_staff


@dataclass(frozen=True)
class Section:
    key: str
    label: Any  # a lazy_gettext string
    endpoint: str
    order: int = 100
    permission: str = "instructor.view"
    available: Callable[[str], bool] | None = None  # course_id -> whether the course offers it


def _offered(section: Section, user: Any, course_id: str) -> bool:
    return section.available is None or is_global_staff(user) or section.available(course_id)


def visible_sections(sections: list[Section], user: Any, course_id: str) -> list[dict[str, str]]:
    """The sections ``user`` may open in course ``course_id``, as ``{"key", "label", "url"}`` in order."""
    return [{"key": s.key, "label": str(s.label), "url": url_for(s.endpoint, course_id=course_id)}
            for s in sorted(sections, key=lambda s: (s.order, s.key))
            if has_permission(user, s.permission, course_id) and _offered(s, user, course_id)]
