"""API benchmark (token figures for now): Kampus's token issue and JWT check against bare Authlib calls.

Figures (JSON lines, DESIGN.md section 8):

* ``token_issue_vs_authlib``: tokens per second from ``POST /oauth2/access_token`` (client
  credentials, bearer: client lookup and secret check in the database, token stored hashed and
  committed) through Flask's test client (the plain ``FlaskClient`` on both sides: the harness's
  client would add a CSRF token to every POST), against a bare Authlib ``AuthorizationServer`` on a
  bare Flask app with an in-memory client and a ``save_token`` that keeps nothing. Target >= 0.5,
  which no server that stores its tokens reaches on SQLite: the read of the client, the insert and
  the commit alone cost more than the whole bare answer (see the next figure).
* ``token_issue_vs_authlib_stored``: the same Kampus figure against bare Authlib set up as its
  documentation does with a database (``authlib.integrations.sqla_oauth2``: client read by
  ``query_client``, each token added and committed by ``save_token``, a SQLite file in WAL mode like
  Kampus's): the same work on both sides. Target >= 0.5. Both use client credentials, which check
  a secret digest; the password grant, whose cost is the argon2 hash of the user's password, is not
  measured here (a fair baseline would have to hash the same way, and both would be the hash's speed).
* ``jwt_verify_vs_authlib``: JWTs checked per second by Kampus (:func:`kampus.oauth2.jwt.verify_jwt`:
  the site's key set looked up by ``kid``, the RS512 signature, the claims) against joserfc's bare
  ``jwt.decode`` + claims check of an RS512 JWT with one 2048-bit RSA key (the algorithm and key
  size Kampus signs with; joserfc is the Authlib project's JOSE library, ``authlib.jose`` is
  deprecated in its favour). Target >= 0.5.

Endpoint figures (same method as ``bench/lms.py``: ``kampus serve --workers 2`` with every plugin, and
the kernel home page of the same site served with no plugin, same load, wrk when installed): requests/s
of a logged-in learner's ``GET /api/courses/v1/courses/`` (30 published courses; target >= 0.5),
``GET /api/enrollment/v1/enrollment`` (enrolled in all 30; target >= 0.5) and ``GET
/api/courses/v1/blocks/?course_id=...&username=...&depth=all`` of a 1,061-block course (10 x 5 x 4
units of 3 HTML blocks and a problem; target >= 0.3), as ratios to the kernel home page. The API is
authenticated here by the session cookie (the load generator sends one header for every request; a
bearer token takes the same sign-in path, :mod:`kampus.oauth2.authn`), and the API throttles are
switched off for the run (``KAMPUS_API_*_RATE_LIMIT=0``), so that 429s are not counted as answers.

``--quick`` runs fewer rounds and shorter loads; ``--skip-endpoints`` only the in-process token figures.
"""

from __future__ import annotations

import argparse
import json
import os
import secrets
import shutil
import sys
import tempfile
import time
import warnings
from collections.abc import Callable
from pathlib import Path
from urllib.parse import urlencode

import kernel_overhead as live
import lms as lms_bench
import sqlalchemy as sa
from authlib.integrations.flask_oauth2 import AuthorizationServer
from authlib.integrations.sqla_oauth2 import (
    OAuth2ClientMixin,
    OAuth2TokenMixin,
    create_query_client_func,
    create_save_token_func,
)
from authlib.oauth2.rfc6749 import ClientMixin
from authlib.oauth2.rfc6749.grants import ClientCredentialsGrant
from flask import Flask
from flask.testing import FlaskClient
from joserfc import jwt as jose_jwt
from joserfc.jwk import RSAKey
from kampus_content.api import content_store
from kampus_lms.api import enroll
from sqlalchemy.orm import DeclarativeBase, scoped_session, sessionmaker

from kampus.app import create_app
from kampus.db.migrate import upgrade
from kampus.identity.accounts import create_user
from kampus.oauth2.clients import create_client
from kampus.oauth2.jwt import create_jwt, verify_jwt
from kampus.oauth2.signing_keys import KEY_BITS
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


