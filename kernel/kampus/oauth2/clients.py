"""Registering OAuth2 clients (the staff page and ``kampus create-oauth-client`` share this)."""

from __future__ import annotations

import re
import secrets
from dataclasses import dataclass

import sqlalchemy as sa
from flask_babel import lazy_gettext as _l
from sqlalchemy.orm import Session

from kampus.db import utcnow
from kampus.identity.models import User
from kampus.oauth2.models import (
    CLIENT_TYPES,
    CONFIDENTIAL,
    CONTENT_ORG,
    GRANT_TYPES,
    PUBLIC,
    SCOPES,
    OAuthClient,
    OAuthToken,
    digest,
)

CLIENT_ID_RE = re.compile(r"^[A-Za-z0-9_.-]{4,100}$")
#: Characters the joined ``content_org:<org>`` filters of a client may take (its ``filters`` column).
FILTERS_LENGTH: int = OAuthClient.__table__.c.filters.type.length
#: An organisation as course keys spell it (edx-opaque-keys allows letters, digits, '_', '.', '-', '~').
ORG_RE = re.compile(r"^[A-Za-z0-9_.~-]{1,64}$")


class ClientError(ValueError):
    """A client that cannot be registered; ``field`` names the wrong input."""

    def __init__(self, field: str, message: str):
        super().__init__(message)
        self.field = field
        self.message = message


@dataclass(frozen=True)
class NewClient:
    """A registered client and its secret (shown once; empty for public clients)."""

    client: OAuthClient
    secret: str


def default_grants(client_type: str) -> list[str]:
    """Public clients (apps) log users in; confidential ones (servers) act as their service user."""
    return ["password", "refresh_token"] if client_type == PUBLIC else ["client_credentials"]


def org_filters(orgs: list[str]) -> list[str]:
    """``content_org:<org>`` filters for ``orgs`` (raises :class:`ClientError` on a malformed one)."""
    cleaned = list(dict.fromkeys(org.strip() for org in orgs if org.strip()))
    wrong = [org for org in cleaned if not ORG_RE.match(org)]
    if wrong:
        raise ClientError("orgs", str(_l("Not an organisation of a course key: %(orgs)s.", orgs=", ".join(wrong))))
    return [f"{CONTENT_ORG}:{org}" for org in cleaned]


def create_client(db_session: Session, name: str, client_type: str, *, client_id: str = "",
                  grant_types: list[str] | None = None, scopes: list[str] | None = None,
                  username: str = "", restricted: bool = False, orgs: list[str] | None = None) -> NewClient:
    """Register a client; raises :class:`ClientError` on bad input. The caller commits.

    A ``restricted`` client's JWTs carry its scopes and ``content_org`` filters for ``orgs``, which
    the views that declare required scopes enforce; only restricted clients take organisations."""
    name = name.strip()
    if not name or len(name) > 255:
        raise ClientError("name", str(_l("Give the client a name (at most 255 characters).")))
    if client_type not in CLIENT_TYPES:
        raise ClientError("client_type", str(_l("The client type must be public or confidential.")))
    client_id = client_id.strip() or secrets.token_urlsafe(24)
    if not CLIENT_ID_RE.match(client_id):
        raise ClientError("client_id", str(_l("A client id has 4 to 100 letters, digits, '.', '_' or '-'.")))
    if db_session.scalar(sa.select(OAuthClient.id).where(OAuthClient.client_id == client_id)) is not None:
        raise ClientError("client_id", str(_l("A client with this id exists.")))
    grants = list(dict.fromkeys(grant_types or default_grants(client_type)))
    unknown = [grant for grant in grants if grant not in GRANT_TYPES]
    if unknown:
        raise ClientError("grant_types", str(_l("Unknown grant type: %(grants)s.", grants=", ".join(unknown))))
    if client_type == PUBLIC and "client_credentials" in grants:
        raise ClientError("grant_types", str(_l("A public client cannot use client credentials.")))
    chosen_scopes = list(dict.fromkeys(scopes or ["read", "write", "email", "profile"]))
    unknown = [scope for scope in chosen_scopes if scope not in SCOPES]
    if unknown:
        raise ClientError("scopes", str(_l("Unknown scope: %(scopes)s.", scopes=", ".join(unknown))))
    user_id = None
    if username.strip():
        user = db_session.scalar(sa.select(User).where(User.username == username.strip()))
        if user is None:
            raise ClientError("username", str(_l("No user is called %(name)s.", name=username.strip())))
        user_id = user.id
    elif "client_credentials" in grants:
        raise ClientError("username", str(_l("Client credentials need a service user: name one.")))
    filters = org_filters(orgs or [])
    if filters and not restricted:
        raise ClientError("orgs", str(_l("Only a restricted client is limited to organisations.")))
    if len(" ".join(filters)) > FILTERS_LENGTH:
        raise ClientError("orgs", str(_l(
            "Too many organisations: their filters take %(length)d characters, at most %(limit)d fit.",
            length=len(" ".join(filters)), limit=FILTERS_LENGTH)))
    secret = secrets.token_urlsafe(32) if client_type == CONFIDENTIAL else ""
    client = OAuthClient(client_id=client_id, name=name, client_type=client_type,
                         secret_digest=digest(secret) if secret else "", user_id=user_id,
                         scope=" ".join(chosen_scopes), grant_types=" ".join(grants),
                         restricted=restricted, filters=" ".join(filters))
    db_session.add(client)
    db_session.flush()
    return NewClient(client, secret)


def disable_client(db_session: Session, client: OAuthClient) -> None:
    """Disable a client: it gets no new token, and its tokens stop working (revoked now)."""
    now = utcnow()
    client.disabled_at = client.disabled_at or now
    db_session.execute(
        sa.update(OAuthToken).where(OAuthToken.client_pk == client.id, OAuthToken.revoked_at.is_(None))
        .values(revoked_at=now, refresh_revoked_at=now).execution_options(synchronize_session=False)
    )
