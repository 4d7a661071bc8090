"""Who a token-authenticated request is: the one code path for every kind of API token.

``Authorization: Bearer kmp_…`` is a personal token (:mod:`kampus.identity.tokens`),
``Authorization: Bearer <other>`` an OAuth2 access token from ``/oauth2/access_token``, and
``Authorization: JWT <jwt>`` a JWT from the same endpoint (``token_type=jwt``). :func:`authenticate`
returns a :class:`Credential` (the user, the scopes, the throttle key) or, for a token that does not
hold, a failure that :func:`failure_response` answers with 401 and Open edX's body (``error_code``,
``developer_message``; ``detail`` for JWTs) plus Kampus's ``error`` object.

A token is the only credential of its request: the session cookie is then ignored, which is why
token-authenticated requests need no CSRF token (see :mod:`kampus.identity.setup`).

Scopes: tokens from ``/oauth2/access_token`` carry scopes; one without ``write`` may only read
(``GET``/``HEAD``/``OPTIONS``): other methods get 403 ``insufficient_scope``. Personal tokens and
sessions hold every scope.

Restricted clients (Open edX's ``RestrictedApplication``) call the API with JWTs that say
``is_restricted`` and carry their scopes and ``filters``. Views that Open edX guards with
``JWT_RESTRICTED_APPLICATION_OR_USER_ACCESS`` and ``required_scopes`` declare their scopes with
:func:`require_scopes`: a restricted JWT needs those scopes (``JwtHasScope``), a ``content_org``
filter for the organisation of the requested course (``JwtHasContentOrgFilterForRequestedCourse``)
and, when it has a ``user`` filter, to ask for that user (``JwtHasUserFilterForRequestedUser``);
other credentials pass on to the view's own checks, as in Open edX. Every other view refuses a
restricted JWT with 403 (:func:`unrestricted_view_refusal`, Open edX's ``NotJwtRestrictedApplication``,
which edx-drf-extensions adds to every JWT-authenticated view that does not handle restricted
applications), HTML pages included.
"""

from __future__ import annotations

import functools
import hashlib
import inspect
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, TypeVar, cast

import sqlalchemy as sa
from flask import Request, g, jsonify
from flask import request as flask_request
from werkzeug.wrappers import Response

from kampus import db
from kampus.course_keys import parse_course_key
from kampus.current import current_kampus
from kampus.db import utcnow
from kampus.identity import tokens
from kampus.identity.models import User
from kampus.oauth2.jwt import JwtError, verify_jwt
from kampus.oauth2.models import OAuthToken, digest

PERSONAL = "personal"
BEARER = "bearer"
JWT = "jwt"
SAFE_METHODS = ("GET", "HEAD", "OPTIONS")

F = TypeVar("F", bound=Callable[..., Any])


@dataclass(frozen=True)
class Credential:
    """The outcome of a request's ``Authorization`` header.

    ``user`` is ``None`` when the token was refused; then ``error_code`` and ``message`` say why.
    ``scopes`` is ``None`` for credentials that hold every scope (personal tokens). ``restricted``
    and ``filters`` are a JWT's ``is_restricted`` and ``filters`` claims.
    """

    kind: str
    user: User | None
    throttle_key: str
    scopes: frozenset[str] | None = None
    error_code: str = ""
    message: str = ""
    restricted: bool = False
    filters: tuple[str, ...] = ()

    def has_scope(self, scope: str) -> bool:
        return self.scopes is None or scope in self.scopes


def token_of(request: Request) -> tuple[str, str] | None:
    """``(scheme, token)`` of a ``Bearer`` or ``JWT`` Authorization header, scheme lower-cased; else ``None``."""
    scheme, _, value = request.headers.get("Authorization", "").partition(" ")
    scheme = scheme.lower()
    if scheme not in ("bearer", "jwt") or not value.strip():
        return None
    return scheme, value.strip()


def _throttle_key(token: str) -> str:
    return "token:" + hashlib.sha256(token.encode()).hexdigest()[:32]


