"""``/api/openapi.json`` (the document) and ``/api/docs`` (Swagger UI, served from the site itself)."""

from __future__ import annotations

from pathlib import Path

import flask_swagger_ui
from flask import Blueprint, current_app, jsonify, render_template, send_from_directory
from werkzeug.wrappers import Response

from kampus.api_docs import openapi_document

#: Swagger UI's files, from the flask-swagger-ui package (PyPI).
SWAGGER_UI_DIST = Path(flask_swagger_ui.__file__).parent / "dist"

# Endpoints named "openapi.*" are left out of the document by SpecTree.
bp = Blueprint("openapi", __name__)


@bp.get("/api/openapi.json")
def document() -> Response:
    """The OpenAPI 3 document of the site's API."""
    response = jsonify(openapi_document(current_app))
    response.headers["Cache-Control"] = "no-cache"
    return response


@bp.get("/api/docs")
@bp.get("/api/docs/")
def docs() -> str:
    """Browsable documentation of the API (Swagger UI)."""
    return render_template("kampus/api_docs/docs.html")


@bp.get("/api/docs/static/<path:filename>")
def static(filename: str) -> Response:
    """Swagger UI's scripts and styles."""
    return send_from_directory(SWAGGER_UI_DIST, filename, max_age=86400)
