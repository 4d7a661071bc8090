"""Pages and endpoints of the LMS area ``enrollment``."""

from __future__ import annotations

from flask import Blueprint

bp = Blueprint("lms_enrollment", __name__)
