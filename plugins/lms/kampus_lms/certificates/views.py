"""Pages and endpoints of the LMS area ``certificates``."""

from __future__ import annotations

from flask import Blueprint

bp = Blueprint("lms_certificates", __name__)
