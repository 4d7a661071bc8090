"""The demo course that ``kampus init --demo`` installs, and the home-page course list."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import sqlalchemy as sa
from flask import render_template
from opaque_keys.edx.keys import CourseKey

from kampus import current_kampus
from kampus.identity.models import User
from kampus.identity.permissions import grant_role, has_permission
from kampus.urls import absolute_url
from kampus_content.api import content_store
from kampus_content.olx.service import import_folder

DEMO_COURSE_FOLDER = Path(__file__).parent / "demo_course"
#: Demo accounts of ``kampus init --demo`` and the course role each gets in the demo course.
DEMO_ROLES = {"learner": "learner", "instructor": "instructor"}


def course_url(course_key: str) -> str:
    """The page of a course's outline (its root block)."""
    return f"/xblock/{CourseKey.from_string(course_key).make_usage_key('course', 'course')}"


def install_demo_course() -> list[str]:
    """Import and publish the demo course; give the demo accounts their roles."""
    result = import_folder(DEMO_COURSE_FOLDER, content_store(), user_id=None)
    with current_kampus().db.session_scope() as db_session:
        for username, role in DEMO_ROLES.items():
            user = db_session.scalar(sa.select(User).where(User.username == username))
            if user is not None:
                grant_role(db_session, user, role, result.course_key)
    # Without a base_url the address is known only once `kampus serve` runs (it prints it): give the path.
    path = course_url(result.course_key)
    where = absolute_url(path) if current_kampus().settings.base_url else path
    return [f"Demo course: {result.course_key} at {where}"]


def my_courses_panel(user: Any) -> str | None:
    """The home-page panel listing the courses ``user`` may view."""
    courses = []
    for index in content_store().list_courses():
        if not has_permission(user, "course.view", index.course_key) or index.published_version is None:
            continue
        structure = content_store().get_structure(index.course_key, index.published_version)
        root = structure.blocks.get(structure.root)
        name = (root.fields.get("display_name") if root else None) or index.course_key
        courses.append({"key": index.course_key, "name": name, "url": course_url(index.course_key)})
    if not courses:
        return None
    return render_template("content/my_courses.html", courses=courses)