def _refused(kind: str, key: str, code: str, message: str) -> Credential:
    return Credential(kind, None, key, error_code=code, message=message)


def _personal(request: Request, token: str, key: str) -> Credential:
    user = tokens.load_bearer_user(request)
    if user is None:
        return _refused(PERSONAL, key, "token_nonexistent", "The token is invalid or revoked.")
    return Credential(PERSONAL, user, key)


def _bearer(token: str, key: str) -> Credential:
    db_session = db.session()
    record = db_session.scalar(sa.select(OAuthToken).where(OAuthToken.access_digest == digest(token)))
    if record is None or record.revoked_at is not None or record.token_type != BEARER:
        return _refused(BEARER, key, "token_nonexistent", "The provided access token does not match any valid tokens.")
    if record.expires_at <= utcnow():
        return _refused(BEARER, key, "token_expired", "The provided access token has expired and is no longer valid.")
    user = db_session.get(User, record.user_id) if record.user_id is not None else None
    if user is None or not user.is_active:
        name = user.username if user is not None else "?"
        return _refused(BEARER, key, "user_not_active", f"User inactive or deleted: {name}")
    return Credential(BEARER, user, key, frozenset(record.scope.split()))


def _jwt(token: str, key: str) -> Credential:
    try:
        claims = verify_jwt(current_kampus(), token)
    except JwtError as exc:
        return _refused(JWT, key, exc.code, exc.message)
    user = db.session().scalar(sa.select(User).where(User.username == claims["preferred_username"]))
    if user is None or not user.is_active:
        return _refused(JWT, key, "user_not_active", "User inactive or deleted.")
    scopes = claims.get("scopes")
    filters = claims.get("filters")
    return Credential(JWT, user, key, frozenset(scopes) if isinstance(scopes, list) else frozenset(),
                      restricted=claims.get("is_restricted") is True,
                      filters=tuple(str(item) for item in filters) if isinstance(filters, list) else ())


def authenticate(request: Request) -> Credential | None:
    """The credential of ``request``'s Authorization header (``None`` without a token); kept on ``g``."""
    if "_kampus_credential" in g:
        return cast(Credential | None, g._kampus_credential)
    found = token_of(request)
    credential: Credential | None = None
    if found is not None:
        scheme, token = found
        key = _throttle_key(token)
        if scheme == "jwt":
            credential = _jwt(token, key)
        elif token.startswith(tokens.TOKEN_PREFIX):
            credential = _personal(request, token, key)
        else:
            credential = _bearer(token, key)
    g._kampus_credential = credential
    return credential


def request_user(request: Request) -> User | None:
    """Flask-Login's request loader: the user of a token that holds."""
    credential = authenticate(request)
    return credential.user if credential is not None else None


def current_credential() -> Credential | None:
    """The token credential of the current request (``None`` for sessions and anonymous requests)."""
    return authenticate(flask_request)


def _error_body(status: int, code: str, message: str, **extra: Any) -> dict[str, Any]:
    return {"error_code": code, "developer_message": message, **extra,
            "error": {"status": status, "message": message, "code": code}}


def failure_response(credential: Credential) -> Response:
    """401 for a refused token, in Open edX's shape."""
    extra = {"detail": credential.message} if credential.kind == JWT else {}
    response = jsonify(_error_body(401, credential.error_code, credential.message, **extra))
    response.status_code = 401
    scheme = "JWT" if credential.kind == JWT else "Bearer"
    response.headers["WWW-Authenticate"] = f'{scheme} realm="api", error="invalid_token"'
    return response


def scope_refusal(credential: Credential, method: str) -> Response | None:
    """403 when a token without the ``write`` scope is used to change something; else ``None``."""
    if method in SAFE_METHODS or credential.has_scope("write"):
        return None
    return insufficient_scope("write")


def insufficient_scope(*scopes: str) -> Response:
    """403 ``insufficient_scope`` naming the scopes a request's token lacks."""
    message = "The token's scopes do not include " + ", ".join(repr(scope) for scope in scopes) + "."
    response = jsonify(_error_body(403, "insufficient_scope", message))
    response.status_code = 403
    response.headers["WWW-Authenticate"] = f'Bearer realm="api", error="insufficient_scope", scope="{" ".join(scopes)}"'
    return response


