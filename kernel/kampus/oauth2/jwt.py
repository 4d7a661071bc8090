"""JWT access tokens in Open edX's shape (``oauth_dispatch/jwt.py``: ``create_jwt_for_user``).

Signed **HS256** with a key derived from the site's ``secret_key`` (an HMAC of it with a fixed
label, so the JWT key is not the session key itself); the request field ``asymmetric_jwt`` is
accepted and answered with the same HS256 token (no key pair, no JWKS yet). Claims: ``iss``
(setting ``jwt_issuer``, default ``<site>/oauth2``), ``aud`` (``jwt_audience``), ``exp``, ``iat``,
``sub`` (the user's site-wide anonymous id), ``preferred_username``, ``scopes``, ``filters``,
``version``, ``is_restricted``, ``grant_type``, ``email_verified``; with the ``email`` scope
``email``; with ``profile`` ``name``, ``administrator`` and ``superuser``; with ``user_id`` the
``user_id``.

JWTs are checked by signature and claims alone (no database read besides the user), so like Open
edX's they cannot be revoked before they expire: revoke their refresh token instead.

Uses joserfc, the JOSE library of the Authlib project (Authlib's own ``authlib.jose`` is deprecated
in its favour).
"""

from __future__ import annotations

import hashlib
import hmac
import time
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

from joserfc import jwt as jose_jwt
from joserfc.errors import ExpiredTokenError, JoseError
from joserfc.jwk import OctKey

from kampus import db
from kampus.identity.anonymous_ids import anonymous_id_for
from kampus.urls import site_base_url

if TYPE_CHECKING:
    from kampus.app import Kampus
    from kampus.identity.models import User

ALGORITHM = "HS256"
#: Version of the claims layout (Open edX's ``JWT_AUTH['JWT_SUPPORTED_VERSION']``).
VERSION = "1.2.0"
#: Seconds of clock difference accepted on ``exp`` and ``iat``.
LEEWAY = 30


class JwtError(Exception):
    """A JWT that is refused; ``message`` is Open edX's ``detail`` text."""

    def __init__(self, message: str, code: str):
        super().__init__(message)
        self.message = message
        self.code = code


def signing_key(kampus: Kampus) -> OctKey:
    """The app's JWT key (kept on the app)."""
    def make() -> OctKey:
        raw = hmac.new(kampus.settings.secret_key.encode(), b"kampus.oauth2.jwt", hashlib.sha256).digest()
        return OctKey.import_key(raw)
    return kampus.kept("oauth2:jwt_key", make)


def issuer(kampus: Kampus) -> str:
    """The ``iss`` of the site's JWTs."""
    return kampus.settings.jwt_issuer or site_base_url() + "/oauth2"


def create_jwt(kampus: Kampus, user: User, scopes: Sequence[str], expires_in: int, grant_type: str,
               filters: Sequence[str] = ()) -> str:
    """A signed JWT for ``user`` with Open edX's claims (see the module's documentation)."""
    now = int(time.time())
    claims: dict[str, Any] = {
        "iss": issuer(kampus),
        "aud": kampus.settings.jwt_audience,
        "exp": now + expires_in,
        "iat": now,
        "sub": anonymous_id_for(user.id, db_session=db.session()),
        "preferred_username": user.username,
        "scopes": list(scopes),
        "filters": list(filters),
        "version": VERSION,
        "is_restricted": False,
        "grant_type": grant_type,
        "email_verified": user.email_confirmed_at is not None,
    }
    if "email" in scopes:
        claims["email"] = user.email
    if "profile" in scopes:
        claims["name"] = user.name
        claims["administrator"] = user.is_staff
        claims["superuser"] = user.is_superuser
    if "user_id" in scopes:
        claims["user_id"] = user.id
    return jose_jwt.encode({"alg": ALGORITHM, "typ": "JWT"}, claims, signing_key(kampus))


def claims_registry(kampus: Kampus) -> jose_jwt.JWTClaimsRegistry:
    """What every accepted JWT must claim (kept per app and issuer)."""
    expected_issuer = issuer(kampus)
    return kampus.kept(f"oauth2:jwt_claims:{expected_issuer}", lambda: jose_jwt.JWTClaimsRegistry(
        leeway=LEEWAY,
        iss={"essential": True, "value": expected_issuer},
        aud={"essential": True, "value": kampus.settings.jwt_audience},
        exp={"essential": True},
        preferred_username={"essential": True},
    ))


def verify_jwt(kampus: Kampus, token: str) -> dict[str, Any]:
    """The claims of a valid JWT of this site; raises :class:`JwtError` (with Open edX's
    messages: ``Signature has expired.``, ``Error decoding signature.``) otherwise."""
    try:
        decoded = jose_jwt.decode(token, signing_key(kampus), algorithms=[ALGORITHM])
    except (JoseError, ValueError, TypeError):
        raise JwtError("Error decoding signature.", "token_malformed") from None
    try:
        claims_registry(kampus).validate(decoded.claims)
    except ExpiredTokenError:
        raise JwtError("Signature has expired.", "token_expired") from None
    except JoseError:
        raise JwtError("Invalid token claims.", "token_invalid") from None
    return decoded.claims