def stored_authlib_app(folder: Path) -> Flask:
    """Bare Authlib as its documentation sets a server up with a database: Authlib's own SQLAlchemy models
    and functions (``authlib.integrations.sqla_oauth2``: the client read by ``query_client``, each token
    added and committed by ``save_token``), in a SQLite file with the same journal settings as Kampus's."""
    engine = sa.create_engine(f"sqlite:///{folder / 'authlib.db'}")

    @sa.event.listens_for(engine, "connect")
    def pragmas(dbapi_connection: object, _record: object) -> None:
        cursor = dbapi_connection.cursor()  # type: ignore[attr-defined]
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute("PRAGMA synchronous=NORMAL")
        cursor.close()

    class Base(DeclarativeBase):
        pass

    class Client(Base, OAuth2ClientMixin):
        __tablename__ = "oauth2_client"
        id = sa.Column(sa.Integer, primary_key=True)
        user_id = sa.Column(sa.Integer)

    class Token(Base, OAuth2TokenMixin):
        __tablename__ = "oauth2_token"
        id = sa.Column(sa.Integer, primary_key=True)
        user_id = sa.Column(sa.Integer)

    Base.metadata.create_all(engine)
    session = scoped_session(sessionmaker(bind=engine))
    client = Client(client_id="bench", client_secret="secret", user_id=1)
    client.set_client_metadata({"grant_types": ["client_credentials"], "scope": "read",
                                "token_endpoint_auth_method": "client_secret_post"})
    session.add(client)
    session.commit()
    session.remove()
    app = Flask("stored")
    server = AuthorizationServer(app, query_client=create_query_client_func(session, Client),
                                 save_token=create_save_token_func(session, Token))
    server.register_grant(BareGrant)
    app.add_url_rule("/token", "token", server.create_token_response, methods=["POST"])
    app.teardown_appcontext(lambda _exc: session.remove())
    return app


def figure(name: str, value: float, detail: dict[str, object], target: float = TARGET) -> dict[str, object]:
    return {"bench": "api", "figure": name, "value": round(value, 3), "target": f">= {target}",
            "met": value >= target, "detail": detail}


#: The endpoint figures: name, path (after the site's data is made), target.
BLOCKS_COURSE = "course-v1:BenchX+Blocks+2026"
CATALOG_COURSES = 30


def endpoint_site(home: Path, env: dict[str, str]) -> dict[str, str]:
    """``kampus init`` in ``home``, the bench learner, 30 small courses and the 1,061-block course, the
    learner enrolled in all; returns the API paths to load."""
    live.run([live.KAMPUS, "init"], env)
    for key in [k for k in os.environ if k.startswith("KAMPUS_")]:
        del os.environ[key]
    os.environ.update({k: v for k, v in env.items() if k.startswith("KAMPUS_")})
    app = create_app()
    kampus = app.extensions["kampus"]
    with app.app_context():
        store = content_store()
        courses = [f"course-v1:BenchX+C{index}+2026" for index in range(CATALOG_COURSES - 1)]
        for course in courses:
            store.create_course(course, lms_bench.course_blocks(1, 1, 1, 1, 0), ("course", "course"), user_id=None)
            store.publish(course, user_id=None)
        store.create_course(BLOCKS_COURSE, lms_bench.course_blocks(10, 5, 4, 3, 1), ("course", "course"),
                            user_id=None)
        store.publish(BLOCKS_COURSE, user_id=None)
        with kampus.db.session_scope() as db_session:
            user = create_user(db_session, live.USERNAME, f"{live.USERNAME}@example.com", live.PASSWORD,
                               confirmed=True)
            db_session.expunge(user)
        for course in [*courses, BLOCKS_COURSE]:
            enroll(user, course, check_access=False)
    kampus.db.engine.dispose()
    return {
        "course_list": "/api/courses/v1/courses/",
        "enrollment_list": "/api/enrollment/v1/enrollment",
        "course_blocks": "/api/courses/v1/blocks/?" + urlencode({"course_id": BLOCKS_COURSE,
                                                                  "depth": "all", "username": live.USERNAME}),
    }


