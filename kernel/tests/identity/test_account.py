"""The account page, password change, personal API tokens and the user API."""

from __future__ import annotations

import re

import sqlalchemy as sa

from kampus.identity.models import ApiToken
from kampus.testing import TEST_PASSWORD, login

from .conftest import log_in

NEW = "changed-password-99"


def create_token(client, name="laptop script"):
    response = client.post("/account/tokens", data={"name": name})
    assert response.status_code == 200
    match = re.search(r'value="(kmp_[A-Za-z0-9_-]+)"', response.get_data(as_text=True))
    assert match
    return match.group(1)


def bearer(token):
    return {"Authorization": f"Bearer {token}"}


def test_account_page_requires_login(client):
    response = client.get("/account")
    assert response.status_code == 302 and "/login?next=" in response.headers["Location"]


def test_account_page_shows_profile(client_as):
    client = client_as("user", name="Ada Lovelace")
    page = client.get("/account").get_data(as_text=True)
    assert client.user.username in page and client.user.email in page and "Ada Lovelace" in page


def test_change_password_needs_current_and_ends_other_sessions(app, client_as, events):
    client = client_as("user")
    other = login(app.test_client(), client.user)
    wrong = client.post("/account/password", data={"current_password": "nope-nope-nope", "new_password": NEW,
                                                  "new_password_again": NEW})
    assert wrong.status_code == 400 and "current password is wrong" in wrong.get_data(as_text=True)
    response = client.post("/account/password", data={"current_password": TEST_PASSWORD, "new_password": NEW,
                                                     "new_password_again": NEW})
    assert response.status_code == 302
    assert client.get("/account").status_code == 200  # this session goes on
    assert other.get("/account").status_code == 302  # the other one ended
    assert events.of_type("edx.user.settings.changed")
    fresh = app.test_client()
    assert log_in(fresh, client.user.username, TEST_PASSWORD).status_code == 400
    assert log_in(fresh, client.user.username, NEW).status_code == 302


def test_token_create_use_list_revoke(app, client_as):
    client = client_as("user")
    token = create_token(client)
    anonymous = app.test_client()

    # Shown once: the account page lists it by name and prefix only.
    page = client.get("/account").get_data(as_text=True)
    assert "laptop script" in page and token[:12] in page and token not in page
    with app.extensions["kampus"].db.session_scope() as db_session:
        record = db_session.scalar(sa.select(ApiToken))
        assert record.digest != token and token not in repr(record.__dict__)
        assert record.last_used_at is None
        token_id = record.id

    response = anonymous.get("/api/user/v1/me", headers=bearer(token))
    assert response.status_code == 200
    assert response.get_json() == {"username": client.user.username}
    assert "Set-Cookie" not in response.headers
    with app.extensions["kampus"].db.session_scope() as db_session:
        assert db_session.get(ApiToken, token_id).last_used_at is not None

    assert client.post(f"/account/tokens/{token_id}/revoke").status_code == 302
    response = anonymous.get("/api/user/v1/me", headers=bearer(token))
    assert response.status_code == 401
    assert response.get_json()["error"]["status"] == 401
    assert "laptop script" not in client.get("/account").get_data(as_text=True)


def test_tokens_of_others_cannot_be_revoked(app, client_as):
    owner = client_as("user")
    token = create_token(owner)
    with app.extensions["kampus"].db.session_scope() as db_session:
        token_id = db_session.scalar(sa.select(ApiToken.id))
    intruder = client_as("user")
    intruder.post(f"/account/tokens/{token_id}/revoke")
    assert app.test_client().get("/api/user/v1/me", headers=bearer(token)).status_code == 200


def test_bad_bearer_tokens_are_401_json(client):
    for header in ("Bearer kmp_nonsense", "Bearer nonsense"):
        response = client.get("/api/user/v1/me", headers={"Authorization": header})
        assert response.status_code == 401
        assert response.is_json


def test_bearer_token_is_the_only_credential_of_its_request(app, client_as):
    """A session cookie beside a bad token does not authenticate (nor skip CSRF for the cookie's user)."""
    client = client_as("user")
    response = client.get("/api/user/v1/me", headers=bearer("kmp_wrong"))
    assert response.status_code == 401
    response = client.post("/account/tokens", data={"name": "x"}, headers=bearer("kmp_wrong"), csrf=False)
    assert response.status_code == 401


def test_bearer_post_needs_no_csrf(app, client_as):
    client = client_as("user")
    token = create_token(client)
    response = app.test_client().post("/logout", headers=bearer(token), csrf=False)
    assert response.status_code == 302


def test_token_of_deactivated_user_stops_working(app, client_as):
    from .conftest import update_user

    client = client_as("user")
    token = create_token(client)
    update_user(app, client.user, is_active=False)
    assert app.test_client().get("/api/user/v1/me", headers=bearer(token)).status_code == 401


def test_token_needs_a_name(client_as):
    response = client_as("user").post("/account/tokens", data={"name": " "})
    assert response.status_code == 400


def test_me_by_session_and_anonymous(client, client_as):
    assert client.get("/api/user/v1/me").status_code == 401
    user_client = client_as("user")
    assert user_client.get("/api/user/v1/me").get_json() == {"username": user_client.user.username}


def test_accounts_api_fields_and_visibility(app, client_as):
    me = client_as("user", name="Grace Hopper")
    other = client_as("user")
    staff = client_as("global_staff")

    mine = me.get(f"/api/user/v1/accounts/{me.user.username}").get_json()
    assert mine["username"] == me.user.username and mine["name"] == "Grace Hopper"
    assert mine["email"] == me.user.email and mine["is_active"] is True
    assert mine["date_joined"].endswith("Z")

    seen_by_other = other.get(f"/api/user/v1/accounts/{me.user.username}").get_json()
    assert seen_by_other["username"] == me.user.username and "email" not in seen_by_other
    assert staff.get(f"/api/user/v1/accounts/{me.user.username}").get_json()["email"] == me.user.email

    assert me.get("/api/user/v1/accounts/nobody-here").status_code == 404
    assert app.test_client().get(f"/api/user/v1/accounts/{me.user.username}").status_code == 401
    assert other.get(f"/api/user/v1/accounts?email={me.user.email}").status_code == 403
    listed = staff.get(f"/api/user/v1/accounts?email={me.user.email}").get_json()
    assert [item["username"] for item in listed] == [me.user.username]
    listed = other.get(f"/api/user/v1/accounts?username={me.user.username},{other.user.username}").get_json()
    assert sorted(item["username"] for item in listed) == sorted([me.user.username, other.user.username])
