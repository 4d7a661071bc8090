"""Wire rendering into an app: template loaders, context, errors, headers, static files."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Any

import flask_bootstrap
from flask import Flask, Response, g, jsonify, render_template, request, send_from_directory
from flask_babel import Babel, get_locale, get_translations
from flask_login import current_user
from jinja2 import ChoiceLoader, FileSystemLoader, PackageLoader
from werkzeug.exceptions import HTTPException, InternalServerError

from kampus.plugins import flatten
from kampus.rendering import dates
from kampus.rendering.csp import BASE_POLICY, content_security_policy, csp_nonce

if TYPE_CHECKING:
    from kampus.app import Kampus

KERNEL_STATIC = Path(__file__).resolve().parent.parent / "static"
#: Bootstrap's CSS and JS as installed from PyPI with Bootstrap-Flask.
BOOTSTRAP_STATIC = Path(flask_bootstrap.__file__).resolve().parent / "static" / "bootstrap5"

#: The policy of a page that widened nothing (:mod:`kampus.rendering.csp` builds each response's).
CONTENT_SECURITY_POLICY = BASE_POLICY


def wants_json() -> bool:
    """True for API paths and clients that prefer JSON to HTML."""
    if request.path.startswith("/api/"):
        return True
    best = request.accept_mimetypes.best_match(["text/html", "application/json"])
    return best == "application/json" and request.accept_mimetypes[best] > request.accept_mimetypes["text/html"]


def error_response(status: int, message: str, **extra: Any) -> Response:
    """An error page in the layout, or a JSON error body for API clients: Kampus's ``error`` object with
    Open edX's ``developer_message``/``user_message`` beside it, so that the kernel's own refusals (a CSRF
    failure, a 404 before any view) match the error shape of every API, Kampus's or Open edX's."""
    if wants_json():
        body = {"developer_message": message, "user_message": message,
                "error": {"status": status, "message": message, **extra}}
        response = jsonify(body)
    else:
        response = Response(render_template("kampus/error.html", status=status, message=message))
    response.status_code = status
    return response


def request_translations() -> Any:
    """The translations of the current request's locale, kept on ``g`` for the rest of the request
    (code that switches locale within a request, like ``flask_babel.force_locale``, must drop
    ``g._kampus_translations``)."""
    translations = g.get("_kampus_translations")
    if translations is None:
        translations = g._kampus_translations = get_translations()
    return translations


def init_rendering(app: Flask, kampus: Kampus) -> None:
    """Template loaders (site overrides, then plugins, then kernel), context and errors."""
    settings = kampus.settings
    loaders: list[Any] = []
    site_templates = Path(settings.site_templates)
    if site_templates.is_dir():
        loaders.append(FileSystemLoader(str(site_templates)))
    loaders.extend(FileSystemLoader(folder) for folder in flatten(kampus.hook.kampus_template_folders()))
    loaders.append(PackageLoader("kampus", "templates"))
    app.jinja_loader = ChoiceLoader(loaders)
    app.jinja_env.autoescape = True
    app.jinja_env.globals["site_name"] = settings.site_name
    app.jinja_env.globals["get_locale"] = get_locale
    app.jinja_env.globals["csp_nonce"] = csp_nonce

    Babel(app, default_locale=settings.default_locale, default_timezone=settings.default_timezone,
          locale_selector=dates.select_locale, timezone_selector=dates.select_timezone)
    dates.install(app)  # |user_datetime, |user_date, |iso_datetime, |time_tag: dates in the user's zone
    # Templates translate through the request's catalogue, looked up once per request: Flask-Babel's
    # own callables find the locale again for every string (about 40 us each, hundreds on a page).
    app.jinja_env.install_gettext_callables(  # type: ignore[attr-defined]
        lambda string: request_translations().ugettext(string),
        lambda singular, plural, n: request_translations().ungettext(singular, plural, n),
        newstyle=True,
    )

    @app.context_processor
    def layout_context() -> dict[str, Any]:
        # Made once per request and user: a page that renders several templates (a unit page and the
        # fragments plugins render into it) asks the hooks once (the bell's count is a query).
        user_key = current_user.get_id() if current_user else None
        made = g.get("_kampus_layout_context")
        if made is not None and made[0] == user_key:
            return dict(made[1])
        context: dict[str, Any] = {}
        for extra in kampus.hook.kampus_template_context():
            if extra:
                context.update(extra)
        items = flatten(kampus.hook.kampus_nav_items(user=current_user))
        context["nav_items"] = sorted(items, key=lambda item: (item.order, item.label))
        g._kampus_layout_context = (user_key, context)
        return dict(context)

    @app.route("/static/kampus/<path:filename>", endpoint="kampus_static")
    def kampus_static(filename: str) -> Response:
        return send_from_directory(KERNEL_STATIC / "kampus", filename, max_age=3600)

    @app.route("/static/vendor/bootstrap/<path:filename>", endpoint="bootstrap_static")
    def bootstrap_static(filename: str) -> Response:
        return send_from_directory(BOOTSTRAP_STATIC, filename, max_age=86400)

    @app.errorhandler(HTTPException)
    def http_error(error: HTTPException) -> Response:
        response = error_response(error.code or 500, error.description or error.name)
        if error.code == 405 and error.valid_methods:
            response.headers["Allow"] = ", ".join(error.valid_methods)
        return response

    @app.errorhandler(Exception)
    def unhandled_error(error: Exception) -> Response:
        app.logger.exception("unhandled error on %s %s", request.method, request.path)
        return error_response(500, InternalServerError.description)

    @app.after_request
    def security_headers(response: Response) -> Response:
        response.headers.setdefault("X-Content-Type-Options", "nosniff")
        response.headers.setdefault("X-Frame-Options", "SAMEORIGIN")
        response.headers.setdefault("Referrer-Policy", "same-origin")
        # a view's own policy (or the base one), with the nonce and sources its rendering allowed
        policy = response.headers.get("Content-Security-Policy")
        response.headers["Content-Security-Policy"] = content_security_policy(policy)
        if g.get("_kampus_no_store"):
            response.headers["Cache-Control"] = "no-store"
        return response
