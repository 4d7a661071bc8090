"""``kampus create-oauth-client``, ``kampus create-token`` and ``kampus rotate-jwt-key``: API credentials
for operators."""

from __future__ import annotations

import sys

import click
import sqlalchemy as sa
from flask import Flask

from kampus.app import create_app
from kampus.errors import StartupError
from kampus.identity.models import User
from kampus.identity.tokens import create_token
from kampus.oauth2.clients import ClientError, create_client
from kampus.oauth2.models import CLIENT_TYPES, GRANT_TYPES, SCOPES
from kampus.oauth2.signing_keys import (
    ACTIVATION_DELAY,
    JWKS_MAX_AGE,
    SigningKeyError,
    key_file,
    rotate_keys,
    uses_key_file,
)


def _app() -> Flask:
    try:
        return create_app()
    except StartupError as exc:
        click.echo(f"kampus: {exc}", err=True)
        sys.exit(2)


@click.command("create-oauth-client")
@click.argument("name")
@click.option("--type", "client_type", type=click.Choice(CLIENT_TYPES), default="public", show_default=True,
              help="public: an app that logs users in (no secret); confidential: a server with a secret.")
@click.option("--client-id", default="", help="The client id (default: random).")
@click.option("--grant", "grants", multiple=True, type=click.Choice(GRANT_TYPES),
              help="A grant type it may use (repeat). Default: password and refresh_token for public clients, "
                   "client_credentials for confidential ones.")
@click.option("--scope", "scopes", multiple=True, type=click.Choice(list(SCOPES)),
              help="A scope it may ask for (repeat). Default: read, write, email, profile.")
@click.option("--user", "username", default="", help="Service user of client-credentials tokens.")
@click.option("--restricted", is_flag=True,
              help="A third party (Open edX's restricted application): only its JWTs work, and the views that "
                   "require scopes check its scopes and organisations.")
@click.option("--org", "orgs", multiple=True,
              help="Restricted clients: an organisation whose courses it may read (repeat); a content_org filter.")
def create_oauth_client_command(name: str, client_type: str, client_id: str, grants: tuple[str, ...],
                                scopes: tuple[str, ...], username: str, restricted: bool,
                                orgs: tuple[str, ...]) -> None:
    """Register an OAuth2 client and print its id (and secret, shown once)."""
    kampus = _app().extensions["kampus"]
    try:
        with kampus.db.session_scope() as db_session:
            created = create_client(db_session, name, client_type, client_id=client_id,
                                    grant_types=list(grants) or None, scopes=list(scopes) or None,
                                    username=username, restricted=restricted, orgs=list(orgs))
            client_id, secret = created.client.client_id, created.secret
    except ClientError as exc:
        raise click.ClickException(f"{exc.field}: {exc.message}") from None
    click.echo(f"client_id: {client_id}")
    if secret:
        click.echo(f"client_secret: {secret}")


@click.command("create-token")
@click.argument("username")
@click.option("--name", default="cli", show_default=True, help="Name of the token on the account page.")
def create_token_command(username: str, name: str) -> None:
    """Print a new personal API token of USERNAME (use it as `Authorization: Bearer <token>`)."""
    kampus = _app().extensions["kampus"]
    with kampus.db.session_scope() as db_session:
        user = db_session.scalar(sa.select(User).where(User.username == username))
        if user is None or not user.is_active:
            raise click.ClickException(f"no active user is called {username!r}")
        _record, token = create_token(db_session, user, name)
    click.echo(token)


@click.command("rotate-jwt-key", help=(
    "Make a new JWT signing key; the previous ones keep verifying (Open edX: generate_jwt_signing_key). "
    f"The new key is published at /oauth2/jwks.json at once but signs new JWTs only {ACTIVATION_DELAY} seconds "
    f"later, once services' cached copies of the key set (max-age {JWKS_MAX_AGE}) have expired; until then the "
    "previous key signs. Nothing else to run: servers switch by themselves."))
@click.option("--keep", default=1, show_default=True, type=click.IntRange(min=0),
              help="Previous keys kept to verify the JWTs they signed (drop one only once its JWTs have expired). "
                   "The key signing now is kept too, unless 0: then the new key is the only one and signs at once "
                   "(for a leaked key; services with a cached key set refuse new JWTs until they fetch it again).")
def rotate_jwt_key_command(keep: int) -> None:
    """Make a new JWT signing key; the previous ones keep verifying (the help text says the rest)."""
    kampus = _app().extensions["kampus"]
    if not uses_key_file(kampus):
        raise click.ClickException(
            "the signing key comes from the setting jwt_private_signing_jwk, not from a key file: rotate it by "
            "putting a new key there on every server, and the previous key's public part in "
            "jwt_public_signing_jwk_set until the JWTs it signed have expired")
    path = key_file(kampus)
    try:
        key, dropped = rotate_keys(path, kampus.settings.jwt_signing_algorithm, keep)
    except SigningKeyError as exc:
        raise click.ClickException(str(exc)) from None
    click.echo(f"new key: {key.kid} ({key.get('alg')}) in {path}, published at /oauth2/jwks.json now")
    for kid in dropped:
        click.echo(f"dropped key: {kid} (JWTs it signed are refused now)")
    if keep:
        click.echo(f"It signs new JWTs in {ACTIVATION_DELAY} seconds, once caches of the key set have expired; "
                   "until then the previous key signs.")
    else:
        click.echo("It is the only key and signs new JWTs now.")
