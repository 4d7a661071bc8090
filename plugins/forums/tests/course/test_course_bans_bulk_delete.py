"""Open edX's newer moderation: bulk-delete-ban (a background task deleting every post of a user, then
banning them), organization-wide bans with per-course exceptions, unban-user; with their permissions."""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa
from flask import Flask
from kampus_content.api import content_store
from kampus_forums.access import active_restriction
from kampus_forums.moderation.models import AuditEntry
from kampus_forums.search import service as search
from kampus_forums.threads.models import Comment, Thread
from kampus_lms import api as lms

from kampus import db

from .course_kit import API, COURSE, add_thread, client_of, publish_discussion_course, user_in

MOD = f"{API}/v1/moderation"
SAME_ORG = "course-v1:KampusX+Other202+2026"
OTHER_ORG = "course-v1:ElseX+Test101+2026"
BANNED = "You have been banned from this course's discussions."


def _live(app: Flask, user: Any) -> tuple[int, int]:
    with app.app_context():
        threads = db.session().scalar(sa.select(sa.func.count()).select_from(Thread).where(
            Thread.author_id == user.id, Thread.deleted_at.is_(None)))
        comments = db.session().scalar(sa.select(sa.func.count()).select_from(Comment).where(
            Comment.author_id == user.id, Comment.deleted_at.is_(None)))
        return int(threads or 0), int(comments or 0)


def _banned_in(app: Flask, user: Any, course_id: str) -> bool:
    with app.app_context():
        row = active_restriction(course_id, user.id)
        return row is not None and row.kind == "ban"


def _post(client: Any, course_id: str = COURSE, text: str = "Some text") -> Any:
    return client.post(f"{API}/v1/threads/", json={"course_id": course_id, "topic_id": "course",
                                                   "type": "discussion", "title": "Hello", "raw_body": text})


def _comment(client: Any, thread_id: int, **fields: Any) -> int:
    answer = client.post(f"{API}/v1/comments/", json={"thread_id": str(thread_id), "raw_body": "Hi", **fields})
    assert answer.status_code == 200, answer.get_json()
    return int(answer.get_json()["id"])


def test_bulk_delete_ban_deletes_in_a_task_then_bans(app: Flask) -> None:
    publish_discussion_course(app)
    spammer, other = user_in(app), user_in(app)
    spam = client_of(app, spammer)
    posted = _post(spam, text="Buy zebracoins now")
    assert posted.status_code == 200, posted.get_json()
    other_client = client_of(app, other)
    others = int(_post(other_client).get_json()["id"])
    response = _comment(spam, others)
    _comment(spam, others, parent_id=str(response))
    kept = _comment(other_client, others)
    with app.app_context():
        assert db.session().get(Thread, others).comment_count == 3
    with app.app_context():
        assert search.search_thread_ids(COURSE, "zebracoins") == [int(posted.get_json()["id"])]
    moderator_user = user_in(app, "discussion_moderator")
    moderator = client_of(app, moderator_user)

    queued = moderator.post(f"{MOD}/bulk-delete-ban/", json={"username": spammer.username, "course_id": COURSE,
                                                             "ban_user": True, "reason": "Spam"})
    assert queued.status_code == 202, queued.get_json()
    body = queued.get_json()
    assert body["status"] == "success"
    assert body["message"] == "Deletion task queued. User will be banned upon completion."
    task = moderator.get(f"/api/tasks/v1/tasks/{body['task_id']}").get_json()  # the starter reads its record
    assert task["state"] == "SUCCESS", task
    assert {k: task["result"][k] for k in ("threads_deleted", "comments_deleted", "ban_applied")} == {
        "threads_deleted": 1, "comments_deleted": 2, "ban_applied": True}
    assert _live(app, spammer) == (0, 0)
    with app.app_context():
        assert search.search_thread_ids(COURSE, "zebracoins") == []  # the index forgot the deleted post
        assert db.session().get(Comment, kept).deleted_at is None
        assert db.session().get(Thread, others).comment_count == 1  # the counts follow
    assert _banned_in(app, spammer, COURSE)
    refused = _post(spam)
    assert refused.status_code == 403 and refused.get_json()["developer_message"] == BANNED
    listed = moderator.get(f"{MOD}/banned-users/", query_string={"course_id": COURSE}).get_json()
    assert [(b["username"], b["reason"], b["scope"], b["banned_by_username"]) for b in listed["results"]] == [
        (spammer.username, "Spam", "course", moderator_user.username)]
    log = moderator.get(f"{MOD}/audit-log/", query_string={"course_id": COURSE}).get_json()["results"]
    assert [e["action"] for e in log][:2] == ["user.banned", "user.posts_deleted"]
    assert log[1]["details"] == {"threads": 1, "comments": 2}
    assert log[0]["moderator_username"] == moderator_user.username and log[0]["target_username"] == spammer.username

    again = moderator.post(f"{MOD}/bulk-delete-ban/", json={"user_id": spammer.id, "course_id": COURSE})
    assert again.status_code == 202 and again.get_json()["message"] == "Deletion task queued."
    result = moderator.get(f"/api/tasks/v1/tasks/{again.get_json()['task_id']}").get_json()["result"]
    assert (result["threads_deleted"], result["comments_deleted"], result["ban_applied"]) == (0, 0, False)


