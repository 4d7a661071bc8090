"""Discussions divided by enrollment track (Open edX's ``division_scheme`` ``enrollment_track``): each track is
a group whose id is its negated Open edX mode id; learners read only their track's posts in divided topics,
the course team reads all and may post to one track."""

from __future__ import annotations

import json

from flask import Flask
from kampus_forums.topics import tracks
from kampus_lms import api as lms

from kampus.testing import make_user, recording_statements

from .posts_kit import COURSE, MERGE_PATCH, THREADS, client_of, new_thread, post_thread, publish

SETTINGS = f"/api/discussion/v1/courses/{COURSE}/settings"
AUDIT, VERIFIED = -1, -2


def learner(app: Flask, mode: str) -> object:
    user = make_user(app, "user", COURSE)
    with app.app_context():
        lms.enroll(user, COURSE, mode, check_access=False)
    return user


def two_tracks(app: Flask) -> None:
    publish(app)
    with app.app_context():
        lms.set_course_mode(COURSE, "audit", "Audit")
        lms.set_course_mode(COURSE, "verified", "Verified Certificate", min_price=49)


def divide_by_track(client, *topics: str) -> None:
    answer = client.patch(SETTINGS, data=json.dumps({"division_scheme": "enrollment_track",
                                                     "divided_course_wide_discussions": list(topics)}),
                          content_type=MERGE_PATCH)
    assert answer.status_code == 204, answer.get_json()


def titles(client, **query: str) -> list[str]:
    answer = client.get(THREADS, query_string={"course_id": COURSE, **query})
    assert answer.status_code == 200, answer.get_json()
    return sorted(thread["title"] for thread in answer.get_json()["results"])


def test_the_settings_offer_and_take_the_enrollment_track_scheme(app: Flask) -> None:
    publish(app)
    admin = client_of(app, make_user(app, "discussion_admin", COURSE))
    assert admin.get(SETTINGS).get_json()["available_division_schemes"] == []  # one track only
    refused = admin.patch(SETTINGS, data='{"division_scheme": "enrollment_track"}', content_type=MERGE_PATCH)
    assert refused.status_code == 400 and "enrollment_track" in json.dumps(refused.get_json()["field_errors"])
    with app.app_context():
        lms.set_course_mode(COURSE, "audit", "Audit")
        lms.set_course_mode(COURSE, "verified", "Verified Certificate", min_price=49)
    assert admin.get(SETTINGS).get_json()["available_division_schemes"] == ["enrollment_track"]
    divide_by_track(admin, "course")
    body = admin.get(SETTINGS).get_json()
    assert body["division_scheme"] == "enrollment_track" and body["divided_course_wide_discussions"] == ["course"]


def test_learners_read_only_their_tracks_posts_in_divided_topics(app: Flask) -> None:
    two_tracks(app)
    auditor, verified = learner(app, "audit"), learner(app, "verified")
    staff = client_of(app, make_user(app, "staff", COURSE))
    divide_by_track(staff, "course")
    audit_post = new_thread(client_of(app, auditor), title="Audit question")
    verified_post = new_thread(client_of(app, verified), title="Verified question")
    open_post = new_thread(client_of(app, auditor), topic_id="qa", title="Open question")  # not divided
    assert (audit_post["group_id"], audit_post["group_name"]) == (AUDIT, "Audit")
    assert (verified_post["group_id"], verified_post["group_name"]) == (VERIFIED, "Verified Certificate")
    assert open_post["group_id"] is None

    assert titles(client_of(app, auditor)) == ["Audit question", "Open question"]
    assert titles(client_of(app, verified)) == ["Open question", "Verified question"]
    assert titles(staff) == ["Audit question", "Open question", "Verified question"]
    assert titles(staff, group_id=str(AUDIT)) == ["Audit question", "Open question"]
    # crossing the division through the detail view and the comments is refused
    assert client_of(app, verified).get(f"{THREADS}{audit_post['id']}/").status_code == 404
    crossing = client_of(app, verified).post("/api/discussion/v1/comments/",
                                             json={"thread_id": audit_post["id"], "raw_body": "Let me in"})
    assert crossing.status_code in (400, 404)
    # a learner who upgrades reads the verified track's posts from then on
    with app.app_context():
        lms.enroll(auditor, COURSE, "verified", check_access=False)
    assert titles(client_of(app, auditor)) == ["Open question", "Verified question"]


def test_the_course_team_posts_to_one_track_or_all(app: Flask) -> None:
    two_tracks(app)
    auditor, verified = learner(app, "audit"), learner(app, "verified")
    staff_user = make_user(app, "staff", COURSE)
    staff = client_of(app, staff_user)
    divide_by_track(staff, "course")
    for_verified = new_thread(staff, title="For verified learners", group_id=VERIFIED)
    assert for_verified["group_name"] == "Verified Certificate"
    new_thread(staff, title="For everyone", group_id=None)
    assert titles(client_of(app, verified)) == ["For everyone", "For verified learners"]
    assert titles(client_of(app, auditor)) == ["For everyone"]
    # a cohort id or a track the course does not offer is no group here
    bad = post_thread(staff, title="Nowhere", group_id=-5)
    assert bad.status_code == 400 and "group_id" in bad.get_json()["field_errors"]
    # a learner cannot choose a group
    refused = post_thread(client_of(app, auditor), title="Sneaky", group_id=VERIFIED)
    assert refused.status_code == 400 and "group_id" in refused.get_json()["field_errors"]


def test_track_groups_follow_open_edx(app: Flask) -> None:
    two_tracks(app)
    with app.app_context():
        lms.set_course_mode(COURSE, "credit", "Credit")
        assert tracks.track_groups(COURSE) == {AUDIT: "Audit", VERIFIED: "Verified Certificate"}  # not credit
    credit = learner(app, "credit")
    with app.app_context():
        assert tracks.track_group_of(credit.id, COURSE) == VERIFIED  # credit learners read with verified ones
        lms.unenroll(credit, COURSE)
        assert tracks.track_group_of(credit.id, COURSE) is None
        assert tracks.discussion_group_id("honor") == -6 and tracks.discussion_group_id("my-own-mode") is None


def test_track_groups_of_many_users_is_two_queries(app: Flask) -> None:
    two_tracks(app)
    with app.app_context():
        lms.set_course_mode(COURSE, "credit", "Credit")
        lms.set_course_mode(COURSE, "my-own-mode", "Custom")
    people = [learner(app, mode) for mode in ("audit", "verified", "credit", "audit", "verified", "my-own-mode")]
    gone = learner(app, "verified")
    stranger = make_user(app, "user", COURSE)
    with app.app_context():
        lms.unenroll(gone, COURSE)
        ids = [user.id for user in (*people, gone, stranger)]
        one_by_one = {uid: tracks.track_group_of(uid, COURSE) for uid in ids}
        with recording_statements(app) as statements:
            together = tracks.track_groups_of(ids + ids[:2], COURSE)
        assert statements.count == 2
    assert together == {uid: group for uid, group in one_by_one.items() if group is not None}
    assert together == {people[0].id: AUDIT, people[1].id: VERIFIED, people[2].id: VERIFIED, people[3].id: AUDIT,
                        people[4].id: VERIFIED}
