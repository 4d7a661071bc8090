"""JWT access tokens in Open edX's shape (``oauth_dispatch/jwt.py``: ``create_jwt_for_user``).

Signed like Open edX's asymmetric JWTs: with the site's private RSA key (**RS512** by default,
setting ``jwt_signing_algorithm``), its ``kid`` in the header; the public keys are published at
``/oauth2/jwks.json`` (:mod:`kampus.oauth2.signing_keys`). Every JWT is asymmetric, so the request
field ``asymmetric_jwt`` changes nothing.

Claims: ``iss`` (setting ``jwt_issuer``, default ``<site>/oauth2``), ``aud`` (``jwt_audience``),
``exp``, ``iat``, ``sub`` (the user's site-wide anonymous id), ``preferred_username``, ``scopes``,
``filters`` (the client's: ``content_org:<org>``, and ``user:me`` for client-credentials clients),
``version``, ``is_restricted`` (the client is restricted: see :mod:`kampus.oauth2.authn`),
``grant_type``, ``email_verified``, ``jti`` (a random id: two JWTs issued in the same second to the
same user differ, so each has its own token record); with the ``email`` scope ``email``; with ``profile`` ``name``,
``administrator`` and ``superuser``; with ``user_id`` the ``user_id``.

Verification accepts a JWT signed by any key of the site's key file (the signing key and those kept
after a rotation), RS256, RS384 or RS512. HS256 JWTs of earlier Kampus versions are refused
(their clients get a new token with their refresh token).

JWTs are checked by signature and claims alone (no database read besides the user), so like Open
edX's they cannot be revoked before they expire: revoke their refresh token instead.

Uses joserfc, the JOSE library of the Authlib project (Authlib's own ``authlib.jose`` is deprecated
in its favour).
"""

from __future__ import annotations

import secrets
import time
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

from joserfc import jwt as jose_jwt
from joserfc.errors import ExpiredTokenError, JoseError

from kampus import db
from kampus.identity.anonymous_ids import anonymous_id_for
from kampus.oauth2.signing_keys import ALGORITHMS, key_ring
from kampus.urls import site_base_url

if TYPE_CHECKING:
    from kampus.app import Kampus
    from kampus.identity.models import User

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


def public_key_set(kampus: Kampus) -> dict[str, Any]:
    """The public JSON Web Key Set of the site's JWTs (what ``/oauth2/jwks.json`` serves)."""
    return key_ring(kampus).public


def issuer(kampus: Kampus) -> str:
    """The ``iss`` of the site's JWTs."""
    return kampus.settings.jwt_issuer or site_base_url() + "/oauth2"


def create_jwt(kampus: Kampus, user: User, scopes: Sequence[str], expires_in: int, grant_type: str,
               filters: Sequence[str] = (), is_restricted: bool = False) -> str:
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
        "is_restricted": is_restricted,
        "grant_type": grant_type,
        "email_verified": user.email_confirmed_at is not None,
        "jti": secrets.token_urlsafe(16),
    }
    if "email" in scopes:
        claims["email"] = user.email
    if "profile" in scopes:
        claims["name"] = user.name
        claims["administrator"] = user.is_staff
        claims["superuser"] = user.is_superuser
    if "user_id" in scopes:
        claims["user_id"] = user.id
    key = key_ring(kampus).signing()
    algorithm = str(key.get("alg") or kampus.settings.jwt_signing_algorithm)
    return jose_jwt.encode({"alg": algorithm, "kid": key.kid, "typ": "JWT"}, claims, key, algorithms=[algorithm])


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
        decoded = jose_jwt.decode(token, key_ring(kampus).verifying, algorithms=list(ALGORITHMS))
    except (JoseError, ValueError, TypeError, KeyError):
        raise JwtError("Error decoding signature.", "token_malformed") from None
    try:
        claims_registry(kampus).validate(decoded.claims)
    except ExpiredTokenError:
        raise JwtError("Signature has expired.", "token_expired") from None
    except JoseError:
        raise JwtError("Invalid token claims.", "token_invalid") from None
    return decoded.claims
