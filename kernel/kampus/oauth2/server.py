"""The Authlib authorization server of an app: Open edX's ``/oauth2/access_token`` grants and revocation.

- ``password`` (how the mobile apps log in): public clients send ``client_id`` alone, confidential
  ones their secret (HTTP Basic or form). Wrong credentials answer ``400 {"error": "invalid_grant",
  "error_description": "Invalid credentials given."}``, like Open edX; failures count towards the same
  login throttle as the login page (``login_failure_limit``): past it, 429 with ``Retry-After``.
- ``client_credentials`` for servers: confidential clients with a service user, no refresh token.
- ``refresh_token``: a new access token and a new refresh token; the old pair is revoked (once: a
  second use of the same refresh token is ``invalid_grant``).
- ``token_type=jwt`` (or the ``X-Token-Type`` header) returns a JWT (``token_type`` ``JWT``) instead
  of an opaque bearer token.
- A restricted client (Open edX's ``RestrictedApplication``) gets bearer tokens that expired on
  1 January 1970 (``expires_in`` negative, as Open edX answers): only its JWTs, which carry
  ``is_restricted``, its scopes and its filters, can call the API.

Each app has its own server (:func:`authorization_server`); nothing is shared between apps.
"""

from __future__ import annotations

import secrets
import time
from datetime import timedelta
from typing import TYPE_CHECKING, Any

import sqlalchemy as sa
from authlib.integrations.flask_oauth2 import AuthorizationServer
from authlib.oauth2.rfc6749 import InvalidGrantError, InvalidRequestError, InvalidScopeError, OAuth2Error
from authlib.oauth2.rfc6749.grants import (
    ClientCredentialsGrant,
    RefreshTokenGrant,
    ResourceOwnerPasswordCredentialsGrant,
)
from authlib.oauth2.rfc7009 import RevocationEndpoint
from flask import request

from kampus import db
from kampus.current import current_kampus
from kampus.db import utcnow
from kampus.identity import throttle
from kampus.identity.accounts import find_user
from kampus.identity.models import User
from kampus.identity.passwords import verify_password
from kampus.oauth2.jwt import create_jwt
from kampus.oauth2.models import SCOPES, OAuthClient, OAuthToken, digest, scope_list

if TYPE_CHECKING:
    from kampus.app import Kampus

#: Client authentication accepted where public clients are allowed.
ANY_CLIENT = ["client_secret_basic", "client_secret_post", "none"]
CONFIDENTIAL_ONLY = ["client_secret_basic", "client_secret_post"]
TOKEN_TYPES = ("bearer", "jwt")

# The token endpoint's statements, built once (SQL expressions are immutable; each engine caches their
# compiled form). The client and the new token go through SQLAlchemy Core: a token request reads one
# client row and writes one token row, and the ORM's unit of work would be most of its cost.
_CLIENTS = OAuthClient.__table__
_LIVE_CLIENT = sa.select(_CLIENTS).where(_CLIENTS.c.client_id == sa.bindparam("client_id"),
                                         _CLIENTS.c.disabled_at.is_(None))
_INSERT_TOKEN = OAuthToken.__table__.insert()
_REFRESH_TOKEN = sa.select(OAuthToken).where(OAuthToken.refresh_digest == sa.bindparam("refresh_digest"))
_TOKEN_BY_DIGEST = sa.select(OAuthToken).where(sa.or_(OAuthToken.access_digest == sa.bindparam("value"),
                                                      OAuthToken.refresh_digest == sa.bindparam("value")))


class TooManyFailuresError(OAuth2Error):
    """Too many failed logins for the account or the address (429 with ``Retry-After``)."""

    error = "too_many_requests"
    status_code = 429

    def __init__(self, wait: int):
        super().__init__(f"Too many failed logins. Try again in {wait} seconds.")
        self.wait = wait

    def get_headers(self) -> list[tuple[str, str]]:
        return [*super().get_headers(), ("Retry-After", str(self.wait))]


def requested_token_type() -> str:
    """``bearer`` or ``jwt``: the form field ``token_type``, else the ``X-Token-Type`` header (Open edX)."""
    value = (request.form.get("token_type") or request.headers.get("X-Token-Type") or "bearer").lower()
    if value not in TOKEN_TYPES:
        raise InvalidRequestError("'token_type' must be 'bearer' or 'jwt'.")
    return value


class TokenGenerator:
    """Authlib's token generator, Open edX's way: opaque bearer tokens or JWTs, per the request."""

    def __init__(self, kampus: Kampus):
        self.kampus = kampus

    def __call__(self, grant_type: str, client: OAuthClient, user: User | None = None, scope: str | None = None,
                 expires_in: int | None = None, include_refresh_token: bool = True) -> dict[str, Any]:
        allowed = client.get_allowed_scope(scope)
        if allowed is None:
            raise InvalidScopeError()
        settings = self.kampus.settings
        expires_in = expires_in or settings.oauth2_access_token_seconds
        if user is None and client.user_id is None:
            raise InvalidRequestError("The client has no service user.")
        if requested_token_type() == "jwt":
            # A client's service user exists while the client does (the foreign key cascades on delete).
            subject = user if user is not None else db.session().get(User, client.user_id)
            if subject is None:
                raise InvalidRequestError("The client has no service user.")
            access_token, token_type = create_jwt(
                self.kampus, subject, scope_list(allowed), expires_in, grant_type,
                filters=client.token_filters(), is_restricted=client.restricted), "JWT"
        else:
            access_token, token_type = secrets.token_urlsafe(32), "Bearer"
            if client.restricted:
                expires_in = -int(time.time())  # stored as expiring at the epoch (save_token)
        token: dict[str, Any] = {"access_token": access_token, "token_type": token_type,
                                 "expires_in": expires_in, "scope": allowed}
        if include_refresh_token and grant_type != "client_credentials":
            token["refresh_token"] = secrets.token_urlsafe(32)
        return token


