"""The site's JWT signing keys (made once, published, rotated) and restricted clients' tokens."""

from __future__ import annotations

import json
import stat
import time

import pytest
from click.testing import CliRunner
from joserfc import jwt as jose_jwt
from joserfc.jwk import KeySet

from kampus import cli
from kampus.app import create_app
from kampus.oauth2.clients import ClientError
from kampus.oauth2.signing_keys import ACTIVATION_DELAY, ensure_keys, key_file, key_ring, read_keys, rotate_keys
from kampus.testing import TEST_PASSWORD, make_user

from .conftest import basic, password_grant, register


def jwt_of(app, user, client_id: str = "mobile-app") -> str:
    response = password_grant(app.test_client(), client_id, user.username, TEST_PASSWORD, token_type="jwt")
    assert response.status_code == 200, response.text
    return response.get_json()["access_token"]


def me(app, token: str) -> int:
    return app.test_client().get("/api/user/v1/me", headers={"Authorization": f"JWT {token}"}).status_code


def test_a_site_without_keys_gets_one_key_file_made_once(app) -> None:
    path = key_file(app.extensions["kampus"])
    assert not path.exists()  # made on first use, not when the app starts
    keys = app.test_client().get("/oauth2/jwks.json").get_json()["keys"]
    assert path.exists() and stat.S_IMODE(path.stat().st_mode) == 0o600
    assert len(keys) == 1 and keys[0]["kty"] == "RSA" and keys[0]["alg"] == "RS512" and keys[0]["kid"]
    assert set(keys[0]) == {"kty", "kid", "use", "alg", "n", "e"}  # the public half only
    assert ensure_keys(path, "RS512") is False  # a second maker keeps the first's keys
    assert app.test_client().get("/oauth2/jwks.json").get_json()["keys"] == keys


def test_rotation_keeps_old_jwts_valid_until_their_key_is_dropped(app) -> None:
    user = make_user(app)
    register(app, client_id="mobile-app")
    kampus = app.extensions["kampus"]
    path = key_file(kampus)
    before = jwt_of(app, user)
    old_kid = jose_jwt.decode(before, KeySet.import_key_set(
        app.test_client().get("/oauth2/jwks.json").get_json()), algorithms=["RS512"]).header["kid"]

    new, dropped = rotate_keys(path, "RS384", keep=1, now=time.time() - ACTIVATION_DELAY)  # made long enough ago
    assert dropped == []
    published = app.test_client().get("/oauth2/jwks.json").get_json()["keys"]
    assert [key["kid"] for key in published] == [new.kid, old_kid]  # the running app sees the rotation
    after = jwt_of(app, user)
    header = jose_jwt.decode(after, KeySet.import_key_set({"keys": published}), algorithms=["RS384"]).header
    assert header["kid"] == new.kid and header["alg"] == "RS384"
    assert me(app, before) == 200 and me(app, after) == 200

    rotate_keys(path, "RS512", keep=1)  # the first key is dropped now
    assert me(app, before) == 401 and me(app, after) == 200


def header_kid(app, token: str) -> str:
    return jose_jwt.decode(token, KeySet.import_key_set(app.test_client().get("/oauth2/jwks.json").get_json()),
                           algorithms=["RS512"]).header["kid"]


def test_a_new_key_is_published_at_once_and_signs_once_key_set_caches_expired(app) -> None:
    user = make_user(app)
    register(app, client_id="mobile-app")
    kampus = app.extensions["kampus"]
    path = key_file(kampus)
    jwks = app.test_client().get("/oauth2/jwks.json")
    assert jwks.headers["Cache-Control"] == "public, max-age=300" and ACTIVATION_DELAY > 300
    old_kid = jwks.get_json()["keys"][0]["kid"]
    assert header_kid(app, jwt_of(app, user)) == old_kid  # a new site's only key signs at once

    now = time.time()
    new, _ = rotate_keys(path, "RS512", keep=1, now=now)
    assert [key["kid"] for key in app.test_client().get("/oauth2/jwks.json").get_json()["keys"]] == [new.kid, old_kid]
    assert header_kid(app, jwt_of(app, user)) == old_kid  # services that cached the old set still verify it
    ring = key_ring(kampus)
    assert ring.signing(now + ACTIVATION_DELAY - 1).kid == old_kid
    assert ring.signing(now + ACTIVATION_DELAY).kid == new.kid

    # Rotated again within the delay: the key that still signs is kept, the unused one dropped.
    newer, dropped = rotate_keys(path, "RS512", keep=1, now=now + 10)
    assert dropped == [] and [key.kid for key in read_keys(path)] == [newer.kid, new.kid, old_kid]
    assert key_ring(kampus).signing(now + 20).kid == old_kid
    _, dropped = rotate_keys(path, "RS512", keep=1, now=now + 20)
    assert dropped == [new.kid]


