"""Pages and endpoints of the LMS area ``catalog``."""

from __future__ import annotations

from flask import Blueprint

bp = Blueprint("lms_catalog", __name__)
