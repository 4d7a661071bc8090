"""Pages and endpoints of the LMS area ``courseware``."""

from __future__ import annotations

from flask import Blueprint

bp = Blueprint("lms_courseware", __name__)
