"""JWT signing keys from the settings (Open edX's ``JWT_PRIVATE_SIGNING_JWK`` and ``JWT_PUBLIC_SIGNING_JWK_SET``):
servers that share the setting share the key, without a key file; bad values stop start-up."""

from __future__ import annotations

import json

import pytest
from click.testing import CliRunner
from joserfc import jwt as jose_jwt
from joserfc.jwk import KeySet, RSAKey

from kampus import cli
from kampus.errors import SettingsError
from kampus.oauth2.jwt import verify_jwt
from kampus.oauth2.signing_keys import key_file
from kampus.testing import TEST_PASSWORD, make_user

from .conftest import password_grant, register


def private_jwk(**changes) -> dict:
    """A private RSA JWK as Open edX's ``generate_jwt_signing_key`` prints it."""
    key = RSAKey.generate_key(2048, parameters={"use": "sig", "alg": "RS512"}, auto_kid=True)
    return {**key.as_dict(private=True), **changes}


def public_part() -> dict:
    return {key: value for key, value in private_jwk().items() if key in ("kty", "kid", "n", "e", "alg")}


def jwt_of(app) -> str:
    user = make_user(app)
    register(app, client_id="mobile-app")
    response = password_grant(app.test_client(), "mobile-app", user.username, TEST_PASSWORD, token_type="jwt")
    assert response.status_code == 200, response.text
    return response.get_json()["access_token"]


def published(app) -> list[dict]:
    return app.test_client().get("/oauth2/jwks.json").get_json()["keys"]


def test_servers_sharing_the_setting_sign_with_the_same_key_and_make_no_key_file(make_app) -> None:
    jwk = private_jwk()
    settings = {"jwt_private_signing_jwk": json.dumps(jwk)}
    first, second = make_app(settings=settings), make_app(settings=settings)
    token = jwt_of(first)
    header = jose_jwt.decode(token, KeySet.import_key_set({"keys": published(second)}), algorithms=["RS512"]).header
    assert header["kid"] == jwk["kid"] and header["alg"] == "RS512"
    with second.test_request_context("/"):
        assert verify_jwt(second.extensions["kampus"], token)["preferred_username"]  # the other server accepts it
    keys = published(first)
    assert keys == published(second) and [key["kid"] for key in keys] == [jwk["kid"]]
    assert set(keys[0]) == {"kty", "kid", "use", "alg", "n", "e"}  # the public part only
    assert keys[0]["n"] == jwk["n"]
    assert not key_file(first.extensions["kampus"]).exists() and not key_file(second.extensions["kampus"]).exists()
    # A site whose key file is used signs with another key: its JWTs are refused by the servers of the setting.
    other = make_app()
    with first.test_request_context("/"):
        with pytest.raises(Exception, match="Error decoding signature"):
            verify_jwt(first.extensions["kampus"], jwt_of(other))


def test_a_jwk_without_kid_or_alg_gets_its_thumbprint_and_the_site_algorithm(make_app) -> None:
    jwk = private_jwk()
    kid = jwk.pop("kid")
    jwk.pop("alg")
    app = make_app(settings={"jwt_private_signing_jwk": json.dumps(jwk), "jwt_signing_algorithm": "RS256"})
    (key,) = published(app)
    assert (key["kid"], key["alg"]) == (kid, "RS256")  # the RFC 7638 thumbprint: the same on every server
    header = jose_jwt.decode(jwt_of(app), KeySet.import_key_set({"keys": [key]}), algorithms=["RS256"]).header
    assert header["kid"] == kid


