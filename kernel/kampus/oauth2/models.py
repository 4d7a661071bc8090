"""Registered OAuth2 clients and the tokens issued to them (Open edX's DOT ``Application`` and
``AccessToken``/``RefreshToken``).

Secrets and tokens are stored only as SHA-256 digests: they are random and long, so a plain digest is
enough to make a stolen table useless, and it lets a token be found by one indexed lookup. The
methods named in Authlib's ``ClientMixin``/``TokenMixin`` let Authlib's grants use the rows directly.
"""

from __future__ import annotations

import hashlib
import hmac
from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column

from kampus.db import Base, UTCDateTime, utcnow

PUBLIC = "public"
CONFIDENTIAL = "confidential"
CLIENT_TYPES = (PUBLIC, CONFIDENTIAL)

#: Grant types a client may be allowed (Open edX's mobile apps use ``password`` and ``refresh_token``).
GRANT_TYPES = ("password", "client_credentials", "refresh_token")

#: Open edX's OAuth2 scopes (``OAUTH2_PROVIDER['SCOPES']``).
SCOPES: dict[str, str] = {
    "read": "Read access",
    "write": "Write access",
    "email": "Know your email address",
    "profile": "Know your name and username",
    "user_id": "Know your user identifier",
    "grades:read": "Retrieve your grades for your enrolled courses",
    "certificates:read": "Retrieve your course certificates",
    "enrollments:read": "Read your enrollments",
}
#: Filter of a JWT that limits it to the courses of one organisation (Open edX's ``content_org:<org>``).
CONTENT_ORG = "content_org"
#: Filter that limits a JWT to its own user's data (Open edX adds ``user:me`` for client-credentials clients).
USER_ME = "user:me"

#: Scopes a token gets when the request names none (Open edX's ``OAUTH2_DEFAULT_SCOPES``).
DEFAULT_SCOPES = ("read", "write", "email", "profile")


def digest(value: str) -> str:
    """The stored form of a secret or token."""
    return hashlib.sha256(value.encode()).hexdigest()


def scope_list(scope: str | None) -> list[str]:
    """A space-separated scope string as a list without duplicates, in order."""
    seen: dict[str, None] = {}
    for item in (scope or "").split():
        seen.setdefault(item, None)
    return list(seen)


class OAuthClient(Base):
    """A registered client: a public one (mobile app: no secret) or a confidential one (a server).

    ``user_id`` is the service user that client-credentials tokens act as (Open edX's
    ``Application.user``); ``scope`` the scopes the client may ask for; ``grant_types`` the grants
    it may use. A ``restricted`` client (Open edX's ``RestrictedApplication``) is a third party: its
    bearer tokens are issued already expired, and its JWTs say ``is_restricted`` and carry its
    ``filters`` (Open edX's ``ApplicationAccess.filters``: ``content_org:<org>``), so that the views
    which declare required scopes check them (:func:`kampus.oauth2.authn.require_scopes`).
    """

    __tablename__ = "kampus_oauth_client"

    id: Mapped[int] = mapped_column(primary_key=True)
    client_id: Mapped[str] = mapped_column(sa.String(100), unique=True)
    name: Mapped[str] = mapped_column(sa.String(255))
    client_type: Mapped[str] = mapped_column(sa.String(20))
    secret_digest: Mapped[str] = mapped_column(sa.String(64), default="")
    user_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("kampus_user.id", ondelete="CASCADE"), index=True, default=None)
    scope: Mapped[str] = mapped_column(sa.String(500), default=" ".join(DEFAULT_SCOPES))
    grant_types: Mapped[str] = mapped_column(sa.String(255), default="password refresh_token")
    restricted: Mapped[bool] = mapped_column(sa.Boolean, default=False)
    filters: Mapped[str] = mapped_column(sa.String(825), default="")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    disabled_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), default=None)

    # -- Authlib's ClientMixin --------------------------------------------------------------------------------------

    def get_client_id(self) -> str:
        return self.client_id

    def get_default_redirect_uri(self) -> str | None:
        return None

    def get_allowed_scope(self, scope: str | None) -> str | None:
        """The scope a token gets: what was asked for (every item allowed), or the client's defaults.

        ``None`` (Authlib answers ``invalid_scope``) when an item is not allowed to this client."""
        allowed = scope_list(self.scope)
        if not scope:
            return " ".join(item for item in allowed if item in DEFAULT_SCOPES) or " ".join(allowed)
        asked = scope_list(scope)
        if any(item not in allowed for item in asked):
            return None
        return " ".join(asked)

    def check_redirect_uri(self, redirect_uri: str) -> bool:
        return False

    def check_client_secret(self, client_secret: str) -> bool:
        if self.client_type != CONFIDENTIAL or not self.secret_digest:
            return False
        return hmac.compare_digest(self.secret_digest, digest(client_secret))

    def check_endpoint_auth_method(self, method: str, endpoint: str) -> bool:
        if self.client_type == PUBLIC:
            return method == "none"
        return method in ("client_secret_basic", "client_secret_post")

    def check_response_type(self, response_type: str) -> bool:
        return False

    def check_grant_type(self, grant_type: str) -> bool:
        if grant_type == "client_credentials" and (self.client_type != CONFIDENTIAL or self.user_id is None):
            return False
        return grant_type in self.grant_types.split()

    @property
    def is_active(self) -> bool:
        return self.disabled_at is None

    def token_filters(self) -> list[str]:
        """The ``filters`` claim of this client's JWTs: its own, and ``user:me`` when it acts as its
        service user (Open edX's ``get_authorization_filters``)."""
        filters = self.filters.split()
        if "client_credentials" in self.grant_types.split() and USER_ME not in filters:
            filters.append(USER_ME)
        return filters


class OAuthToken(Base):
    """An issued access token (bearer or JWT) and its refresh token, if any.

    A JWT is checked by its signature alone, like Open edX's (not revocable before it expires);
    its row keeps the refresh token and lets ``/oauth2/revoke_token`` revoke that.
    """

    __tablename__ = "kampus_oauth_token"

    id: Mapped[int] = mapped_column(primary_key=True)
    client_pk: Mapped[int] = mapped_column(sa.ForeignKey("kampus_oauth_client.id", ondelete="CASCADE"), index=True)
    user_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("kampus_user.id", ondelete="CASCADE"), index=True, default=None)
    token_type: Mapped[str] = mapped_column(sa.String(10), default="bearer")
    access_digest: Mapped[str] = mapped_column(sa.String(64), unique=True)
    refresh_digest: Mapped[str | None] = mapped_column(sa.String(64), unique=True, default=None)
    scope: Mapped[str] = mapped_column(sa.String(500), default="")
    issued_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime(), index=True)
    refresh_expires_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), default=None)
    revoked_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), default=None)
    refresh_revoked_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), default=None)

    # -- Authlib's TokenMixin (the refresh-token grant and revocation use these) -----------------------------------

    def check_client(self, client: OAuthClient) -> bool:
        return self.client_pk == client.id

    def get_scope(self) -> str:
        return self.scope

    def get_expires_in(self) -> int:
        return max(0, int((self.expires_at - self.issued_at).total_seconds()))

    def is_expired(self) -> bool:
        return self.expires_at <= utcnow()

    def is_revoked(self) -> bool:
        return self.revoked_at is not None

    def refresh_usable(self) -> bool:
        """Whether the refresh token may still be exchanged for a new access token."""
        if self.refresh_digest is None or self.refresh_revoked_at is not None:
            return False
        return self.refresh_expires_at is None or self.refresh_expires_at > utcnow()
