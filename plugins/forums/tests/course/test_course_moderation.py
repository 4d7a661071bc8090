"""Bans and mutes over REST (Open edX's ban-user / banned-users / unban, Kampus's mutes with an end), the
audit log and the flagged queue, with their permissions."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import sqlalchemy as sa
from flask import Flask
from kampus_forums.access import active_restriction
from kampus_forums.moderation.models import Restriction

from kampus import db
from kampus.db import utcnow

from .course_kit import API, COURSE, add_comment, add_thread, client_of, publish_discussion_course, user_in

MOD = f"{API}/v1/moderation"


def _restriction_in_force(app: Flask, user: Any) -> str | None:
    with app.app_context():
        row = active_restriction(COURSE, user.id)
        return row.kind if row is not None else None


def test_ban_lifecycle(app: Flask) -> None:
    publish_discussion_course(app)
    moderator = client_of(app, user_in(app, "discussion_moderator"))
    learner = user_in(app)
    made = moderator.post(f"{MOD}/ban-user/", json={"username": learner.username, "course_id": COURSE,
                                                    "reason": "spam"})
    assert made.status_code == 201, made.get_data(as_text=True)
    body = made.get_json()
    assert body["status"] == "success" and body["message"] == f"User {learner.username} banned at course level"
    assert (body["user_id"], body["username"], body["scope"], body["course_id"], body["expires_at"]) == (
        learner.id, learner.username, "course", COURSE, None)
    ban_id = body["ban_id"]
    assert _restriction_in_force(app, learner) == "ban"
    learner_client = client_of(app, learner)
    assert learner_client.get(f"{API}/v1/courses/{COURSE}").get_json()["is_posting_enabled"] is False

    again = moderator.post(f"{MOD}/ban-user/", json={"user_id": learner.id, "course_id": COURSE})
    assert again.status_code == 400
    assert again.get_json()["error"] == f"User {learner.username} is already banned at course level"
    assert again.get_json()["ban_id"] == ban_id

    listed = moderator.get(f"{MOD}/banned-users/", query_string={"course_id": COURSE}).get_json()
    assert listed["count"] == 1
    item = listed["results"][0]
    assert (item["id"], item["username"], item["reason"], item["is_active"], item["scope"]) == (
        ban_id, learner.username, "spam", True, "course")
    assert item["banned_by_username"] == moderator.user.username

    assert moderator.post(f"{MOD}/{ban_id}/unban/", json={}).get_json() == {"error": "reason field is required"}
    lifted = moderator.post(f"{MOD}/{ban_id}/unban/", json={"reason": "appeal"})
    assert lifted.status_code == 200
    assert lifted.get_json() == {"status": "success", "message": f"User {learner.username} unbanned successfully",
                                 "exception_created": False}
    assert _restriction_in_force(app, learner) is None
    assert moderator.post(f"{MOD}/{ban_id}/unban/", json={"reason": "x"}).status_code == 404
    assert moderator.get(f"{MOD}/banned-users/", query_string={"course_id": COURSE}).get_json()["count"] == 0
    # banning again reactivates the same record, as Open edX does
    again = moderator.post(f"{MOD}/ban-user/", json={"user_id": learner.id, "course_id": COURSE}).get_json()
    assert again["ban_id"] == ban_id and "reactivated" in again["message"]

    log = moderator.get(f"{MOD}/audit-log/", query_string={"course_id": COURSE}).get_json()
    assert [e["action"] for e in log["results"]] == ["user.banned", "restriction.lifted", "user.banned"]
    assert log["results"][1]["reason"] == "appeal" and log["results"][1]["target_username"] == learner.username
    assert log["pagination"]["count"] == 3
    only = moderator.get(f"{MOD}/audit-log/", query_string={"course_id": COURSE, "action": "restriction.lifted",
                                                           "page_size": 1}).get_json()
    assert only["pagination"]["count"] == 1 and only["results"][0]["moderator_username"] == moderator.user.username


def test_mute_with_a_duration_ends_by_itself(app: Flask) -> None:
    publish_discussion_course(app)
    moderator = client_of(app, user_in(app, "staff", enrolled=False))
    learner = user_in(app)
    made = moderator.post(f"{MOD}/mute-user/", json={"username": learner.username, "course_id": COURSE,
                                                     "duration_minutes": 30, "reason": "cool down"})
    assert made.status_code == 201
    body = made.get_json()
    assert body["message"] == f"User {learner.username} muted at course level" and body["expires_at"]
    mute_id = body["mute_id"]
    assert _restriction_in_force(app, learner) == "mute"
    with app.app_context():
        assert active_restriction(COURSE, learner.id, now=utcnow() + timedelta(minutes=31)) is None
        db.session().execute(sa.update(Restriction).where(Restriction.id == mute_id)
                             .values(expires_at=utcnow() - timedelta(seconds=1)))
        db.session().commit()
    assert _restriction_in_force(app, learner) is None
    assert moderator.get(f"{MOD}/muted-users/", query_string={"course_id": COURSE}).get_json()["count"] == 0
    assert moderator.post(f"{MOD}/{mute_id}/unmute/", json={"reason": "x"}).status_code == 404
    # an expired mute does not block a new one
    renewed = moderator.post(f"{MOD}/mute-user/", json={"user_id": learner.id, "course_id": COURSE,
                                                        "expires_at": "2999-01-01T00:00:00Z"}).get_json()
    assert renewed["expires_at"] == "2999-01-01T00:00:00Z"
    listed = moderator.get(f"{MOD}/muted-users/", query_string={"course_id": COURSE}).get_json()
    assert listed["count"] == 1 and listed["results"][0]["expires_at"] == "2999-01-01T00:00:00Z"
    assert moderator.post(f"{MOD}/{renewed['mute_id']}/unban/", json={"reason": "x"}).status_code == 404  # no ban
    assert moderator.post(f"{MOD}/{renewed['mute_id']}/unmute/", json={"reason": "ok"}).status_code == 200
    assert _restriction_in_force(app, learner) is None
    for bad in ({"duration_minutes": 0}, {"duration_minutes": "soon"}, {"expires_at": "tomorrow-ish"},
                {"expires_at": "2001-01-01T00:00:00Z"}):
        answer = moderator.post(f"{MOD}/mute-user/", json={"user_id": learner.id, "course_id": COURSE, **bad})
        assert answer.status_code == 400, bad


def test_moderation_refusals(app: Flask) -> None:
    publish_discussion_course(app)
    learner = user_in(app)
    body = {"user_id": learner.id, "course_id": COURSE}
    anonymous = app.test_client()
    assert anonymous.post(f"{MOD}/ban-user/", json=body).status_code == 401
    assert anonymous.get(f"{MOD}/audit-log/", query_string={"course_id": COURSE}).status_code == 401
    for role in ("user", "community_ta"):
        client = client_of(app, user_in(app, role))
        refused = client.post(f"{MOD}/ban-user/", json=body)
        assert refused.status_code == 403
        assert refused.get_json() == {"error": "You do not have permission to ban users in this course"}
        assert client.post(f"{MOD}/mute-user/", json=body).status_code == 403
        assert client.get(f"{MOD}/banned-users/", query_string={"course_id": COURSE}).status_code == 403
        assert client.get(f"{MOD}/audit-log/", query_string={"course_id": COURSE}).status_code == 403
        assert client.get(f"{MOD}/flagged/", query_string={"course_id": COURSE}).status_code == 403
    moderator = client_of(app, user_in(app, "discussion_admin"))
    assert moderator.post(f"{MOD}/ban-user/", json={"username": "ghost", "course_id": COURSE}).get_json() == {
        "error": "User ghost does not exist"}
    assert moderator.post(f"{MOD}/ban-user/", json={"course_id": COURSE}).status_code == 400
    assert moderator.post(f"{MOD}/ban-user/", json={**body, "scope": "organization"}).status_code == 403
    assert moderator.post(f"{MOD}/ban-user/", json={**body, "course_id": "course-v1:No+Such+Run"}).status_code == 404
    assert moderator.get(f"{MOD}/banned-users/").get_json() == {"error": "course_id parameter is required"}
    assert moderator.get(f"{MOD}/audit-log/").status_code == 400
    assert moderator.get(f"{MOD}/audit-log/", query_string={"course_id": "course-v1:No+Such+Run"}).status_code == 404
    assert moderator.get(f"{MOD}/audit-log/", query_string={"course_id": COURSE, "page": 2}).status_code == 404


def test_flagged_queue_newest_first_with_counts(app: Flask) -> None:
    publish_discussion_course(app)
    author, flagger1, flagger2 = user_in(app), user_in(app), user_in(app)
    quiet = add_thread(app, author, title="Quiet")
    first = add_thread(app, author, title="Rude", flaggers=[flagger1, flagger2])
    add_thread(app, author, title="Gone", flaggers=[flagger1], deleted=True)
    reply = add_comment(app, author, quiet, body="mean reply", flaggers=[flagger2], cleared_flaggers=[flagger1])
    moderator = client_of(app, user_in(app, "discussion_moderator"))
    queue = moderator.get(f"{MOD}/flagged/", query_string={"course_id": COURSE}).get_json()
    assert queue["pagination"]["count"] == 2
    assert [(r["content_type"], r["id"]) for r in queue["results"]] == [("comment", reply), ("thread", first)]
    comment, thread = queue["results"]
    assert (comment["thread_id"], comment["title"], comment["raw_body"], comment["abuse_flag_count"],
            comment["historical_abuse_flag_count"], comment["author_username"]) == (
        quiet, "Quiet", "mean reply", 1, 1, author.username)
    assert (thread["abuse_flag_count"], thread["historical_abuse_flag_count"], thread["topic_id"]) == (2, 0, "course")
    one = moderator.get(f"{MOD}/flagged/", query_string={"course_id": COURSE, "page_size": 1, "page": 2}).get_json()
    assert [r["id"] for r in one["results"]] == [first] and one["pagination"]["next"] is None


def test_the_openapi_document_lists_the_endpoints_and_the_kampus_extensions(app: Flask) -> None:
    document = app.test_client().get("/api/openapi.json").get_json()
    paths = document["paths"]
    for path in ("/api/discussion/v1/courses/{course_id}", "/api/discussion/v2/course_topics/{course_id}",
                 "/api/discussion/v1/courses/{course_id}/settings", "/api/discussion/v1/moderation/ban-user/",
                 "/api/discussion/v1/moderation/mute-user/", "/api/discussion/v1/moderation/audit-log/",
                 "/api/discussion/v1/courses/{course_key}/activity_stats",
                 "/api/discussion/v1/accounts/replace_username"):
        assert path in paths, path
    mute = paths["/api/discussion/v1/moderation/mute-user/"]["post"]
    assert "Kampus extension" in (mute.get("description", "") + mute.get("summary", ""))


def test_a_group_moderator_sees_the_flags_of_their_group_only(app: Flask) -> None:
    from kampus_lms import api as lms

    publish_discussion_course(app)
    group_moderator, author, flagger = user_in(app, "group_moderator"), user_in(app), user_in(app)
    with app.app_context():
        lms.set_cohorted(COURSE, True)
        mine = lms.create_cohort(COURSE, "Mine")
        theirs = lms.create_cohort(COURSE, "Theirs")
        lms.add_users_to_cohort(COURSE, mine.id, [group_moderator.username])
    in_mine = add_thread(app, author, group_id=mine.id, flaggers=[flagger])
    add_thread(app, author, group_id=theirs.id, flaggers=[flagger])
    add_thread(app, author, flaggers=[flagger])  # no group: the course moderators'
    client = client_of(app, group_moderator)
    queue = client.get(f"{MOD}/flagged/", query_string={"course_id": COURSE}).get_json()
    assert [r["id"] for r in queue["results"]] == [in_mine]
    assert client.get(f"{MOD}/audit-log/", query_string={"course_id": COURSE}).status_code == 403
    everything = client_of(app, user_in(app, "discussion_moderator")).get(
        f"{MOD}/flagged/", query_string={"course_id": COURSE}).get_json()
    assert everything["pagination"]["count"] == 3