def test_keys_without_a_creation_time_count_as_old(app) -> None:
    path = key_file(app.extensions["kampus"])
    ensure_keys(path, "RS512")
    old_kid = read_keys(path)[0].kid
    data = json.loads(path.read_text())
    path.write_text(json.dumps({"keys": data["keys"]}))  # a file of an earlier Kampus version
    new, _ = rotate_keys(path, "RS512", keep=1)
    assert key_ring(app.extensions["kampus"]).signing().kid == old_kid != new.kid
    assert json.loads(path.read_text())["created"].keys() == {new.kid}


def test_unreadable_key_file_is_a_clear_error(app) -> None:
    path = key_file(app.extensions["kampus"])
    path.write_text('{"keys": []}')
    with pytest.raises(Exception, match="no private signing key"):
        read_keys(path)


def test_init_makes_the_key_and_the_cli_rotates_it(tmp_path, monkeypatch) -> None:
    home = tmp_path / "site"
    monkeypatch.setenv("KAMPUS_HOME", str(home))
    runner = CliRunner()
    assert runner.invoke(cli.main, ["init", "--plugins", ""]).exit_code == 0
    path = home / "jwt_signing_keys.json"
    first = json.loads(path.read_text())["keys"]
    assert len(first) == 1 and "d" in first[0]  # the private key, in the site folder only
    rotated = runner.invoke(cli.main, ["rotate-jwt-key"])
    assert rotated.exit_code == 0, rotated.output
    assert f"signs new JWTs in {ACTIVATION_DELAY} seconds" in rotated.output
    kids = [key["kid"] for key in json.loads(path.read_text())["keys"]]
    assert len(kids) == 2 and kids[1] == first[0]["kid"] and kids[0] in rotated.output
    dropped = runner.invoke(cli.main, ["rotate-jwt-key", "--keep", "0"])
    assert dropped.exit_code == 0 and f"dropped key: {kids[0]}" in dropped.output
    assert len(json.loads(path.read_text())["keys"]) == 1
    assert len(create_app().test_client().get("/oauth2/jwks.json").get_json()["keys"]) == 1


def test_a_restricted_client_gets_expired_bearer_tokens_and_restricted_jwts(app) -> None:
    user = make_user(app)
    register(app, "Partner app", client_id="partner-app", restricted=True, orgs=["edX", "MITx"],
             scopes=["read", "grades:read"])
    client = app.test_client()
    bearer = password_grant(client, "partner-app", user.username, TEST_PASSWORD)
    assert bearer.status_code == 200 and bearer.get_json()["expires_in"] < 0  # as Open edX: born expired
    response = client.get("/api/user/v1/me", headers={"Authorization": f"Bearer {bearer.get_json()['access_token']}"})
    assert response.status_code == 401 and response.get_json()["error_code"] == "token_expired"

    token = jwt_of(app, user, "partner-app")
    claims = jose_jwt.decode(token, KeySet.import_key_set(client.get("/oauth2/jwks.json").get_json()),
                             algorithms=["RS512"]).claims
    assert claims["is_restricted"] is True and claims["scopes"] == ["read"]
    assert claims["filters"] == ["content_org:edX", "content_org:MITx"]
    # Views that declare no required scopes refuse it (Open edX's NotJwtRestrictedApplication)
    response = client.get("/api/user/v1/me", headers={"Authorization": f"JWT {token}"})
    assert response.status_code == 403
    assert response.get_json()["detail"] == "You do not have permission to perform this action."


def test_a_restricted_jwt_cannot_act_as_its_user_outside_views_with_scopes(app) -> None:
    user = make_user(app)
    register(app, "Partner app", client_id="partner-app", restricted=True, orgs=["edX"],
             scopes=["read", "write", "grades:read"])
    register(app, client_id="mobile-app")
    restricted = {"Authorization": f"JWT {jwt_of(app, user, 'partner-app')}"}
    unrestricted = {"Authorization": f"JWT {jwt_of(app, user)}"}
    client = app.test_client()
    account = f"/api/user/v1/accounts/{user.username}"
    change = {"json": {"name": "Changed by a partner"}, "content_type": "application/merge-patch+json"}
    refused = client.patch(account, headers=restricted, **change)
    assert refused.status_code == 403, refused.text
    assert refused.get_json()["detail"] == "You do not have permission to perform this action."
    assert client.get(account, headers=unrestricted).get_json()["name"] != "Changed by a partner"
    assert client.get("/account", headers=restricted).status_code == 403  # HTML pages too
    assert client.get("/api/user/v1/me", headers=unrestricted).status_code == 200  # other clients' JWTs pass
    assert client.patch(account, headers=unrestricted, **change).status_code == 200


