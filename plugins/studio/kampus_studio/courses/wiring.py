"""What the `courses` area adds to the app; :mod:`kampus_studio.plugin` gathers every area's lists."""

from __future__ import annotations

from typing import Any

from kampus_hookspecs import Setting

from kampus_studio.courses import reruns, rest, views
from kampus_studio.navigation import MenuEntry, lazy_gettext


def blueprints() -> list[Any]:
    return [views.bp, rest.bp]


def permissions() -> dict[str, list[str]]:
    return {}


def settings() -> list[Setting]:
    return [Setting(
        "studio_course_creators", str, "staff",
        "Who may create courses in Studio: 'staff' (global staff only, Open edX's ENABLE_CREATOR_GROUP on) or "
        "'anyone' (every signed-in, active user; the creator becomes the new course's Admin).",
        choices=("staff", "anyone"))]


def tasks() -> list[Any]:
    return [reruns.rerun_course]


def menu() -> list[MenuEntry]:
    """Entries of Studio's course menu (see :mod:`kampus_studio.navigation`)."""
    return [MenuEntry("team", lazy_gettext("Course team"), "studio_courses.team_page", order=90)]
