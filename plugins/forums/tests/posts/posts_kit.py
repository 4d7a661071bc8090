"""Shared by the posts tests: a published course with topics, users in it, and REST helpers."""

from __future__ import annotations

import json
from typing import Any

from flask import Flask
from kampus_content.store import Block
from kampus_content.testing.xblocks import publish_course
from kampus_lms import api as lms

from kampus.testing import DEFAULT_COURSE, login, make_user

COURSE = DEFAULT_COURSE
THREADS = "/api/discussion/v1/threads/"
COMMENTS = "/api/discussion/v1/comments/"
MERGE_PATCH = "application/merge-patch+json"
POLICY: dict[str, Any] = {"discussion_topics": {"General": {"id": "course"}, "Q and A": {"id": "qa"}},
                          "allow_anonymous": True, "allow_anonymous_to_peers": True}


def publish(app: Flask, **fields: Any) -> dict[str, str]:
    """Publish the course with two course-wide topics and one in-context topic (``topic-a``)."""
    return publish_course(app, COURSE, {
        "unit1": [Block("discussion", "disc1", {"display_name": "Talk", "discussion_id": "topic-a",
                                                "discussion_category": "Week 1", "discussion_target": "Alpha"})],
    }, course_fields={**POLICY, **fields})


def user_in(app: Flask, role: str = "user", *, enrolled: bool = True, **fields: Any) -> Any:
    """A new user holding ``role`` in the course, enrolled unless told otherwise."""
    user = make_user(app, role, COURSE, **fields)
    if enrolled:
        with app.app_context():
            lms.enroll(user, COURSE, check_access=False)
    return user


def client_of(app: Flask, user: Any) -> Any:
    return login(app.test_client(), user)


def post_thread(client: Any, **fields: Any) -> Any:
    body = {"course_id": COURSE, "topic_id": "course", "type": "discussion", "title": "Hello",
            "raw_body": "Some *text*", **fields}
    return client.post(THREADS, json=body)


def new_thread(client: Any, **fields: Any) -> dict[str, Any]:
    answer = post_thread(client, **fields)
    assert answer.status_code == 200, answer.get_json()
    return answer.get_json()


def new_comment(client: Any, thread_id: str, **fields: Any) -> dict[str, Any]:
    answer = client.post(COMMENTS, json={"thread_id": thread_id, "raw_body": "An answer", **fields})
    assert answer.status_code == 200, answer.get_json()
    return answer.get_json()


def patch(client: Any, url: str, body: dict[str, Any]) -> Any:
    return client.patch(url, data=json.dumps(body), content_type=MERGE_PATCH)


def cohorts(app: Flask, **members: list[Any]) -> dict[str, int]:
    """Make the course cohorted with one cohort per keyword (its members); returns the cohort ids."""
    ids: dict[str, int] = {}
    with app.app_context():
        lms.set_cohorted(COURSE, True)
        for name, users in members.items():
            cohort = lms.create_cohort(COURSE, name)
            lms.add_users_to_cohort(COURSE, cohort.id, [user.username for user in users])
            ids[name] = cohort.id
    return ids
