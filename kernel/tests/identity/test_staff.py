"""The staff pages: find and manage users."""

from __future__ import annotations

import pytest
import sqlalchemy as sa

from kampus.identity.models import CourseAccessRole, User
from kampus.testing import DEFAULT_COURSE, make_user

from .conftest import log_in


def stored(app, user):
    with app.extensions["kampus"].db.session_scope() as db_session:
        return db_session.get(User, user.id)


def roles_of(app, user):
    with app.extensions["kampus"].db.session_scope() as db_session:
        rows = db_session.scalars(sa.select(CourseAccessRole).where(CourseAccessRole.user_id == user.id))
        return sorted((row.course_id, row.org, row.role) for row in rows)


def test_anonymous_is_sent_to_login(client):
    response = client.get("/staff/users")
    assert response.status_code == 302 and response.headers["Location"] == "/login?next=/staff/users"


@pytest.mark.parametrize("role", ["user", "learner", "instructor", "staff", "ta", "beta_tester"])
def test_non_global_staff_get_403(app, client_as, role):
    client = client_as(role)
    target = make_user(app, "user")
    assert client.get("/staff/users").status_code == 403
    assert client.get(f"/staff/users/{target.id}").status_code == 403
    assert client.post(f"/staff/users/{target.id}/staff", data={"is_staff": "1"}).status_code == 403
    assert client.post(f"/staff/users/{target.id}/roles",
                       data={"course_id": DEFAULT_COURSE, "role": "instructor"}).status_code == 403
    assert stored(app, target).is_staff is False and roles_of(app, target) == []


@pytest.mark.parametrize("role", ["global_staff", "superuser"])
def test_global_staff_see_the_pages(client_as, role):
    client = client_as(role)
    response = client.get("/staff/users")
    assert response.status_code == 200
    assert client.user.username in response.get_data(as_text=True)
    assert client.get(f"/staff/users/{client.user.id}").status_code == 200
    assert client.get("/staff/users/999999").status_code == 404


def test_search_and_pagination(app, client_as):
    client = client_as("global_staff")
    for number in range(30):
        make_user(app, "user", username=f"needle{number:02d}", email=f"n{number:02d}@hay.example", password=None)
    make_user(app, "user", username="other", email="other@example.org", password=None)
    first = client.get("/staff/users?q=NEEDLE").get_data(as_text=True)
    assert "30 users" in first and "needle00" in first and "needle29" not in first and "other@" not in first
    second = client.get("/staff/users?q=needle&page=2").get_data(as_text=True)
    assert "needle29" in second and "needle00" not in second
    by_email = client.get("/staff/users?q=hay.example&page=99").get_data(as_text=True)
    assert "needle29" in by_email  # a page past the end shows the last page
    assert "0 users" in client.get("/staff/users?q=%25").get_data(as_text=True)  # wildcards are literal


def test_deactivate_and_activate(app, client_as):
    client = client_as("global_staff")
    target = make_user(app, "user")
    target_client = app.test_client()
    log_in(target_client, target.username)
    assert client.post(f"/staff/users/{target.id}/active", data={"active": "0"}).status_code == 302
    assert stored(app, target).is_active is False
    assert target_client.get("/account").status_code == 302  # the session ended
    assert log_in(app.test_client(), target.username).status_code == 400
    client.post(f"/staff/users/{target.id}/active", data={"active": "1"})
    assert log_in(app.test_client(), target.username).status_code == 302
    assert client.post(f"/staff/users/{client.user.id}/active", data={"active": "0"}).status_code == 400


def test_staff_flag_and_superuser_rules(app, client_as):
    staff = client_as("global_staff")
    superuser = client_as("superuser")
    target = make_user(app, "user")
    staff.post(f"/staff/users/{target.id}/staff", data={"is_staff": "1"})
    assert stored(app, target).is_staff is True
    staff.post(f"/staff/users/{target.id}/staff", data={"is_staff": "0"})
    assert stored(app, target).is_staff is False

    assert staff.post(f"/staff/users/{target.id}/superuser", data={"is_superuser": "1"}).status_code == 403
    assert staff.post(f"/staff/users/{superuser.user.id}/active", data={"active": "0"}).status_code == 403
    assert staff.post(f"/staff/users/{superuser.user.id}/staff", data={"is_staff": "0"}).status_code == 403
    assert stored(app, superuser.user).is_active is True

    assert superuser.post(f"/staff/users/{target.id}/superuser", data={"is_superuser": "1"}).status_code == 302
    assert stored(app, target).is_superuser is True and stored(app, target).is_staff is True
    superuser.post(f"/staff/users/{target.id}/superuser", data={"is_superuser": "0"})
    assert stored(app, target).is_superuser is False


def test_grant_and_revoke_course_roles(app, client_as, events):
    client = client_as("global_staff")
    target = make_user(app, "user")
    url = f"/staff/users/{target.id}/roles"
    assert client.post(url, data={"course_id": DEFAULT_COURSE, "role": "ta"}).status_code == 302
    assert client.post(url, data={"org": "KampusX", "role": "beta_tester"}).status_code == 302
    assert roles_of(app, target) == [("", "KampusX", "beta_tester"), (DEFAULT_COURSE, "", "ta")]
    page = client.get(f"/staff/users/{target.id}").get_data(as_text=True)
    assert DEFAULT_COURSE in page and "beta_tester" in page
    assert events.of_type("kampus.identity.role.granted")

    for bad in ({"course_id": "not a course", "role": "ta"}, {"course_id": DEFAULT_COURSE, "role": "king"},
                {"role": "ta"}, {"course_id": DEFAULT_COURSE, "org": "KampusX", "role": "ta"}):
        response = client.post(url, data=bad)
        assert response.status_code == 400, bad
        assert 'id="role-error"' in response.get_data(as_text=True)

    client.post(url, data={"course_id": DEFAULT_COURSE, "role": "ta", "action": "revoke"})
    assert roles_of(app, target) == [("", "KampusX", "beta_tester")]


def test_staff_posts_need_csrf(app, client_as):
    client = client_as("global_staff")
    target = make_user(app, "user")
    assert client.post(f"/staff/users/{target.id}/staff", data={"is_staff": "1"}, csrf=False).status_code == 400
    assert stored(app, target).is_staff is False


def test_end_sessions_revokes_tokens(app, client_as):
    client = client_as("global_staff")
    target = client_as("user")
    response = target.post("/account/tokens", data={"name": "t"})
    token = response.get_data(as_text=True).split('id="new-token" readonly value="')[1].split('"')[0]
    client.post(f"/staff/users/{target.user.id}/sessions")
    assert target.get("/account").status_code == 302
    assert app.test_client().get("/api/user/v1/me", headers={"Authorization": f"Bearer {token}"}).status_code == 401