def endpoint_figures(args: argparse.Namespace) -> list[dict[str, object]]:
    """Requests/s of the three API lists against the kernel home page, from live servers."""
    duration = args.duration or (2 if args.quick else 10)
    tool = args.load or ("wrk" if shutil.which("wrk") else "python")
    with tempfile.TemporaryDirectory(prefix="kampus-bench-api-") as tmp:
        env = {k: v for k, v in os.environ.items() if not k.startswith("KAMPUS_")}
        env.update(KAMPUS_HOME=str(Path(tmp) / "site"), KAMPUS_API_TOKEN_RATE_LIMIT="0",
                   KAMPUS_API_USER_RATE_LIMIT="0", KAMPUS_API_ANONYMOUS_RATE_LIMIT="0")
        paths = endpoint_site(Path(tmp) / "site", env)
        api_port, kernel_port = live.free_port(), live.free_port()
        api_url, kernel_url = f"http://127.0.0.1:{api_port}", f"http://127.0.0.1:{kernel_port}"
        servers = []
        rps: dict[str, dict[str, object]] = {}
        try:
            servers.append(live.subprocess.Popen(
                [live.KAMPUS, "serve", "--port", str(api_port), "--workers", "2", "--no-worker"],
                env=env, stdout=live.subprocess.DEVNULL, stderr=live.subprocess.DEVNULL, start_new_session=True))
            servers.append(live.subprocess.Popen(
                [live.KAMPUS, "serve", "--port", str(kernel_port), "--workers", "2", "--no-worker"],
                env={**env, "KAMPUS_PLUGINS": ""}, stdout=live.subprocess.DEVNULL,
                stderr=live.subprocess.DEVNULL, start_new_session=True))
            live.wait_for(api_url + "/", servers[0])
            live.wait_for(kernel_url + "/", servers[1])
            cookie, _html = live.log_in(kernel_url)
            rps["home"] = live.measure(kernel_url + "/", cookie, duration, args.connections, tool)
            for name, path in paths.items():
                rps[name] = live.measure(api_url + path, cookie, duration, args.connections, tool)
        finally:
            for server in servers:
                live.stop(server)
    base = {"load": tool, "duration_s": duration, "connections": args.connections, "cpus": os.cpu_count(),
            "quick": args.quick, "db": "sqlite", "auth": "session cookie", "throttles": "off"}
    home_rps = float(rps["home"]["rps"])  # type: ignore[arg-type]
    out = []
    for name, target in (("course_list", 0.5), ("enrollment_list", 0.5), ("course_blocks", 0.3)):
        ratio = float(rps[name]["rps"]) / home_rps if home_rps else 0.0  # type: ignore[arg-type]
        line = figure(f"{name}_vs_home", ratio, {"api_rps": rps[name]["rps"], "kernel_home_rps": home_rps,
                                                 "api_errors": rps[name]["non_2xx"], "path": paths[name], **base},
                      target)
        line["met"] = bool(line["met"]) and rps[name]["non_2xx"] == 0
        out.append(line)
    return out


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="fewer rounds (a smoke run)")
    parser.add_argument("--skip-endpoints", action="store_true", help="only the in-process token figures")
    parser.add_argument("--duration", type=int, default=None, help="seconds of load per endpoint")
    parser.add_argument("--connections", type=int, default=8)
    parser.add_argument("--load", choices=["wrk", "python"], default=None)
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
        # The same client class as the baseline's (the harness's test client would add a CSRF token, read
        # from a session transaction, to every POST: test-harness work that the token endpoint never needs).
        client = FlaskClient(app)
        form = {"grant_type": "client_credentials", "client_id": "bench", "client_secret": secret}

        def kampus_issue() -> None:
            response = client.post("/oauth2/access_token", data=form)
            assert response.status_code == 200, response.text

        bare_client = bare_authlib_app().test_client()
        bare_form = {"grant_type": "client_credentials", "client_id": "bench", "client_secret": "secret"}

        def bare_issue() -> None:
            response = bare_client.post("/token", data=bare_form)
            assert response.status_code == 200, response.text

        stored_client = stored_authlib_app(Path(folder)).test_client()

        def stored_issue() -> None:
            response = stored_client.post("/token", data=bare_form)
            assert response.status_code == 200, response.text

        kampus_issue_rate = rate(issues, kampus_issue)
        bare_issue_rate = rate(issues, bare_issue)
        stored_issue_rate = rate(issues, stored_issue)

        with app.test_request_context():
            with kampus.db.session_scope() as db_session:
                user = db_session.get(type(service), service.id)
                token = create_jwt(kampus, user, ["read", "email"], 3600, "password")
            kampus_check_rate = rate(checks, lambda: verify_jwt(kampus, token))

        # The same algorithm and key size as the site's key (kampus.oauth2.signing_keys).
        algorithm = kampus.settings.jwt_signing_algorithm
        bare_key = RSAKey.generate_key(KEY_BITS)
        now = int(time.time())
        bare_token = jose_jwt.encode({"alg": algorithm}, {"iss": "http://localhost/oauth2", "aud": "kampus",
                                                          "exp": now + 3600, "iat": now,
                                                          "preferred_username": "bench"}, bare_key,
                                     algorithms=[algorithm])
        registry = jose_jwt.JWTClaimsRegistry(iss={"essential": True, "value": "http://localhost/oauth2"},
                                              aud={"essential": True, "value": "kampus"}, exp={"essential": True})

        def bare_check() -> None:
            registry.validate(jose_jwt.decode(bare_token, bare_key, algorithms=[algorithm]).claims)

        bare_check_rate = rate(checks, bare_check)
        db_name = kampus.settings.database_url.split(":", 1)[0]

    for line in (
        figure("token_issue_vs_authlib", kampus_issue_rate / bare_issue_rate,
               {"kampus_per_s": round(kampus_issue_rate), "authlib_per_s": round(bare_issue_rate), "db": db_name}),
        figure("token_issue_vs_authlib_stored", kampus_issue_rate / stored_issue_rate,
               {"kampus_per_s": round(kampus_issue_rate), "authlib_stored_per_s": round(stored_issue_rate),
                "db": db_name}),
        figure("jwt_verify_vs_authlib", kampus_check_rate / bare_check_rate,
               {"kampus_per_s": round(kampus_check_rate), "joserfc_per_s": round(bare_check_rate),
                "algorithm": algorithm}),
    ):
        print(json.dumps(line), flush=True)
    if not args.skip_endpoints:
        for line in endpoint_figures(args):
            print(json.dumps(line), flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
