"""``/oauth2/access_token`` and ``/oauth2/revoke_token`` as Open edX clients call them."""

from __future__ import annotations

import sqlalchemy as sa

from kampus.identity.models import LoginFailure, User
from kampus.oauth2.models import OAuthToken, digest
from kampus.testing import TEST_PASSWORD, make_user

from .conftest import basic, password_grant, register


def rows(app, statement):
    with app.extensions["kampus"].db.session_scope() as db_session:
        return db_session.execute(statement).all()


def deactivate(app, user) -> None:
    with app.extensions["kampus"].db.session_scope() as db_session:
        db_session.execute(sa.update(User).where(User.id == user.id).values(is_active=False))


def me(client, token: str, scheme: str = "Bearer"):
    return client.get("/api/user/v1/me", headers={"Authorization": f"{scheme} {token}"})


def test_password_grant_gives_a_bearer_token_that_works(app, mobile) -> None:
    user = make_user(app)
    client = app.test_client()
    response = password_grant(client, "mobile-app", user.username, TEST_PASSWORD)
    assert response.status_code == 200, response.text
    body = response.get_json()
    assert body["token_type"] == "Bearer"
    assert body["expires_in"] == 36000
    assert body["scope"] == "read write email profile"
    assert body["access_token"] and body["refresh_token"]
    assert response.headers["Cache-Control"] == "no-store"
    assert me(client, body["access_token"]).get_json() == {"username": user.username}
    stored = rows(app, sa.select(OAuthToken.access_digest))
    assert [row[0] for row in stored] == [digest(body["access_token"])]  # only the digest is kept


def test_wrong_password_unknown_user_and_inactive_user_are_invalid_grant(app, mobile) -> None:
    user = make_user(app)
    inactive = make_user(app)
    deactivate(app, inactive)
    client = app.test_client()
    for username, password in ((user.username, "wrong-password"), ("nobody", TEST_PASSWORD),
                               (inactive.username, TEST_PASSWORD)):
        response = password_grant(client, "mobile-app", username, password)
        assert response.status_code == 400
        assert response.get_json() == {"error": "invalid_grant", "error_description": "Invalid credentials given."}
    assert rows(app, sa.select(sa.func.count(LoginFailure.id)))[0][0] == 3  # counted towards the login throttle
    assert rows(app, sa.select(sa.func.count(OAuthToken.id)))[0][0] == 0


def test_password_grant_is_throttled_like_the_login_page(make_app) -> None:
    app = make_app(settings={"login_failure_limit": 2})
    register(app, client_id="mobile-app")
    user = make_user(app)
    client = app.test_client()
    for _ in range(2):
        assert password_grant(client, "mobile-app", user.username, "wrong-password").status_code == 400
    refused = password_grant(client, "mobile-app", user.username, TEST_PASSWORD)
    assert refused.status_code == 429
    assert int(refused.headers["Retry-After"]) >= 1
    assert refused.get_json()["error"] == "too_many_requests"


def test_unknown_disabled_and_secretless_confidential_clients_are_refused(app, mobile) -> None:
    user = make_user(app)
    server = register(app, "Server", "confidential", grant_types=["password"], client_id="server-app")
    client = app.test_client()
    unknown = password_grant(client, "no-such-app", user.username, TEST_PASSWORD)
    assert unknown.status_code in (400, 401) and unknown.get_json()["error"] == "invalid_client"
    # a confidential client must authenticate with its secret
    no_secret = password_grant(client, "server-app", user.username, TEST_PASSWORD)
    assert no_secret.get_json()["error"] == "invalid_client"
    with_secret = client.post("/oauth2/access_token", headers=basic("server-app", server.secret),
                              data={"grant_type": "password", "username": user.username, "password": TEST_PASSWORD})
    assert with_secret.status_code == 200, with_secret.text
    wrong_secret = client.post("/oauth2/access_token", headers=basic("server-app", "guess"),
                               data={"grant_type": "password", "username": user.username, "password": TEST_PASSWORD})
    assert wrong_secret.status_code == 401 and wrong_secret.get_json()["error"] == "invalid_client"


