"""``/oauth2/access_token``, ``/oauth2/revoke_token``, ``/oauth2/jwks.json`` (Open edX's paths) and the staff
page of clients.

The two OAuth2 endpoints take form fields (``grant_type``, ``client_id``, ``client_secret``,
``username``, ``password``, ``refresh_token``, ``scope``, ``token_type``, ``asymmetric_jwt``;
``token``, ``token_type_hint``) and answer RFC 6749/7009 JSON, errors included
(``{"error": "invalid_grant", "error_description": ...}``). They authenticate by client and
user credentials in the body, never by cookie, so they need no CSRF token.
"""

from __future__ import annotations

from typing import Any, Literal

import sqlalchemy as sa
from flask import Blueprint, abort, flash, jsonify, redirect, render_template, request, url_for
from flask_babel import gettext as _
from pydantic import BaseModel, Field
from werkzeug.wrappers import Response

from kampus import db
from kampus.api_docs import ApiSection
from kampus.current import current_kampus
from kampus.identity.models import User
from kampus.identity.permissions import require_permission
from kampus.oauth2.clients import ClientError, create_client, disable_client
from kampus.oauth2.jwt import public_key_set
from kampus.oauth2.models import CLIENT_TYPES, GRANT_TYPES, SCOPES, OAuthClient
from kampus.oauth2.server import authorization_server
from kampus.oauth2.signing_keys import JWKS_MAX_AGE

bp = Blueprint("oauth2", __name__)

oauth_api = ApiSection("oauth2", "OAuth2 tokens, as Open edX's /oauth2/ endpoints serve them.", public=True)


class TokenRequest(BaseModel):
    grant_type: Literal["password", "client_credentials", "refresh_token"] = Field(
        description="password (apps logging a user in), client_credentials (servers) or refresh_token.")
    client_id: str | None = Field(None, description="The client's id (with HTTP Basic: in the header instead).")
    client_secret: str | None = Field(None, description="Confidential clients only.")
    username: str | None = Field(None, description="Password grant: the user's name or e-mail address.")
    password: str | None = Field(None, description="Password grant: the user's password.")
    refresh_token: str | None = Field(None, description="Refresh grant: the refresh token.")
    scope: str | None = Field(None, description="Space-separated scopes; default: the client's default scopes.")
    token_type: Literal["bearer", "jwt"] | None = Field(None, description="bearer (default) or jwt.")
    asymmetric_jwt: str | None = Field(
        None, description="Accepted for Open edX clients; every JWT is signed with the site's private key.")


class TokenAnswer(BaseModel):
    access_token: str
    token_type: str = Field(description="Bearer or JWT.")
    expires_in: int
    scope: str
    refresh_token: str | None = None


class OAuthErrorAnswer(BaseModel):
    error: str
    error_description: str | None = None


class RevokeRequest(BaseModel):
    token: str = Field(description="The access or refresh token to revoke.")
    token_type_hint: Literal["access_token", "refresh_token"] | None = None
    client_id: str | None = None
    client_secret: str | None = None


class RevokeAnswer(BaseModel):
    pass


class JsonWebKey(BaseModel):
    kty: str = Field(description="RSA.")
    kid: str = Field(description="The key's id, named in the header of the JWTs it signs.")
    use: str | None = None
    alg: str | None = Field(None, description="RS512 (default), RS384 or RS256.")
    n: str
    e: str


class JsonWebKeySet(BaseModel):
    keys: list[JsonWebKey]


def _no_store(response: Response) -> Response:
    response.headers["Cache-Control"] = "no-store"
    response.headers["Pragma"] = "no-cache"
    return response


def _finish(response: Response) -> Response:
    """Keep what the request wrote only when it succeeded."""
    if response.status_code == 200:
        db.session().commit()
    else:
        db.session().rollback()
    return _no_store(response)


@bp.post("/oauth2/access_token")
@bp.post("/oauth2/access_token/")
@oauth_api.doc(form=TokenRequest, resp={200: TokenAnswer, 400: OAuthErrorAnswer, 401: OAuthErrorAnswer,
                                        429: OAuthErrorAnswer}, validate=False)
