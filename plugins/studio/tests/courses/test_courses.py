"""Course creation, rerun, the course list and the course team, through REST and the pages."""

from __future__ import annotations

import pytest
from kampus_content.api import DRAFT, content_store, get_structure

from kampus.identity.permissions import course_roles
from kampus.testing import make_user

NEW = {"org": "TestX", "number": "CS101", "run": "2027_T1", "display_name": "Computer Science"}
COURSE = "course-v1:TestX+CS101+2027_T1"


def create(client, **overrides):
    return client.post("/api/studio/v1/courses/", json={**NEW, **overrides})


def test_global_staff_creates_a_course_and_becomes_its_admin(app, client_as, hook_calls):
    staff = client_as("global_staff")
    answer = create(staff)
    assert answer.status_code == 201, answer.json
    assert answer.json == {"course_id": COURSE, "outline_url": f"/studio/course/{COURSE}/"}
    assert "kampus_content_changed" in hook_calls.names()
    with app.test_request_context():
        structure = get_structure(COURSE, DRAFT)
        root = structure.get(structure.root)
        assert root.fields["display_name"] == "Computer Science"
        assert root.fields["start"] == "2030-01-01T00:00:00Z"
        assert content_store().get_course_index(COURSE).published_version is None
        assert {"instructor", "staff"} <= course_roles(staff.user, COURSE)
    listed = staff.get("/api/studio/v1/courses/").json
    assert [c["course_id"] for c in listed["results"]] == [COURSE]
    assert listed["can_create"] is True
    page = staff.get("/studio/")
    assert page.status_code == 200 and b"Computer Science" in page.data and b"New course" in page.data


@pytest.mark.parametrize(("fields", "field", "status"), [
    ({"org": ""}, "org", 400),
    ({"number": "CS 101"}, "number", 400),
    ({"run": "2027/T1"}, "run", 400),
    ({"display_name": "  "}, "display_name", 400),
    ({"org": "O" * 30, "number": "N" * 30, "run": "R" * 10}, "run", 400),
])
def test_creation_validates_the_course_key(client_as, fields, field, status):
    answer = create(client_as("global_staff"), **fields)
    assert answer.status_code == status
    assert field in answer.json["field_errors"]
    assert answer.json["field_errors"][field]["user_message"]
    assert answer.json["developer_message"]


def test_duplicates_are_refused_in_any_letter_case(app, client_as):
    staff = client_as("global_staff")
    assert create(staff).status_code == 201
    again = create(staff, org="testx", number="cs101", run="2027_t1")
    assert again.status_code == 409
    assert "already a course" in again.json["user_message"]
    with app.test_request_context():
        assert [c.course_key for c in content_store().list_courses()] == [COURSE]


def test_who_may_create(make_app, client_as):
    # by default only global staff
    assert create(client_as("user")).status_code == 403
    assert create(client_as("staff")).status_code == 403
    anonymous = client_as("anonymous")
    assert anonymous.post("/api/studio/v1/courses/", json=NEW).status_code == 401
    assert anonymous.get("/studio/").status_code == 302


def test_anyone_may_create_when_the_setting_says_so(make_app):
    from kampus.testing import client_as
    app = make_app(plugins=["content", "problems", "studio"], settings={"studio_course_creators": "anyone"})
    user = client_as(app, "user")
    assert create(user).status_code == 201
    assert user.get("/api/studio/v1/courses/").json["results"][0]["course_id"] == COURSE


def test_course_list_shows_only_authored_courses(app, client_as):
    staff = client_as("global_staff")
    create(staff)
    create(staff, number="OTHER")
    author = client_as("staff", course_id=COURSE)
    listed = author.get("/api/studio/v1/courses/").json
    assert [c["course_id"] for c in listed["results"]] == [COURSE]
    assert listed["can_create"] is False
    page = author.get("/studio/")
    assert page.status_code == 200 and b"TestX+OTHER" not in page.data and b"New course" not in page.data
    assert client_as("learner", course_id=COURSE).get("/studio/").status_code == 403