def test_client_credentials_for_servers_act_as_the_service_user(app) -> None:
    service = make_user(app, username="grader_service")
    server = register(app, "Grader", "confidential", username=service.username, client_id="grader")
    client = app.test_client()
    response = client.post("/oauth2/access_token", data={"grant_type": "client_credentials", "client_id": "grader",
                                                         "client_secret": server.secret})
    assert response.status_code == 200, response.text
    body = response.get_json()
    assert "refresh_token" not in body
    assert me(client, body["access_token"]).get_json() == {"username": "grader_service"}
    # a public client may not use client credentials
    register(app, client_id="mobile-app")
    public = client.post("/oauth2/access_token", data={"grant_type": "client_credentials", "client_id": "mobile-app"})
    assert public.status_code in (400, 401)


def test_refresh_gives_a_new_pair_once_and_revokes_the_old(app, mobile) -> None:
    user = make_user(app)
    client = app.test_client()
    first = password_grant(client, "mobile-app", user.username, TEST_PASSWORD).get_json()
    refreshed = client.post("/oauth2/access_token", data={"grant_type": "refresh_token", "client_id": "mobile-app",
                                                          "refresh_token": first["refresh_token"]})
    assert refreshed.status_code == 200, refreshed.text
    second = refreshed.get_json()
    assert second["refresh_token"] != first["refresh_token"]
    assert me(client, second["access_token"]).status_code == 200
    assert me(client, first["access_token"]).status_code == 401  # the old access token went with its refresh token
    again = client.post("/oauth2/access_token", data={"grant_type": "refresh_token", "client_id": "mobile-app",
                                                      "refresh_token": first["refresh_token"]})
    assert again.status_code == 400 and again.get_json()["error"] == "invalid_grant"


def test_revoke_token(app, mobile) -> None:
    user = make_user(app)
    client = app.test_client()
    token = password_grant(client, "mobile-app", user.username, TEST_PASSWORD).get_json()
    revoked = client.post("/oauth2/revoke_token", data={"client_id": "mobile-app", "token": token["access_token"]})
    assert revoked.status_code == 200 and revoked.get_json() == {}
    refused = me(client, token["access_token"])
    assert refused.status_code == 401
    assert refused.get_json()["error_code"] == "token_nonexistent"
    assert refused.get_json()["developer_message"] == "The provided access token does not match any valid tokens."
    # the refresh token of the pair is dead too
    refresh = client.post("/oauth2/access_token", data={"grant_type": "refresh_token", "client_id": "mobile-app",
                                                        "refresh_token": token["refresh_token"]})
    assert refresh.status_code == 400
    # unknown tokens: 200 (RFC 7009), nothing happens
    assert client.post("/oauth2/revoke_token", data={"client_id": "mobile-app", "token": "nope"}).status_code == 200


def test_scopes(app) -> None:
    user = make_user(app)
    register(app, client_id="reader", scopes=["read", "profile"])
    client = app.test_client()
    asked_too_much = password_grant(client, "reader", user.username, TEST_PASSWORD, scope="read write")
    assert asked_too_much.status_code == 400 and asked_too_much.get_json()["error"] == "invalid_scope"
    unknown = password_grant(client, "reader", user.username, TEST_PASSWORD, scope="read launch-missiles")
    assert unknown.get_json()["error"] == "invalid_scope"
    token = password_grant(client, "reader", user.username, TEST_PASSWORD).get_json()
    assert token["scope"] == "read profile"
    assert me(client, token["access_token"]).status_code == 200  # reading is fine
    # no 'write' scope: changing something is refused before the view runs
    refused = client.post("/api/tasks/v1/tasks/", json={"name": "x"},
                          headers={"Authorization": f"Bearer {token['access_token']}"})
    assert refused.status_code == 403 and refused.get_json()["error_code"] == "insufficient_scope"


def test_expired_bearer_token_is_refused(app, mobile) -> None:
    user = make_user(app)
    client = app.test_client()
    token = password_grant(client, "mobile-app", user.username, TEST_PASSWORD).get_json()["access_token"]
    kampus = app.extensions["kampus"]
    with kampus.db.session_scope() as db_session:
        db_session.execute(sa.update(OAuthToken).values(expires_at=OAuthToken.issued_at))
    refused = me(client, token)
    assert refused.status_code == 401
    assert refused.get_json()["error_code"] == "token_expired"


def test_tokens_of_a_deactivated_user_stop_working(app, mobile) -> None:
    user = make_user(app)
    client = app.test_client()
    token = password_grant(client, "mobile-app", user.username, TEST_PASSWORD).get_json()["access_token"]
    deactivate(app, user)
    assert me(client, token).get_json()["error_code"] == "user_not_active"
