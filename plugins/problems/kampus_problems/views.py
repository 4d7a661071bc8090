"""Static files of the problems plugin (``/static/problems/``: problem.js, jsinput.js, problem.css)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from flask import Blueprint, send_from_directory

STATIC = Path(__file__).resolve().parent / "static" / "problems"

bp = Blueprint("problems", __name__)


@bp.get("/static/problems/<path:filename>")
def problems_static(filename: str) -> Any:
    return send_from_directory(STATIC, filename, max_age=3600)