def test_rerun_copies_the_draft_unpublished(app, client_as):
    staff = client_as("global_staff")
    create(staff)
    outline = staff.get(f"/api/studio/v1/courses/{COURSE}/outline").json
    section = staff.post(f"/api/studio/v1/courses/{COURSE}/blocks", json={
        "parent": outline["root"]["usage_id"], "category": "chapter", "display_name": "Week 1"}).json
    assert staff.post(f"/api/studio/v1/courses/{COURSE}/publish", json={}).status_code == 200
    answer = staff.post(f"/api/studio/v1/courses/{COURSE}/rerun",
                        json={**NEW, "run": "2028_T1", "display_name": "Computer Science (2028)"})
    assert answer.status_code == 202, answer.json
    new_id = answer.json["course_id"]
    assert new_id == "course-v1:TestX+CS101+2028_T1"
    assert answer.json["course_list_url"] == "/studio/"
    status = staff.get(answer.json["status_url"])  # the task ran (eager in tests)
    assert status.json["state"] == "succeeded" and status.json["outline_url"] == f"/studio/course/{new_id}/"
    with app.test_request_context():
        index = content_store().get_course_index(new_id)
        assert index.published_version is None
        structure = get_structure(new_id, DRAFT)
        root = structure.get(structure.root)
        assert root.fields["display_name"] == "Computer Science (2028)"
        assert root.fields["start"] == "2030-01-01T00:00:00Z"
        assert [structure.get(c).fields["display_name"] for c in root.children] == ["Week 1"]
    assert section["usage_id"].startswith("block-v1:TestX+CS101+2027_T1")
    # taken key, wrong source, not allowed
    assert staff.post(f"/api/studio/v1/courses/{COURSE}/rerun", json=NEW).status_code == 409
    assert staff.post("/api/studio/v1/courses/course-v1:No+Such+Course/rerun",
                      json={**NEW, "run": "X"}).status_code == 404
    author = client_as("staff", course_id=COURSE)
    assert author.post(f"/api/studio/v1/courses/{COURSE}/rerun", json={**NEW, "run": "Y"}).status_code == 403
    assert staff.get(f"/studio/course/{COURSE}/rerun").status_code == 200


def test_team_rules(app, client_as):
    creator = client_as("global_staff")
    create(creator)
    admin_user = make_user(app, "user", username="alice", email="alice@example.com")
    make_user(app, "user", username="bob", email="Bob@Example.com")
    base = f"/api/studio/v1/courses/{COURSE}/team"
    # the creator (global staff) adds alice as admin, then alice runs the team
    assert creator.post(base, json={"email": "alice", "role": "admin"}).status_code == 201
    from kampus.testing import login
    alice = login(app.test_client(), admin_user)
    added = alice.post(base, json={"email": "bob@example.com"})
    assert added.status_code == 201 and added.json["role"] == "staff"
    assert alice.post(base, json={"email": "bob"}).status_code == 409
    missing = alice.post(base, json={"email": "nobody@example.com"})
    assert missing.status_code == 404 and "Could not find user" in missing.json["user_message"]
    assert alice.post(base, json={"email": "bob", "role": "owner"}).status_code in (400, 409)
    members = {m["username"]: m for m in alice.get(base).json["results"]}
    assert members["alice"]["role"] == "admin" and members["bob"]["role"] == "staff"
    bob_id = members["bob"]["user_id"]
    alice_id = members["alice"]["user_id"]
    # the creator is also an admin: remove the creator so alice is the last admin
    creator_id = creator.user.id
    assert alice.delete(f"{base}/{creator_id}").status_code == 204
    last = alice.delete(f"{base}/{alice_id}")
    assert last.status_code == 409 and "last Admin" in last.json["user_message"]
    assert alice.put(f"{base}/{alice_id}", json={"role": "staff"}).status_code == 409
    # staff (bob) may see the team but not change it
    bob = client_as("anonymous")
    from kampus.identity.models import User
    with app.app_context():
        from kampus import db
        bob = login(app.test_client(), db.session().get(User, bob_id))
    assert bob.get(base).status_code == 200
    assert bob.post(base, json={"email": "alice"}).status_code == 403
    assert bob.get(f"/studio/course/{COURSE}/team").status_code == 200
    assert b"Add a team member" not in bob.get(f"/studio/course/{COURSE}/team").data
    # promote bob, then alice may step down and be removed
    assert alice.put(f"{base}/{bob_id}", json={"role": "admin"}).json["role"] == "admin"
    assert alice.delete(f"{base}/{alice_id}").status_code == 204
    assert [m["username"] for m in bob.get(base).json["results"]] == ["bob"]
    page = bob.get(f"/studio/course/{COURSE}/team")
    assert b"Add a team member" in page.data
    # learners and TAs get 403, anonymous 401
    assert client_as("learner", course_id=COURSE).get(base).status_code == 403
    assert client_as("ta", course_id=COURSE).get(base).status_code == 403
    assert client_as("anonymous").get(base).status_code == 401


def test_bearer_token_creates_a_course(app):
    from kampus.identity.tokens import create_token

    user = make_user(app, "global_staff")
    with app.extensions["kampus"].db.session_scope() as session:
        _, token = create_token(session, session.merge(user), "studio")
    client = app.test_client()
    headers = {"Authorization": f"Bearer {token}"}
    answer = client.post("/api/studio/v1/courses/", json=NEW, headers=headers, csrf=False)
    assert answer.status_code == 201, answer.json
    assert client.get("/api/studio/v1/courses/", headers=headers).json["results"][0]["course_id"] == COURSE