def access_token() -> Response:
    """Issue an access token (Open edX's ``AccessTokenView``)."""
    return _finish(authorization_server(current_kampus()).create_token_response())


@bp.post("/oauth2/revoke_token")
@bp.post("/oauth2/revoke_token/")
@oauth_api.doc(form=RevokeRequest, resp={200: RevokeAnswer, 400: OAuthErrorAnswer, 401: OAuthErrorAnswer},
               validate=False)
def revoke_token() -> Response:
    """Revoke an access or refresh token (and the other token of its pair). JWTs stay valid until they
    expire, like Open edX's: revoke their refresh token."""
    return _finish(authorization_server(current_kampus()).create_endpoint_response("revocation"))


@bp.get("/oauth2/jwks.json")
@oauth_api.doc(resp={200: JsonWebKeySet})
def jwks() -> Response:
    """The public keys of the site's JWTs (Open edX's ``JwksView``): the key that signs and those kept
    after a rotation."""
    response = jsonify(public_key_set(current_kampus()))
    response.headers["Cache-Control"] = f"public, max-age={JWKS_MAX_AGE}"
    return response


access_token.kampus_csrf_exempt = True  # type: ignore[attr-defined]
revoke_token.kampus_csrf_exempt = True  # type: ignore[attr-defined]


# -- the staff page ------------------------------------------------------------------------------------------------


def _clients_page(status: int = 200, errors: dict[str, str] | None = None, form: dict[str, Any] | None = None,
                  new_client: OAuthClient | None = None, new_secret: str = "") -> tuple[str, int]:
    db_session = db.session()
    clients = db_session.scalars(sa.select(OAuthClient).order_by(OAuthClient.created_at.desc())).all()
    user_ids = {client.user_id for client in clients if client.user_id is not None}
    users = {user.id: user.username for user in db_session.scalars(sa.select(User).where(User.id.in_(user_ids)))}
    return render_template(
        "kampus/oauth2/clients.html", clients=clients, usernames=users, errors=errors or {},
        form=form or {"client_type": "public", "grant_types": ["password", "refresh_token"],
                      "scopes": ["read", "write", "email", "profile"]},
        client_types=CLIENT_TYPES, grant_types=GRANT_TYPES, scopes=SCOPES,
        new_client=new_client, new_secret=new_secret,
    ), status


@bp.get("/staff/oauth2/clients")
@require_permission("site.manage_oauth_clients")
def staff_clients() -> tuple[str, int]:
    return _clients_page()


@bp.post("/staff/oauth2/clients")
@require_permission("site.manage_oauth_clients")
def staff_create_client() -> tuple[str, int]:
    form = {
        "name": request.form.get("name", ""),
        "client_type": request.form.get("client_type", ""),
        "client_id": request.form.get("client_id", ""),
        "username": request.form.get("username", ""),
        "grant_types": request.form.getlist("grant_types"),
        "scopes": request.form.getlist("scopes"),
        "restricted": request.form.get("restricted") == "on",
        "orgs": request.form.get("orgs", ""),
    }
    db_session = db.session()
    try:
        created = create_client(db_session, form["name"], form["client_type"], client_id=form["client_id"],
                                grant_types=form["grant_types"] or None, scopes=form["scopes"] or None,
                                username=form["username"], restricted=form["restricted"],
                                orgs=form["orgs"].replace(",", " ").split())
    except ClientError as exc:
        db_session.rollback()
        return _clients_page(400, {exc.field: exc.message}, form)
    db_session.commit()
    return _clients_page(201, new_client=created.client, new_secret=created.secret)


@bp.post("/staff/oauth2/clients/<int:client_pk>/disable")
@require_permission("site.manage_oauth_clients")
def staff_disable_client(client_pk: int) -> Response:
    db_session = db.session()
    client = db_session.get(OAuthClient, client_pk)
    if client is None:
        abort(404, _("No such client."))
    disable_client(db_session, client)
    db_session.commit()
    flash(_("The client %(name)s is disabled; its tokens no longer work.", name=client.name), "success")
    return redirect(url_for("oauth2.staff_clients"))
