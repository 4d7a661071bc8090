"""Pages and endpoints of the LMS area ``dashboard``."""

from __future__ import annotations

from flask import Blueprint

bp = Blueprint("lms_dashboard", __name__)
