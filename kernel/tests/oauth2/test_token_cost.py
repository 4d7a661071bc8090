"""What a token request costs the database: one read of the client, one write of the token."""

from __future__ import annotations

import sqlalchemy as sa

from kampus.identity.models import User
from kampus.oauth2.models import OAuthToken, digest
from kampus.testing import TEST_PASSWORD, make_user, recording_statements

from .conftest import password_grant, register


def _service_client(app):
    service = make_user(app, username="grader_service")
    return service, register(app, "Grader", "confidential", username=service.username, client_id="grader")


def test_client_credentials_read_the_client_and_write_the_token_only(app) -> None:
    service, server = _service_client(app)
    client = app.test_client()
    form = {"grant_type": "client_credentials", "client_id": "grader", "client_secret": server.secret}
    with recording_statements(app) as statements:
        response = client.post("/oauth2/access_token", data=form)
    assert response.status_code == 200, response.text
    assert statements.count == 2, statements.queries
    assert len(statements.touching("kampus_oauth_client")) == 1
    assert len(statements.writes("kampus_oauth_token")) == 1
    token = response.get_json()["access_token"]
    with app.extensions["kampus"].db.session_scope() as db_session:
        record = db_session.scalar(sa.select(OAuthToken).where(OAuthToken.access_digest == digest(token)))
        assert record is not None and record.user_id == service.id and record.token_type == "bearer"
        assert record.refresh_digest is None and record.expires_at > record.issued_at
    who = client.get("/api/user/v1/me", headers={"Authorization": f"Bearer {token}"})
    assert who.get_json() == {"username": "grader_service"}


def test_client_credentials_jwt_names_the_service_user(app) -> None:
    _service, server = _service_client(app)
    client = app.test_client()
    response = client.post("/oauth2/access_token", data={"grant_type": "client_credentials", "client_id": "grader",
                                                         "client_secret": server.secret, "token_type": "jwt"})
    assert response.status_code == 200, response.text
    assert response.get_json()["token_type"] == "JWT"
    who = client.get("/api/user/v1/me", headers={"Authorization": f"JWT {response.get_json()['access_token']}"})
    assert who.get_json() == {"username": "grader_service"}


def test_a_client_goes_with_its_deleted_service_user(app) -> None:
    service, server = _service_client(app)
    with app.extensions["kampus"].db.session_scope() as db_session:
        db_session.execute(sa.delete(User).where(User.id == service.id))
    response = app.test_client().post("/oauth2/access_token", data={
        "grant_type": "client_credentials", "client_id": "grader", "client_secret": server.secret})
    assert response.status_code == 400 and response.get_json()["error"] == "invalid_client", response.text


def test_a_failed_grant_writes_no_token(app) -> None:
    register(app, client_id="mobile-app")
    user = make_user(app)
    client = app.test_client()
    assert password_grant(client, "mobile-app", user.username, "wrong password").status_code == 400
    assert password_grant(client, "mobile-app", user.username, TEST_PASSWORD).status_code == 200
    with app.extensions["kampus"].db.session_scope() as db_session:
        assert db_session.scalar(sa.select(sa.func.count()).select_from(OAuthToken)) == 1
