"""Rendering a dashboard page inside the LMS's course layout, with the dashboard's section tabs."""

from __future__ import annotations

from typing import Any

from flask import current_app, render_template
from flask_login import current_user
from kampus_lms.api import course_page_context

from kampus_instructor.sections import Section, visible_sections

#: Where the app keeps every area's sections (gathered by the plugin's ``kampus_app_ready``).
SECTIONS_KEY = "kampus_instructor.sections"


def all_sections() -> list[Section]:
    """Every area's sections, as the plugin gathered them for this app."""
    return current_app.extensions.get(SECTIONS_KEY, [])


def render_dashboard_page(template: str, course_id: str, active_section: str, **context: Any) -> str:
    """Render ``template`` (which extends ``instructor/dashboard_base.html``) for ``course_id``."""
    return render_template(template, **course_page_context(course_id, "instructor"),
                           dashboard_sections=visible_sections(all_sections(), current_user, course_id),
                           active_section=active_section, **context)
