"""Rendering a course's Studio page: the course layout's context (title, menu) for every area."""

from __future__ import annotations

from typing import Any

from flask import current_app, render_template
from kampus_content.api import DRAFT, CourseNotFound, get_structure

from kampus_studio.navigation import MenuEntry, course_menu

#: Where the app keeps every area's menu entries (gathered by the plugin's ``kampus_app_ready``).
MENU_KEY = "kampus_studio.menu"


def menu_entries() -> list[MenuEntry]:
    """Every area's menu entries, as the plugin gathered them for this app."""
    return current_app.extensions.get(MENU_KEY, [])


def course_title(course_id: str) -> str:
    """The draft's display name of the course, or its id."""
    try:
        structure = get_structure(course_id, DRAFT)
    except CourseNotFound:
        return course_id
    root = structure.get(structure.root)
    return str((root.fields.get("display_name") if root else None) or course_id)


def render_course_page(template: str, course_id: str, active_menu: str, **context: Any) -> str:
    """Render ``template`` (which extends ``studio/course_base.html``) for course ``course_id``."""
    return render_template(template, course_id=course_id, course_title=course_title(course_id),
                           studio_menu=course_menu(menu_entries(), course_id), active_menu=active_menu, **context)
