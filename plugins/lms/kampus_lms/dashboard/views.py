"""The learner dashboard, ``/dashboard``: my courses with progress, resume, grade and certificate."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from flask import Blueprint, render_template
from flask_babel import gettext as _
from flask_login import current_user, login_required
from kampus_hookspecs import NavItem

from kampus.db import utcnow
from kampus_lms.dashboard.api import dashboard_courses

STATIC = Path(__file__).resolve().parent.parent / "static" / "lms" / "dashboard"

bp = Blueprint("lms_dashboard", __name__, static_folder=str(STATIC), static_url_path="/static/lms/dashboard")

DASHBOARD_URL = "/dashboard"


def nav_items(user: Any) -> list[NavItem]:
    """The "Dashboard" entry of the main navigation, for a logged-in user."""
    if not getattr(user, "is_authenticated", False):
        return []
    return [NavItem(label=_("Dashboard"), url=DASHBOARD_URL, order=20)]


@bp.get(DASHBOARD_URL)
@login_required
def dashboard() -> str:
    courses = dashboard_courses(current_user)
    return render_template("lms/dashboard/dashboard.html", courses=courses, now=utcnow(), catalog_url="/courses")
