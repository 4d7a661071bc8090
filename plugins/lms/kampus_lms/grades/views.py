"""Pages and endpoints of the LMS area ``grades``."""

from __future__ import annotations

from flask import Blueprint

bp = Blueprint("lms_grades", __name__)
