"""Wire identity into an app: sessions (Flask-Login), bearer tokens, CSRF."""

from __future__ import annotations

from typing import TYPE_CHECKING

from flask import Flask, g, redirect, request, url_for
from flask_login import LoginManager
from flask_wtf.csrf import CSRFError, CSRFProtect

from kampus.identity import accounts
from kampus.oauth2 import authn
from kampus.rendering.setup import error_response, wants_json

if TYPE_CHECKING:
    from kampus.app import Kampus


def init_identity(app: Flask, kampus: Kampus) -> None:
    """Set up the login manager, bearer-token loading and CSRF protection."""
    login_manager = LoginManager()
    login_manager.login_view = "identity.login"
    login_manager.session_protection = "basic"
    login_manager.user_loader(accounts.load_session_user)
    login_manager.request_loader(authn.request_user)
    login_manager.init_app(app)

    @login_manager.unauthorized_handler
    def unauthorized():  # type: ignore[no-untyped-def]
        if wants_json() or request.headers.get("Authorization"):
            return error_response(401, "Authentication required.")
        return redirect(url_for("identity.login", next=request.full_path.rstrip("?")))

    # CSRF on every state-changing request, except requests authenticated by a
    # bearer token: they carry no cookie a third-party site could ride on.
    app.config["WTF_CSRF_CHECK_DEFAULT"] = False
    app.config["WTF_CSRF_TIME_LIMIT"] = None
    app.config["WTF_CSRF_SSL_STRICT"] = False
    csrf = CSRFProtect(app)

    @app.before_request
    def check_bearer_and_csrf():  # type: ignore[no-untyped-def]
        # Personal tokens, OAuth2 bearer tokens and JWTs: one code path (kampus.oauth2.authn).
        credential = authn.authenticate(request)
        if credential is not None:
            # A token is the only credential of its request: the session
            # cookie is ignored, so skipping CSRF cannot let a cookie ride along.
            if credential.user is None:
                return authn.failure_response(credential)
            g._login_user = credential.user  # what Flask-Login's current_user reads
            view = app.view_functions.get(request.endpoint) if request.endpoint else None
            return (authn.unrestricted_view_refusal(credential, view)
                    or authn.scope_refusal(credential, request.method))
        if request.method in ("GET", "HEAD", "OPTIONS", "TRACE"):
            return None
        if getattr(app.view_functions.get(request.endpoint or ""), "kampus_csrf_exempt", False):
            return None
        if any(not isinstance(key, str) for key in request.form):
            # a multipart part whose name did not decode: Flask-WTF's token lookup would crash on it
            return error_response(400, "The form could not be accepted: a field name is not valid text.")
        csrf.protect()
        return None

    @app.errorhandler(CSRFError)
    def csrf_error(error: CSRFError):  # type: ignore[no-untyped-def]
        message = f"The form could not be accepted: {error.description} Reload the page and try again."
        return error_response(400, message)

    @app.before_request
    def no_store_for_users() -> None:
        g._kampus_no_store = request.method != "GET" or request.path.startswith("/api/")