class PasswordGrant(ResourceOwnerPasswordCredentialsGrant):
    """The password grant, throttled like the login page."""

    TOKEN_ENDPOINT_AUTH_METHODS = ANY_CLIENT

    def authenticate_user(self, username: str, password: str) -> User:
        settings = current_kampus().settings
        db_session = db.session()
        user = find_user(db_session, username)
        key = throttle.account_key(user, username)
        ip = request.remote_addr or ""
        wait = throttle.retry_after(db_session, key, ip, settings.login_failure_limit, settings.login_failure_window)
        if wait is not None:
            raise TooManyFailuresError(wait)
        # verify_password runs even without a user (against a dummy hash), so timing tells nothing.
        password_ok = verify_password(user.password_hash if user else "", password)
        if user is None or not user.is_active or not password_ok:
            throttle.record_failure(db_session, key, ip)
            db_session.commit()
            raise InvalidGrantError("Invalid credentials given.")
        if settings.require_email_confirmation and user.email_confirmed_at is None:
            raise InvalidGrantError("The account's e-mail address is not confirmed yet.")
        throttle.clear_failures(db_session, key)
        return user


class ServiceCredentialsGrant(ClientCredentialsGrant):
    """Client credentials: confidential clients only, acting as their service user."""

    TOKEN_ENDPOINT_AUTH_METHODS = CONFIDENTIAL_ONLY


class RefreshGrant(RefreshTokenGrant):
    """Refresh tokens are used once: the new token comes with a new refresh token."""

    TOKEN_ENDPOINT_AUTH_METHODS = ANY_CLIENT
    INCLUDE_NEW_REFRESH_TOKEN = True

    def authenticate_refresh_token(self, refresh_token: str) -> OAuthToken | None:
        record = db.session().scalar(_REFRESH_TOKEN, {"refresh_digest": digest(refresh_token)})
        return record if record is not None and record.refresh_usable() else None

    def authenticate_user(self, refresh_token: OAuthToken) -> User | None:
        user = db.session().get(User, refresh_token.user_id) if refresh_token.user_id is not None else None
        return user if user is not None and user.is_active else None

    def revoke_old_credential(self, refresh_token: OAuthToken) -> None:
        # Compare-and-set: of two requests racing with the same refresh token, one wins.
        now = utcnow()
        result = db.session().execute(
            sa.update(OAuthToken)
            .where(OAuthToken.id == refresh_token.id, OAuthToken.refresh_revoked_at.is_(None))
            .values(refresh_revoked_at=now, revoked_at=now)
            .execution_options(synchronize_session=False)
        )
        if result.rowcount != 1:  # type: ignore[attr-defined]
            raise InvalidGrantError()


class Revocation(RevocationEndpoint):
    """``/oauth2/revoke_token``: revokes an access or refresh token and the other one of its pair."""

    CLIENT_AUTH_METHODS = ANY_CLIENT

    def query_token(self, token_string: str, token_type_hint: str | None) -> OAuthToken | None:
        return db.session().scalar(_TOKEN_BY_DIGEST, {"value": digest(token_string)})

    def revoke_token(self, token: OAuthToken, request: Any) -> None:
        now = utcnow()
        token.revoked_at = token.revoked_at or now
        token.refresh_revoked_at = token.refresh_revoked_at or now


def query_client(client_id: str) -> OAuthClient | None:
    """The live client called ``client_id`` (a detached copy of its row: Authlib only reads it)."""
    row = db.session().connection().execute(_LIVE_CLIENT, {"client_id": client_id}).first()
    return OAuthClient(**row._mapping) if row is not None else None


def save_token(token: dict[str, Any], oauth_request: Any) -> None:
    """Store a new token (digests only); the view commits when the answer is a success."""
    client: OAuthClient = oauth_request.client
    user = oauth_request.user
    settings = current_kampus().settings
    now = utcnow()
    refresh = token.get("refresh_token")
    db.session().connection().execute(_INSERT_TOKEN, {
        "client_pk": client.id,
        "user_id": user.id if user is not None else client.user_id,
        "token_type": "jwt" if token["token_type"] == "JWT" else "bearer",
        "access_digest": digest(token["access_token"]),
        "refresh_digest": digest(refresh) if refresh else None,
        "scope": token.get("scope", ""),
        "issued_at": now,
        "expires_at": now + timedelta(seconds=int(token["expires_in"])),
        "refresh_expires_at": now + timedelta(days=settings.oauth2_refresh_token_days) if refresh else None,
        "revoked_at": None,
        "refresh_revoked_at": None,
    })


def _make_server(kampus: Kampus) -> AuthorizationServer:
    server = AuthorizationServer(query_client=query_client, save_token=save_token)
    server.register_token_generator("default", TokenGenerator(kampus))
    server.scopes_supported = list(SCOPES)
    server.register_grant(PasswordGrant)
    server.register_grant(ServiceCredentialsGrant)
    server.register_grant(RefreshGrant)
    server.register_endpoint(Revocation)
    return server


def authorization_server(kampus: Kampus) -> AuthorizationServer:
    """The app's Authlib server (made once per app)."""
    return kampus.kept("oauth2:server", lambda: _make_server(kampus))
