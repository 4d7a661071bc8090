"""API benchmark (token figures for now): Kampus's token issue and JWT check against bare Authlib calls.

Figures (JSON lines, DESIGN.md section 8):

* ``token_issue_vs_authlib``: tokens per second from ``POST /oauth2/access_token`` (client
  credentials, bearer: client lookup and secret check in the database, token stored hashed) through
  the Flask test client, against a bare Authlib ``AuthorizationServer`` on a bare Flask app with an
  in-memory client and a ``save_token`` that keeps nothing. Target >= 0.5.
* ``jwt_verify_vs_authlib``: JWTs checked per second by Kampus (:func:`kampus.oauth2.jwt.verify_jwt`:
  signature and claims) against joserfc's bare ``jwt.decode`` + claims check (joserfc is the
  Authlib project's JOSE library; ``authlib.jose`` is deprecated in its favour). Target >= 0.5.

The endpoint figures come with the REST endpoints. ``--quick`` runs fewer rounds.
"""

from __future__ import annotations

import argparse
import json
import secrets
import sys
import tempfile
import time
import warnings
from collections.abc import Callable
from pathlib import Path

from authlib.integrations.flask_oauth2 import AuthorizationServer
from authlib.oauth2.rfc6749 import ClientMixin
from authlib.oauth2.rfc6749.grants import ClientCredentialsGrant
from flask import Flask
from joserfc import jwt as jose_jwt
from joserfc.jwk import OctKey

from kampus.db.migrate import upgrade
from kampus.oauth2.clients import create_client
from kampus.oauth2.jwt import create_jwt, verify_jwt
from kampus.testing import build_app, make_user

TARGET = 0.5


def rate(count: int, func: Callable[[], object]) -> float:
    """Calls per second of ``func`` over ``count`` calls (after a few warm-up calls), best of three."""
    for _ in range(min(20, count)):
        func()
    best = 0.0
    for _ in range(3):
        start = time.perf_counter()
        for _ in range(count):
            func()
        best = max(best, count / (time.perf_counter() - start))
    return best


class BareClient(ClientMixin):
    """A client kept in memory (the bare Authlib baseline)."""

    client_id = "bench"

    def get_client_id(self) -> str:
        return self.client_id

    def get_allowed_scope(self, scope: str | None) -> str:
        return scope or "read"

    def check_client_secret(self, client_secret: str) -> bool:
        return secrets.compare_digest(client_secret, "secret")

    def check_endpoint_auth_method(self, method: str, endpoint: str) -> bool:
        return method == "client_secret_post"

    def check_grant_type(self, grant_type: str) -> bool:
        return grant_type == "client_credentials"


class BareGrant(ClientCredentialsGrant):
    TOKEN_ENDPOINT_AUTH_METHODS = ["client_secret_post"]


def bare_authlib_app() -> Flask:
    app = Flask("bare")
    client = BareClient()
    server = AuthorizationServer(app, query_client=lambda client_id: client if client_id == "bench" else None,
                                 save_token=lambda token, request: None)
    server.register_grant(BareGrant)
    app.add_url_rule("/token", "token", server.create_token_response, methods=["POST"])
    return app


def figure(name: str, value: float, detail: dict[str, object]) -> dict[str, object]:
    return {"bench": "api", "figure": name, "value": round(value, 3), "target": f">= {TARGET}",
            "met": value >= TARGET, "detail": detail}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="fewer rounds (a smoke run)")
    args = parser.parse_args()
    issues, checks = (150, 2000) if args.quick else (800, 20000)
    warnings.simplefilter("ignore")

    with tempfile.TemporaryDirectory() as folder:
        app = build_app(Path(folder) / "site")
        kampus = app.extensions["kampus"]
        upgrade(kampus.db, kampus.pm)
        service = make_user(app, username="bench_service")
        with app.app_context(), kampus.db.session_scope() as db_session:
            secret = create_client(db_session, "Bench", "confidential", client_id="bench",
                                   username=service.username).secret
        client = app.test_client()
        form = {"grant_type": "client_credentials", "client_id": "bench", "client_secret": secret}

        def kampus_issue() -> None:
            response = client.post("/oauth2/access_token", data=form)
            assert response.status_code == 200, response.text

        bare_client = bare_authlib_app().test_client()
        bare_form = {"grant_type": "client_credentials", "client_id": "bench", "client_secret": "secret"}

        def bare_issue() -> None:
            response = bare_client.post("/token", data=bare_form)
            assert response.status_code == 200, response.text

        kampus_issue_rate = rate(issues, kampus_issue)
        bare_issue_rate = rate(issues, bare_issue)

        with app.test_request_context():
            with kampus.db.session_scope() as db_session:
                user = db_session.get(type(service), service.id)
                token = create_jwt(kampus, user, ["read", "email"], 3600, "password")
            kampus_check_rate = rate(checks, lambda: verify_jwt(kampus, token))

        bare_key = OctKey.import_key(secrets.token_bytes(32))
        now = int(time.time())
        bare_token = jose_jwt.encode({"alg": "HS256"}, {"iss": "http://localhost/oauth2", "aud": "kampus",
                                                        "exp": now + 3600, "iat": now,
                                                        "preferred_username": "bench"}, bare_key)
        registry = jose_jwt.JWTClaimsRegistry(iss={"essential": True, "value": "http://localhost/oauth2"},
                                              aud={"essential": True, "value": "kampus"}, exp={"essential": True})

        def bare_check() -> None:
            registry.validate(jose_jwt.decode(bare_token, bare_key, algorithms=["HS256"]).claims)

        bare_check_rate = rate(checks, bare_check)
        db_name = kampus.settings.database_url.split(":", 1)[0]

    for line in (
        figure("token_issue_vs_authlib", kampus_issue_rate / bare_issue_rate,
               {"kampus_per_s": round(kampus_issue_rate), "authlib_per_s": round(bare_issue_rate), "db": db_name}),
        figure("jwt_verify_vs_authlib", kampus_check_rate / bare_check_rate,
               {"kampus_per_s": round(kampus_check_rate), "joserfc_per_s": round(bare_check_rate)}),
    ):
        print(json.dumps(line))
    return 0


if __name__ == "__main__":
    sys.exit(main())