#: Open edX's messages of the permissions that refuse a restricted JWT (their ``message``).
MISSING_SCOPES = "JWT missing required scopes."
MISSING_CONTENT_ORG = "JWT missing required content_org filter."
MISSING_USER = "JWT missing required user filter."


#: Django REST framework's message of a permission without its own (``NotJwtRestrictedApplication``).
NOT_PERMITTED = "You do not have permission to perform this action."


def handles_restricted_clients(view: Callable[..., Any] | None) -> bool:
    """Whether ``view`` declares required scopes (:func:`require_scopes`, ``doc(scopes=...)``)."""
    return bool(getattr(view, "kampus_required_scopes", ()) or getattr(view, "kampus_api_scopes", ()))


def unrestricted_view_refusal(credential: Credential, view: Callable[..., Any] | None) -> Response | None:
    """403 when a restricted JWT calls a view that declares no required scopes (Open edX's
    ``NotJwtRestrictedApplication``); ``None`` otherwise. ``view`` is ``None`` when no route matched:
    the router answers (404/405)."""
    if credential.kind != JWT or not credential.restricted or view is None or handles_restricted_clients(view):
        return None
    return permission_denied(NOT_PERMITTED)


def _filter_values(credential: Credential, name: str) -> list[str]:
    return [value for kind, _, value in (item.partition(":") for item in credential.filters) if kind == name]


def restricted_refusal(credential: Credential | None, scopes: tuple[str, ...], course_id: str | None,
                       username: str | None, check_course: bool) -> str:
    """Why a restricted JWT may not call a view that requires ``scopes`` (Open edX's message), or ``""``.

    ``course_id`` is the course the request is about (``check_course``: the view takes one),
    ``username`` the user it names (``None``: none)."""
    if credential is None or credential.kind != JWT or not credential.restricted:
        return ""
    if not scopes or not set(scopes) <= (credential.scopes or frozenset()):
        return MISSING_SCOPES
    if check_course:
        key = parse_course_key(course_id)
        if key is None or key.org not in _filter_values(credential, "content_org"):
            return MISSING_CONTENT_ORG
    users = _filter_values(credential, "user")
    if users and credential.user is not None:
        wanted = credential.user.username.lower() if users[0] == "me" else users[0].lower()
        if (username or "").lower() != wanted:
            return MISSING_USER
    return ""


def permission_denied(message: str) -> Response:
    """403 in the shape of Django REST framework's ``PermissionDenied`` (``detail``), with Open edX's
    developer fields and Kampus's ``error`` object."""
    response = jsonify(_error_body(403, "permission_denied", message, detail=message))
    response.status_code = 403
    return response


def require_scopes(*scopes: str) -> Callable[[F], F]:
    """Decorate a view that Open edX guards with ``required_scopes`` and
    ``JWT_RESTRICTED_APPLICATION_OR_USER_ACCESS``: restricted JWTs need ``scopes``, a ``content_org``
    filter for the course of the request (the view's ``course_id`` argument or query parameter, when
    the view takes one) and their ``user`` filter's user (the ``username`` argument or query
    parameter). Other credentials pass. Refusals are 403 with Open edX's message as ``detail``."""
    def decorate(view: F) -> F:
        takes_course = "course_id" in inspect.signature(view).parameters

        @functools.wraps(view)
        def wrapper(*args: Any, **kwargs: Any) -> Any:
            credential = current_credential()
            if credential is not None and credential.restricted:
                message = restricted_refusal(
                    credential, scopes, kwargs.get("course_id") or flask_request.args.get("course_id"),
                    kwargs.get("username") or flask_request.args.get("username"), takes_course)
                if message:
                    return permission_denied(message)
            return view(*args, **kwargs)
        wrapper.kampus_required_scopes = scopes  # type: ignore[attr-defined]
        return cast(F, wrapper)
    return decorate