def test_client_credentials_jwts_are_limited_to_their_service_user(app) -> None:
    service = make_user(app, username="partner_service")
    created = register(app, "Partner server", "confidential", client_id="partner-server", restricted=True,
                       orgs=["edX"], username=service.username, scopes=["read", "certificates:read"])
    issued = app.test_client().post("/oauth2/access_token", headers=basic("partner-server", created.secret),
                                    data={"grant_type": "client_credentials", "token_type": "jwt",
                                          "scope": "certificates:read"})
    assert issued.status_code == 200, issued.text
    claims = jose_jwt.decode(issued.get_json()["access_token"], KeySet.import_key_set(
        app.test_client().get("/oauth2/jwks.json").get_json()), algorithms=["RS512"]).claims
    assert claims["filters"] == ["content_org:edX", "user:me"] and claims["scopes"] == ["certificates:read"]


def test_only_restricted_clients_take_well_formed_organisations(app) -> None:
    with pytest.raises(ClientError, match="restricted"):
        register(app, client_id="open-app", orgs=["edX"])
    with pytest.raises(ClientError, match="organisation"):
        register(app, client_id="odd-app", restricted=True, orgs=["ed X"])


def test_cli_and_staff_page_register_restricted_clients(tmp_path, monkeypatch) -> None:
    home = tmp_path / "site"
    monkeypatch.setenv("KAMPUS_HOME", str(home))
    runner = CliRunner()
    assert runner.invoke(cli.main, ["init", "--plugins", ""]).exit_code == 0
    made = runner.invoke(cli.main, ["create-oauth-client", "Partner", "--client-id", "partner", "--restricted",
                                    "--org", "edX", "--scope", "grades:read"])
    assert made.exit_code == 0, made.output
    refused = runner.invoke(cli.main, ["create-oauth-client", "Other", "--org", "edX"])
    assert refused.exit_code != 0 and "restricted" in refused.output
    many = [option for number in range(60) for option in ("--org", f"Organisation{number:03d}")]
    too_many = runner.invoke(cli.main, ["create-oauth-client", "Many", "--restricted", *many])
    assert too_many.exit_code == 1 and "orgs: Too many organisations" in too_many.output
    assert too_many.exception is None or isinstance(too_many.exception, SystemExit)  # no traceback
    app = create_app()
    with app.app_context():
        from kampus import db
        from kampus.oauth2.models import OAuthClient
        client = db.session().query(OAuthClient).filter_by(client_id="partner").one()
        assert client.restricted and client.filters == "content_org:edX" and client.scope == "grades:read"


def test_a_restricted_clients_refreshed_tokens_stay_restricted(app) -> None:
    user = make_user(app)
    register(app, "Partner app", client_id="partner-app", restricted=True, orgs=["edX"])
    client = app.test_client()
    first = password_grant(client, "partner-app", user.username, TEST_PASSWORD).get_json()
    again = client.post("/oauth2/access_token", data={"grant_type": "refresh_token", "client_id": "partner-app",
                                                       "refresh_token": first["refresh_token"]})
    assert again.status_code == 200 and again.get_json()["expires_in"] < 0
    as_jwt = client.post("/oauth2/access_token", data={"grant_type": "refresh_token", "client_id": "partner-app",
                                                        "refresh_token": again.get_json()["refresh_token"],
                                                        "token_type": "jwt"})
    assert as_jwt.status_code == 200 and as_jwt.get_json()["expires_in"] == 36000
    claims = jose_jwt.decode(as_jwt.get_json()["access_token"], KeySet.import_key_set(
        client.get("/oauth2/jwks.json").get_json()), algorithms=["RS512"]).claims
    assert claims["is_restricted"] is True and claims["filters"] == ["content_org:edX"]


def test_a_file_system_without_hard_links_still_gets_the_key_file_once(app, monkeypatch, caplog) -> None:
    def no_links(*args, **kwargs):
        raise PermissionError(1, "Operation not permitted")  # what os.link raises where hard links are not allowed

    monkeypatch.setattr("kampus.oauth2.signing_keys.os.link", no_links)
    path = key_file(app.extensions["kampus"])
    with caplog.at_level("WARNING", logger="kampus.oauth2.signing_keys"):
        response = app.test_client().get("/oauth2/jwks.json")
    assert response.status_code == 200 and len(response.get_json()["keys"]) == 1
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert read_keys(path)[0].kid == response.get_json()["keys"][0]["kid"]
    assert "made the JWT signing key file" in caplog.text and "every server of the site" in caplog.text
    assert ensure_keys(path, "RS512") is False  # another process that lost the race keeps the winner's file
    path.unlink()
    assert ensure_keys(path, "RS512") is True
    assert [item.name for item in path.parent.iterdir() if item.name.startswith(".jwt-keys-")] == []