def test_bulk_delete_user_posts_execute_runs_the_task(app: Flask) -> None:
    publish_discussion_course(app)
    spammer = user_in(app)
    add_thread(app, spammer)
    moderator = client_of(app, user_in(app, "discussion_admin"))
    done = moderator.post(f"{API}/v1/bulk_delete_user_posts/{COURSE}",
                          query_string={"username": spammer.username, "execute": "true"})
    assert done.status_code == 202 and done.get_json() == {"comment_count": 0, "thread_count": 1}
    assert _live(app, spammer) == (0, 0)
    assert not _banned_in(app, spammer, COURSE)


def test_bulk_delete_ban_refusals(app: Flask) -> None:
    publish_discussion_course(app)
    spammer = user_in(app)
    add_thread(app, spammer)
    url = f"{MOD}/bulk-delete-ban/"
    body = {"user_id": spammer.id, "course_id": COURSE}
    assert app.test_client().post(url, json=body).status_code == 401
    for role in ("user", "community_ta", "group_moderator"):
        refused = client_of(app, user_in(app, role)).post(url, json={**body, "ban_user": True, "reason": "x"})
        assert refused.status_code == 403, role
        assert refused.get_json() == {"error": "You do not have permission to delete posts of users in this course"}
    moderator = client_of(app, user_in(app, "staff"))
    assert moderator.post(url, json={**body, "ban_user": True}).get_json() == {
        "reason": ["Reason is required when banning a user."]}
    assert moderator.post(url, json={"course_id": COURSE}).get_json() == {
        "user_id": ["Either user_id or username must be provided."]}
    assert moderator.post(url, json={"username": "ghost", "course_id": COURSE}).get_json() == {
        "username": ["User with username 'ghost' does not exist."]}
    assert moderator.post(url, json={**body, "ban_user": True, "reason": "x", "ban_scope": "organization"}
                          ).get_json() == {"ban_scope": ["Organization-level bans require global staff permissions."]}
    assert moderator.post(url, json={**body, "ban_user": "maybe"}).status_code == 400
    assert _live(app, spammer) == (1, 0)  # nothing refused ran


