"""JWTs (``token_type=jwt``, ``Authorization: JWT``), API throttling, CORS and CSRF."""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import time

import pytest
from joserfc import jwt as jose_jwt
from joserfc.jwk import KeySet, OctKey, RSAKey

from kampus.oauth2.signing_keys import key_ring
from kampus.testing import TEST_PASSWORD, client_as, make_user

from .conftest import password_grant, register


def jwt_for(app, user, **fields) -> dict:
    register(app, client_id="mobile-app")
    response = password_grant(app.test_client(), "mobile-app", user.username, TEST_PASSWORD, token_type="jwt",
                              **fields)
    assert response.status_code == 200, response.text
    return response.get_json()


def test_jwt_is_issued_with_open_edx_claims_and_accepted(app) -> None:
    user = make_user(app, name="Ada Lovelace")
    body = jwt_for(app, user)
    assert body["token_type"] == "JWT" and body["refresh_token"]
    # A third party checks it as Open edX's services do: with the public key set of /oauth2/jwks.json.
    jwks = app.test_client().get("/oauth2/jwks.json")
    assert jwks.status_code == 200
    public = KeySet.import_key_set(jwks.get_json())
    assert all("d" not in key and "p" not in key for key in jwks.get_json()["keys"])
    decoded = jose_jwt.decode(body["access_token"], public, algorithms=["RS512"])
    assert decoded.header["alg"] == "RS512" and decoded.header["kid"] == jwks.get_json()["keys"][0]["kid"]
    claims = decoded.claims
    assert claims["preferred_username"] == user.username
    assert claims["email"] == user.email and claims["name"] == "Ada Lovelace"
    assert claims["administrator"] is False and claims["is_restricted"] is False
    assert claims["scopes"] == ["read", "write", "email", "profile"] and claims["filters"] == []
    assert claims["iss"] == "http://localhost/oauth2" and claims["aud"] == "kampus"
    assert claims["exp"] - claims["iat"] == 36000 and claims["version"] and claims["sub"]
    response = app.test_client().get("/api/user/v1/me", headers={"Authorization": f"JWT {body['access_token']}"})
    assert response.status_code == 200 and response.get_json() == {"username": user.username}



def test_two_jwts_in_the_same_second_are_two_tokens(app, monkeypatch) -> None:
    """Same user, client and second: the claims differ by ``jti``, so each JWT has its own record."""
    user = make_user(app)
    register(app, client_id="mobile-app")
    monkeypatch.setattr(time, "time", lambda: 1_900_000_000.0)  # both issued at the same instant

    def issue() -> dict:
        response = password_grant(app.test_client(), "mobile-app", user.username, TEST_PASSWORD, token_type="jwt")
        assert response.status_code == 200, response.text
        return response.get_json()
    first, second = issue(), issue()
    assert first["access_token"] != second["access_token"]
    monkeypatch.undo()
    public = KeySet.import_key_set(app.test_client().get("/oauth2/jwks.json").get_json())
    claims = [jose_jwt.decode(body["access_token"], public, algorithms=["RS512"]).claims for body in (first, second)]
    assert claims[0]["iat"] == claims[1]["iat"] and claims[0]["jti"] != claims[1]["jti"]

def hs256_by_hand(header: dict, claims: dict, secret: bytes) -> str:
    """An HS256 JWT whose secret is any bytes (joserfc refuses to make one with a public key, as it should)."""
    def part(data: bytes) -> str:
        return base64.urlsafe_b64encode(data).rstrip(b"=").decode()
    signing_input = part(json.dumps(header).encode()) + "." + part(json.dumps(claims).encode())
    return signing_input + "." + part(hmac.new(secret, signing_input.encode(), hashlib.sha256).digest())


@pytest.mark.filterwarnings("ignore:JWS algorithm")
def test_expired_tampered_and_foreign_jwts_are_refused(app) -> None:
    user = make_user(app)
    token = jwt_for(app, user)["access_token"]
    client = app.test_client()
    header, payload, signature = token.split(".")
    tampered = f"{header}.{payload}.{signature[:-4]}AAAA"
    with app.test_request_context():
        site_key = key_ring(app.extensions["kampus"]).signing()
    now = int(time.time())
    claims = {"iss": "http://localhost/oauth2", "aud": "kampus", "exp": now + 3600, "iat": now,
              "preferred_username": user.username}
    expired = jose_jwt.encode({"alg": "RS512", "kid": site_key.kid}, {**claims, "exp": now - 3600, "iat": now - 7200},
                              site_key, algorithms=["RS512"])
    # Another key with the site key's kid; an HS256 token (what Kampus signed before), with the site's
    # public key as HMAC secret too (the algorithm-confusion attack); an unsigned one.
    other = RSAKey.generate_key(2048, parameters={"kid": site_key.kid}, auto_kid=False)
    foreign = jose_jwt.encode({"alg": "RS512", "kid": site_key.kid}, claims, other, algorithms=["RS512"])
    hmac_old = jose_jwt.encode({"alg": "HS256"}, claims, OctKey.import_key(b"k" * 32))
    confused = hs256_by_hand({"alg": "HS256", "kid": site_key.kid}, claims, site_key.as_pem(private=False))
    unsigned = jose_jwt.encode({"alg": "none"}, claims, None, algorithms=["none"])
    for bad, detail in ((tampered, "Error decoding signature."), (foreign, "Error decoding signature."),
                        (hmac_old, "Error decoding signature."), (confused, "Error decoding signature."),
                        (unsigned, "Error decoding signature."),
                        (expired, "Signature has expired."), ("not.a.jwt", "Error decoding signature.")):
        response = client.get("/api/user/v1/me", headers={"Authorization": f"JWT {bad}"})
        assert response.status_code == 401, bad
        assert response.get_json()["detail"] == detail
        assert response.headers["WWW-Authenticate"].startswith("JWT")


