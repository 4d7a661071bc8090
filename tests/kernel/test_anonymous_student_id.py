"""The XBlock runtime's ``anonymous_student_id`` comes from the kernel's table: a new secret key keeps it."""

from __future__ import annotations

import re

import pytest
from kampus_content.store.interface import Block
from kampus_content.testing.xblocks import publish_course

from kampus.identity.permissions import grant_role
from kampus.testing import TEST_PASSWORD, make_user

pytestmark = pytest.mark.kampus_plugins("content")

COURSE = "course-v1:KampusX+Anon101+2026"
OTHER_COURSE = "course-v1:KampusX+Anon202+2026"
ID_RE = re.compile(r"learner-id=\[([0-9a-f]*)\]")


def html_unit(app, course_key):
    html = Block("html", "who", {"data": "<p>learner-id=[%%USER_ID%%]</p>"})
    ids = publish_course(app, course_key, {"unit1": [html]})
    return ids["who"]


def logged_in(app, username):
    client = app.test_client()
    assert client.post("/login", data={"username": username, "password": TEST_PASSWORD}).status_code == 302
    return client


def shown_id(client, usage_id):
    response = client.get(f"/xblock/{usage_id}")
    assert response.status_code == 200, response.get_data(as_text=True)[:500]
    match = ID_RE.search(response.get_data(as_text=True))
    assert match and match.group(1), response.get_data(as_text=True)[:500]
    return match.group(1)


def test_anonymous_student_id_stays_after_the_secret_key_changes(app):
    block = html_unit(app, COURSE)
    other_block = html_unit(app, OTHER_COURSE)
    ada = make_user(app, "learner", course_id=COURSE)
    bob = make_user(app, "learner", course_id=COURSE)
    with app.extensions["kampus"].db.session_scope() as db_session:
        grant_role(db_session, ada, "learner", OTHER_COURSE)
    before = shown_id(logged_in(app, ada.username), block)
    in_other_course = shown_id(logged_in(app, ada.username), other_block)
    someone_else = shown_id(logged_in(app, bob.username), block)
    assert len({before, in_other_course, someone_else}) == 3

    # rotate the key: every session ends, the pseudonym stays
    kampus = app.extensions["kampus"]
    kampus.settings._values["secret_key"] = "a-rotated-secret-key-for-this-test"
    app.secret_key = kampus.settings.secret_key
    assert shown_id(logged_in(app, ada.username), block) == before
