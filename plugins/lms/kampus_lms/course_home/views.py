"""Pages and endpoints of the LMS area ``course_home``."""

from __future__ import annotations

from flask import Blueprint

bp = Blueprint("lms_course_home", __name__)
