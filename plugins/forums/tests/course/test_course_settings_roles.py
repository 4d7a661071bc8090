"""The course discussion settings endpoint (GET, merge-patch PATCH, 415, validation, permissions) and the
forum roles endpoint (members, allow/revoke through the kernel's roles, audit entries, 400/403/401)."""

from __future__ import annotations

from urllib.parse import quote

import sqlalchemy as sa
from flask import Flask
from kampus_forums.moderation.models import AuditEntry
from kampus_lms import api as lms

from kampus import db
from kampus.identity.permissions import course_roles

from .course_kit import API, COURSE, MERGE_PATCH, client_of, publish_discussion_course, user_in

SETTINGS = f"{API}/v1/courses/{COURSE}/settings"


def _audit(app: Flask, action: str) -> list[AuditEntry]:
    with app.app_context():
        entries = list(db.session().scalars(sa.select(AuditEntry).where(AuditEntry.action == action)
                                            .order_by(AuditEntry.id)))
        db.session().expunge_all()
        return entries


def test_settings_read_and_merge_patch(app: Flask) -> None:
    publish_discussion_course(app, discussion_topics={"General": {"id": "course"}, "Fun": {"id": "fun"}})
    with app.app_context():
        lms.set_cohorted(COURSE, True)
    staff = client_of(app, user_in(app, "staff", enrolled=False))
    body = staff.get(SETTINGS).get_json()
    assert body["division_scheme"] == "cohort" and body["available_division_schemes"] == ["cohort"]
    assert (body["divided_inline_discussions"], body["divided_course_wide_discussions"]) == ([], [])
    assert isinstance(body["id"], int)

    as_json = staff.patch(SETTINGS, json={"always_divide_inline_discussions": True})
    assert as_json.status_code == 415
    assert as_json.get_json()["developer_message"] == 'Unsupported media type "application/json" in request.'
    done = staff.patch(SETTINGS, data='{"divided_course_wide_discussions": ["fun"], '
                                      '"divided_inline_discussions": ["topic-a"], '
                                      '"always_divide_inline_discussions": true}', headers=MERGE_PATCH)
    assert done.status_code == 204 and done.data == b""
    body = staff.get(SETTINGS).get_json()
    assert (body["divided_course_wide_discussions"], body["divided_inline_discussions"],
            body["always_divide_inline_discussions"]) == (["fun"], ["topic-a"], True)
    # a merge patch keeps what it does not name
    assert staff.patch(SETTINGS, data='{"reported_content_email_notifications": true}',
                       headers=MERGE_PATCH).status_code == 204
    body = staff.get(SETTINGS).get_json()
    assert body["divided_course_wide_discussions"] == ["fun"] and body["reported_content_email_notifications"]

    bad = staff.patch(SETTINGS, data='{"division_scheme": "enrollment_track"}', headers=MERGE_PATCH)
    assert bad.status_code == 400 and "division_scheme" in bad.get_json()["field_errors"]
    bad = staff.patch(SETTINGS, data='{"always_divide_inline_discussions": "yes"}', headers=MERGE_PATCH)
    assert bad.status_code == 400 and "always_divide_inline_discussions" in bad.get_json()["field_errors"]
    nothing = staff.patch(SETTINGS, data='{"colour": "red"}', headers=MERGE_PATCH)
    assert nothing.status_code == 400 and nothing.get_json()["developer_message"] == "Bad request"
    assert len(_audit(app, "settings.changed")) == 2


def test_settings_permissions_and_paths(app: Flask) -> None:
    publish_discussion_course(app)
    assert app.test_client().get(SETTINGS).status_code == 401
    learner = client_of(app, user_in(app))
    assert learner.get(SETTINGS).status_code == 403
    community_ta = client_of(app, user_in(app, "community_ta"))
    assert community_ta.get(SETTINGS).status_code == 200
    assert community_ta.patch(SETTINGS, data='{"division_scheme": "none"}', headers=MERGE_PATCH).status_code == 403
    admin = client_of(app, user_in(app, "discussion_admin"))
    assert admin.patch(SETTINGS, data='{"division_scheme": "none"}', headers=MERGE_PATCH).status_code == 204
    bad_key = admin.get(f"{API}/v1/courses/nonsense/settings")
    assert bad_key.status_code == 400
    assert bad_key.get_json()["field_errors"]["course_id"]["developer_message"] == (
        "'nonsense' is not a valid course key")
    assert admin.get(f"{API}/v1/courses/course-v1:No+Such+Run/settings").status_code == 404


def test_roles_members_allow_and_revoke(app: Flask) -> None:
    publish_discussion_course(app)
    instructor = client_of(app, user_in(app, "instructor", enrolled=False))
    learner = user_in(app, name="Ada Lovelace")
    url = f"{API}/v1/courses/{COURSE}/roles/{quote('Community TA')}/"
    assert instructor.get(url).get_json() == {"course_id": COURSE, "results": [], "division_scheme": "none"}

    granted = instructor.post(url, json={"user_id": learner.email, "action": "allow"})
    assert granted.status_code == 200
    assert granted.get_json()["results"] == [{"username": learner.username, "email": learner.email,
                                              "first_name": "Ada", "last_name": "Lovelace", "group_name": None}]
    with app.test_request_context():
        assert "community_ta" in course_roles(learner, COURSE)
    assert instructor.post(url, json={"user_id": learner.username, "action": "allow"}).status_code == 200
    entries = _audit(app, "role.granted")
    assert len(entries) == 1 and entries[0].target_user_id == learner.id
    assert entries[0].details == {"role": "Community TA"}

    revoked = instructor.post(url.rstrip("/"), json={"user_id": learner.username, "action": "revoke"})
    assert revoked.status_code == 200 and revoked.get_json()["results"] == []
    with app.test_request_context():
        assert "community_ta" not in course_roles(learner, COURSE)
    assert len(_audit(app, "role.revoked")) == 1

    unknown = instructor.post(url, json={"user_id": "nobody", "action": "allow"})
    assert unknown.status_code == 400
    assert unknown.get_json()["developer_message"] == "'nobody' is not a valid student identifier"
    bad_action = instructor.post(url, json={"user_id": learner.username, "action": "maybe"})
    assert bad_action.status_code == 400 and "action" in bad_action.get_json()["field_errors"]
    bad_role = instructor.get(f"{API}/v1/courses/{COURSE}/roles/Wizard/")
    assert bad_role.status_code == 400
    assert bad_role.get_json()["field_errors"]["rolename"]["developer_message"] == "Role 'Wizard' does not exist"


def test_only_admins_and_staff_change_roles(app: Flask) -> None:
    publish_discussion_course(app)
    target = user_in(app)
    url = f"{API}/v1/courses/{COURSE}/roles/Moderator/"
    for role in ("user", "community_ta", "discussion_moderator"):
        client = client_of(app, user_in(app, role))
        assert client.get(url).status_code == 403
        assert client.post(url, json={"user_id": target.username, "action": "allow"}).status_code == 403
    assert app.test_client().post(url, json={"user_id": target.username, "action": "allow"}).status_code == 401
    stranger = client_of(app, user_in(app, enrolled=False))
    assert stranger.get(url).status_code == 404
    admin = client_of(app, user_in(app, "discussion_admin"))
    members = admin.post(url, json={"user_id": target.username, "action": "allow"}).get_json()["results"]
    assert target.username in {member["username"] for member in members}
    global_staff = client_of(app, user_in(app, "global_staff", enrolled=False))
    assert global_staff.get(url).status_code == 200
