"""Registration shows every field's problem at once (form and API); the full name has a length limit."""

from __future__ import annotations

import sqlalchemy as sa

from kampus.identity.accounts import NAME_MAX_CHARS
from kampus.identity.models import User
from kampus.testing import make_user

GOOD = {"username": "ada", "email": "ada@example.com", "name": "Ada Lovelace", "password": "a-good-long-password"}
BAD = {"username": "a", "email": "not-an-address", "name": "x" * 5000, "password": "short"}


def user_count(app):
    with app.extensions["kampus"].db.session_scope() as db_session:
        return db_session.scalar(sa.select(sa.func.count()).select_from(User))


def test_the_form_shows_every_problem_at_once(app, client):
    before = user_count(app)
    response = client.post("/register", data=BAD)
    assert response.status_code == 400
    page = response.get_data(as_text=True)
    assert page.count('class="invalid-feedback"') == 4
    assert "Use 2 to 150 letters" in page
    assert "Enter a valid e-mail address." in page
    assert "use at most 255 characters" in page
    assert 'id="password-help"' in page
    assert user_count(app) == before


def test_a_5000_character_name_is_refused_and_255_accepted(app, client):
    response = client.post("/register", data={**GOOD, "name": "x" * 5000})
    assert response.status_code == 400
    assert "use at most 255 characters" in response.get_data(as_text=True)
    assert user_count(app) == 0
    response = client.post("/register", data={**GOOD, "name": "x" * NAME_MAX_CHARS})
    assert response.status_code == 200  # "check your e-mail"
    with app.extensions["kampus"].db.session_scope() as db_session:
        assert db_session.scalar(sa.select(User.name).where(User.username == "ada")) == "x" * NAME_MAX_CHARS


def test_the_api_lists_every_problem_open_edx_style(app, client):
    response = client.post("/api/user/v2/account/registration/", data=BAD)
    assert response.status_code == 400
    body = response.get_json()
    assert body["error_code"] == "validation-error"
    assert set(body) == {"username", "email", "name", "password", "error_code"}
    assert all(isinstance(body[field][0]["user_message"], str) for field in ("username", "email", "name", "password"))
    assert user_count(app) == 0


def test_the_api_answers_409_for_existing_accounts(app, client):
    taken = make_user(app, username="taken", email="taken@example.com")
    response = client.post("/user_api/v1/account/registration/",
                           data={**GOOD, "username": taken.username, "email": "TAKEN@example.com"})
    assert response.status_code == 409
    body = response.get_json()
    assert body["error_code"] == "duplicate-email-username"
    assert set(body) == {"username", "email", "error_code"}


def test_the_api_creates_the_account(app, client, mailbox):
    response = client.post("/api/user/v2/account/registration/", data=GOOD)
    assert response.status_code == 200, response.get_json()
    assert response.get_json() == {"success": True, "redirect_url": "/login"}  # confirm the address first
    assert mailbox[-1]["To"] == "ada@example.com"


def test_the_api_logs_in_when_no_confirmation_is_needed(make_app):
    app = make_app(settings={"require_email_confirmation": False})
    client = app.test_client()
    response = client.post("/api/user/v2/account/registration/", data=GOOD)
    assert response.get_json() == {"success": True, "redirect_url": "/"}
    assert client.get("/api/user/v1/me").get_json() == {"username": "ada"}


def test_the_api_needs_the_csrf_token(client):
    response = client.post("/api/user/v2/account/registration/", data=GOOD, csrf=False)
    assert response.status_code == 400


def test_a_form_field_without_a_readable_name_is_400_not_500(client):
    # `name="\"`: werkzeug gives this part the name None, which Flask-WTF's token lookup crashed on
    body = b'--b\r\nContent-Disposition: form-data; name="\\"\r\n\r\nx\r\n--b--\r\n'
    response = client.post("/login", data=body, content_type="multipart/form-data; boundary=b", csrf=False)
    assert response.status_code == 400
    assert "field name" in response.get_data(as_text=True)