def test_organization_ban_and_its_exceptions(app: Flask) -> None:
    for course_id in (COURSE, SAME_ORG, OTHER_ORG):
        publish_discussion_course(app, course_id)
    learner = user_in(app)
    staff_user = user_in(app, "global_staff", enrolled=False)
    staff = client_of(app, staff_user)
    moderator = client_of(app, user_in(app, "discussion_moderator"))
    body = {"username": learner.username, "course_id": COURSE, "scope": "organization", "reason": "Spam everywhere"}
    refused = moderator.post(f"{MOD}/ban-user/", json=body)
    assert refused.status_code == 403
    assert refused.get_json() == {"error": "Organization-level bans require global staff permissions"}

    made = staff.post(f"{MOD}/ban-user/", json=body)
    assert made.status_code == 201, made.get_json()
    ban = made.get_json()
    assert (ban["message"], ban["scope"], ban["course_id"]) == (
        f"User {learner.username} banned at organization level", "organization", None)
    assert staff.post(f"{MOD}/ban-user/", json=body).get_json() == {
        "error": f"User {learner.username} is already banned at organization level", "ban_id": ban["ban_id"]}
    assert _banned_in(app, learner, COURSE) and _banned_in(app, learner, SAME_ORG)
    assert not _banned_in(app, learner, OTHER_ORG)
    other_moderator = client_of(app, user_in(app, "discussion_moderator", SAME_ORG))
    listed = other_moderator.get(f"{MOD}/banned-users/", query_string={"course_id": SAME_ORG}).get_json()
    assert [(b["id"], b["scope"], b["course_id"], b["organization"]) for b in listed["results"]] == [
        (ban["ban_id"], "organization", None, "KampusX")]
    assert other_moderator.get(f"{MOD}/banned-users/", query_string={"course_id": SAME_ORG, "scope": "course"}
                               ).get_json()["count"] == 0

    # a course moderator lifts it in their course only; wholly, only global staff
    assert other_moderator.post(f"{MOD}/{ban['ban_id']}/unban/", json={"reason": "appeal"}).status_code == 403
    excepted = other_moderator.post(f"{MOD}/{ban['ban_id']}/unban/", json={"reason": "appeal", "course_id": SAME_ORG})
    assert excepted.status_code == 200, excepted.get_json()
    assert excepted.get_json() == {"status": "success", "exception_created": True, "message":
                                   f"User {learner.username} unbanned from {SAME_ORG} "
                                   "(org-level ban still active for other courses)"}
    assert not _banned_in(app, learner, SAME_ORG) and _banned_in(app, learner, COURSE)
    assert other_moderator.get(f"{MOD}/banned-users/", query_string={"course_id": SAME_ORG}).get_json()["count"] == 0
    assert moderator.post(f"{MOD}/{ban['ban_id']}/unban/", json={"reason": "x", "course_id": OTHER_ORG}
                          ).status_code == 403  # not their course
    lifted = staff.post(f"{MOD}/unban-user/", json={"user_id": learner.id, "course_id": COURSE,
                                                    "scope": "organization", "reason": "review"})
    assert lifted.status_code == 200 and lifted.get_json() == {
        "status": "success", "message": f"User {learner.username} unbanned at organization level",
        "ban_id": ban["ban_id"], "user_id": learner.id, "username": learner.username, "scope": "organization"}
    assert not _banned_in(app, learner, COURSE)
    assert staff.post(f"{MOD}/unban-user/", json={"user_id": learner.id, "course_id": COURSE,
                                                  "scope": "organization"}).status_code == 400
    # banned again at organization level: the old exception is gone
    assert staff.post(f"{MOD}/ban-user/", json=body).get_json()["message"] == (
        f"User {learner.username} ban reactivated at organization level")
    assert _banned_in(app, learner, SAME_ORG)


def test_unban_user_at_course_scope(app: Flask) -> None:
    publish_discussion_course(app)
    learner = user_in(app)
    moderator = client_of(app, user_in(app, "discussion_moderator"))
    assert moderator.post(f"{MOD}/ban-user/", json={"user_id": learner.id, "course_id": COURSE}).status_code == 201
    assert client_of(app, user_in(app, "community_ta")).post(
        f"{MOD}/unban-user/", json={"user_id": learner.id, "course_id": COURSE}).status_code == 403
    lifted = moderator.post(f"{MOD}/unban-user/", json={"username": learner.username, "course_id": COURSE,
                                                        "reason": "ok"})
    assert lifted.status_code == 200
    assert lifted.get_json()["message"] == f"User {learner.username} unbanned at course level"
    assert not _banned_in(app, learner, COURSE)
    assert _post(client_of(app, learner)).status_code == 200


def test_global_staff_lift_an_organization_ban_whose_course_is_gone(app: Flask) -> None:
    for course_id in (COURSE, SAME_ORG):
        publish_discussion_course(app, course_id)
    learner = user_in(app)
    staff = client_of(app, user_in(app, "global_staff", enrolled=False))
    body = {"username": learner.username, "course_id": COURSE, "scope": "organization", "reason": "Spam everywhere"}
    ban_id = staff.post(f"{MOD}/ban-user/", json=body).get_json()["ban_id"]
    with app.app_context():
        content_store().delete_course(COURSE)  # the course it was issued from is deleted
        assert lms.course_overview(COURSE) is None
    assert _banned_in(app, learner, SAME_ORG)
    moderator = client_of(app, user_in(app, "discussion_moderator", SAME_ORG))
    refused = moderator.post(f"{MOD}/{ban_id}/unban/", json={"reason": "appeal"})
    assert refused.status_code == 403
    assert refused.get_json() == {"error": "Only global staff can fully unban organization-level bans"}
    lifted = staff.post(f"{MOD}/{ban_id}/unban/", json={"reason": "appeal"})
    assert lifted.status_code == 200, lifted.get_json()
    assert lifted.get_json() == {"status": "success", "exception_created": False,
                                 "message": f"User {learner.username} unbanned successfully"}
    assert not _banned_in(app, learner, SAME_ORG)
    with app.app_context():  # the audit entry is kept under the course the ban was issued from
        entry = db.session().scalars(sa.select(AuditEntry).where(AuditEntry.course_id == COURSE)
                                     .order_by(AuditEntry.id.desc())).first()
        assert entry is not None and entry.action == "restriction.lifted" and entry.reason == "appeal"
