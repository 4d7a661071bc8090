"""Throttling and CORS of the API (``/api/``, and ``/oauth2/`` for CORS and per-address limits).

Throttling (token buckets of :class:`kampus.identity.throttle.RateLimiter`, in each web process's
memory): a request with a token counts against that token (``api_token_rate_limit``) and against
its user (``api_user_rate_limit``, shared by all of the user's tokens and sessions); a
session-authenticated request against its user; an anonymous one against its address
(``api_anonymous_rate_limit``). Over a limit: 429 with ``Retry-After`` and Open edX's
throttle body (``{"detail": "Request was throttled. Expected available in N seconds."}``). 0
turns a limit off.

CORS (flask-cors): origins listed in ``cors_origins`` may call ``/api/`` and ``/oauth2/`` from a
browser (the mobile apps' web views, third-party front ends); preflight answers allow the
``Authorization`` header. Others get no ``Access-Control-Allow-Origin``. Cookies go along only when
``cors_allow_credentials`` is on, and then state-changing calls still need the CSRF token.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from flask import Flask, g, jsonify, request
from flask_cors import CORS
from flask_login import current_user
from werkzeug.wrappers import Response

from kampus.identity.throttle import rate_limiter
from kampus.oauth2 import authn

if TYPE_CHECKING:
    from kampus.app import Kampus

API_PREFIXES = ("/api/", "/oauth2/")


def throttled(wait: int) -> Response:
    """429 with ``Retry-After`` and Open edX's (Django REST framework's) body."""
    message = f"Request was throttled. Expected available in {wait} seconds."
    response = jsonify({"detail": message, "error": {"status": 429, "message": message}})
    response.status_code = 429
    response.headers["Retry-After"] = str(wait)
    return response


def _wait(kampus: Kampus, name: str, limit: int, key: str) -> int | None:
    if limit <= 0:
        return None
    return rate_limiter(kampus, f"api_{name}", limit, kampus.settings.api_rate_window).hit(key)


def check_rate(kampus: Kampus) -> Response | None:
    """Count the current API request; a 429 answer when a limit is reached."""
    settings = kampus.settings
    credential = authn.current_credential()
    if credential is not None:
        user_id = credential.user.id if credential.user is not None else None
    else:
        user_id = current_user.id if current_user.is_authenticated else None
    waits = []
    if credential is not None and credential.user is not None:
        waits.append(_wait(kampus, "token", settings.api_token_rate_limit, credential.throttle_key))
    if user_id is not None:
        waits.append(_wait(kampus, "user", settings.api_user_rate_limit, f"user:{user_id}"))
    else:
        # Anonymous requests and refused tokens (guesses) count against the address.
        waits.append(_wait(kampus, "anonymous", settings.api_anonymous_rate_limit, f"ip:{request.remote_addr}"))
    worst = max((wait for wait in waits if wait is not None), default=None)
    return throttled(worst) if worst is not None else None


def init_api_access(app: Flask, kampus: Kampus) -> None:
    """Throttle API requests and answer CORS for the configured origins (see the module's documentation).

    Registered before identity's checks, so that refused tokens (guesses) are counted too."""
    settings = kampus.settings

    @app.before_request
    def api_throttle() -> Response | None:
        if not request.path.startswith("/api/") or request.method == "OPTIONS":
            return None
        if g.get("_kampus_api_counted"):
            return None
        g._kampus_api_counted = True
        return check_rate(kampus)

    if settings.cors_origins:
        options = {
            "origins": list(settings.cors_origins),
            "supports_credentials": settings.cors_allow_credentials,
            "expose_headers": ["Retry-After", "Location"],
            "max_age": 86400,
        }
        CORS(app, resources={r"/api/*": options, r"/oauth2/*": options})