def test_the_public_key_set_verifies_and_is_published_beside_the_signing_key(make_app) -> None:
    previous, current = private_jwk(), private_jwk()
    before = make_app(settings={"jwt_private_signing_jwk": json.dumps(previous)})
    old_token = jwt_of(before)
    public_previous = {k: v for k, v in previous.items() if k in ("kty", "kid", "alg", "use", "n", "e")}
    # Rotated through the settings: the previous key's public part stays in the public set.
    after = make_app(settings={"jwt_private_signing_jwk": json.dumps(current),
                               "jwt_public_signing_jwk_set": json.dumps({"keys": [public_previous]})})
    assert [key["kid"] for key in published(after)] == [current["kid"], previous["kid"]]
    with after.test_request_context("/"):
        assert verify_jwt(after.extensions["kampus"], old_token)
    new_header = jose_jwt.decode(jwt_of(after), KeySet.import_key_set({"keys": published(after)}),
                                 algorithms=["RS512"]).header
    assert new_header["kid"] == current["kid"]  # the public set never signs
    # A private member given in the public set by mistake is never published.
    leaky = make_app(settings={"jwt_public_signing_jwk_set": json.dumps({"keys": [previous]})})
    assert all("d" not in key for key in published(leaky))
    assert previous["kid"] in [key["kid"] for key in published(leaky)]  # beside the key file's own key


@pytest.mark.parametrize(("settings", "message"), [
    ({"jwt_private_signing_jwk": "{not json"}, "'jwt_private_signing_jwk': not JSON"),
    ({"jwt_private_signing_jwk": "[1, 2]"}, "'jwt_private_signing_jwk': expected a JSON object"),
    ({"jwt_private_signing_jwk": json.dumps({"kty": "oct", "k": "c2VjcmV0"})}, "expected an RSA JSON Web Key"),
    ({"jwt_private_signing_jwk": json.dumps(private_jwk(alg="HS256"))}, "algorithm 'HS256' is not one of"),
    ({"jwt_private_signing_jwk": json.dumps({k: v for k, v in private_jwk().items()
                                             if k in ("kty", "kid", "n", "e")})}, "no private part"),
    ({"jwt_private_signing_jwk": json.dumps({k: v for k, v in private_jwk().items() if k != "e"})},
     "not a usable RSA key"),
    ({"jwt_private_signing_jwk": json.dumps({**{k: v for k, v in private_jwk().items() if k in ("kty", "n", "e")},
                                             "d": private_jwk()["d"]})}, "not a usable RSA key"),  # another key's d
    ({"jwt_private_signing_jwk": json.dumps(private_jwk(use="enc"))}, "\"use\" is 'enc', not \"sig\""),
    ({"jwt_private_signing_jwk": json.dumps(private_jwk(key_ops=["verify"]))}, "do not allow 'sign'"),
    ({"jwt_public_signing_jwk_set": json.dumps({"keys": [{**public_part(), "key_ops": ["encrypt"]}]})},
     "do not allow 'verify'"),
    ({"jwt_public_signing_jwk_set": json.dumps({"kid": "x"})},
     "'jwt_public_signing_jwk_set': expected a JSON Web Key Set"),
    ({"jwt_public_signing_jwk_set": json.dumps({"keys": [{"kty": "EC"}]})},
     "'jwt_public_signing_jwk_set': expected an RSA"),
])
def test_a_bad_key_setting_stops_start_up_naming_the_setting(make_app, settings, message) -> None:
    with pytest.raises(SettingsError, match=message):
        make_app(settings=settings)


def test_a_short_key_is_refused(make_app) -> None:
    with pytest.warns(Warning):  # joserfc warns about the key it is asked to make
        short = RSAKey.generate_key(1024, auto_kid=True).as_dict(private=True)
    with pytest.raises(SettingsError, match="1024-bit key is too short"):
        make_app(settings={"jwt_private_signing_jwk": json.dumps(short)})


def test_init_makes_no_key_file_and_rotation_is_refused_when_the_key_is_a_setting(tmp_path, monkeypatch) -> None:
    home = tmp_path / "site"
    monkeypatch.setenv("KAMPUS_HOME", str(home))
    monkeypatch.setenv("KAMPUS_JWT_PRIVATE_SIGNING_JWK", json.dumps(private_jwk()))
    runner = CliRunner()
    assert runner.invoke(cli.main, ["init", "--plugins", ""]).exit_code == 0
    assert not (home / "jwt_signing_keys.json").exists()
    refused = runner.invoke(cli.main, ["rotate-jwt-key"])
    assert refused.exit_code != 0 and "jwt_private_signing_jwk" in refused.output
    assert not (home / "jwt_signing_keys.json").exists()
