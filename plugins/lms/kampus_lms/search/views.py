"""Pages and endpoints of the LMS area ``search``."""

from __future__ import annotations

from flask import Blueprint

bp = Blueprint("lms_search", __name__)