def test_api_is_throttled_per_token_with_retry_after(make_app) -> None:
    app = make_app(settings={"api_token_rate_limit": 3, "api_user_rate_limit": 100})
    user = make_user(app)
    register(app, client_id="mobile-app")
    client = app.test_client()
    token = password_grant(client, "mobile-app", user.username, TEST_PASSWORD).get_json()["access_token"]
    headers = {"Authorization": f"Bearer {token}"}
    statuses = [client.get("/api/user/v1/me", headers=headers).status_code for _ in range(4)]
    assert statuses == [200, 200, 200, 429]
    throttled = client.get("/api/user/v1/me", headers=headers)
    assert int(throttled.headers["Retry-After"]) >= 1
    assert throttled.get_json()["detail"].startswith("Request was throttled.")
    # another token of the same user has its own bucket
    other = password_grant(client, "mobile-app", user.username, TEST_PASSWORD).get_json()["access_token"]
    assert client.get("/api/user/v1/me", headers={"Authorization": f"Bearer {other}"}).status_code == 200


def test_api_is_throttled_per_user_across_tokens_and_sessions(make_app) -> None:
    app = make_app(settings={"api_user_rate_limit": 2})
    session = client_as(app, "user")
    assert [session.get("/api/user/v1/me").status_code for _ in range(3)] == [200, 200, 429]
    assert client_as(app, "user").get("/api/user/v1/me").status_code == 200  # other users are not affected


@pytest.fixture
def cors_app(make_app):
    return make_app(settings={"cors_origins": ["https://app.example.org"]})


def test_cors_preflight_for_an_allowed_and_a_refused_origin(cors_app) -> None:
    client = cors_app.test_client()
    preflight = {"Access-Control-Request-Method": "GET", "Access-Control-Request-Headers": "Authorization"}
    allowed = client.options("/api/user/v1/me", headers={"Origin": "https://app.example.org", **preflight})
    assert allowed.headers["Access-Control-Allow-Origin"] == "https://app.example.org"
    assert "authorization" in allowed.headers["Access-Control-Allow-Headers"].lower()
    assert "Access-Control-Allow-Credentials" not in allowed.headers
    refused = client.options("/api/user/v1/me", headers={"Origin": "https://evil.example.com", **preflight})
    assert "Access-Control-Allow-Origin" not in refused.headers
    token_endpoint = client.options("/oauth2/access_token", headers={
        "Origin": "https://app.example.org", "Access-Control-Request-Method": "POST"})
    assert token_endpoint.headers["Access-Control-Allow-Origin"] == "https://app.example.org"
    # pages other than the API get no CORS headers
    page = client.get("/login", headers={"Origin": "https://app.example.org"})
    assert "Access-Control-Allow-Origin" not in page.headers


def test_no_cors_without_configured_origins(app) -> None:
    response = app.test_client().options("/api/user/v1/me", headers={
        "Origin": "https://app.example.org", "Access-Control-Request-Method": "GET"})
    assert "Access-Control-Allow-Origin" not in response.headers


def test_csrf_still_protects_cookie_sessions_but_not_token_calls(app) -> None:
    session = client_as(app, "global_staff")
    body = {"name": "kampus.tasks.demo.count", "kwargs": {"n": 1, "delay": 0}}
    no_csrf = session.post("/api/tasks/v1/tasks/", json=body, csrf=False)
    assert no_csrf.status_code == 400 and "CSRF" in no_csrf.get_json()["error"]["message"]
    user = session.user
    register(app, client_id="mobile-app")
    token = password_grant(app.test_client(), "mobile-app", user.username, TEST_PASSWORD).get_json()["access_token"]
    # a token request carries no CSRF token; the session cookie is ignored with a token
    with_token = session.post("/api/tasks/v1/tasks/", json=body, csrf=False,
                              headers={"Authorization": f"Bearer {token}"})
    assert with_token.status_code in (202, 400), with_token.text
    assert "CSRF" not in with_token.text
