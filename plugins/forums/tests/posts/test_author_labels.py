"""Open edX's ``author_label`` for each kind of author, read for a page of posts in one query with the
authors' usernames: the highest of a user's roles wins, global staff are "Staff" with or without a course
role, an org-wide role counts."""

from __future__ import annotations

from flask import Flask
from kampus_forums.access import people

from kampus.identity.permissions import grant_role
from kampus.testing import make_user, recording_statements

from .posts_kit import COURSE, THREADS, client_of, new_thread, publish, user_in


def test_labels_of_every_kind_of_author(app: Flask) -> None:
    publish(app)
    learner = user_in(app)
    community_ta = user_in(app, "community_ta")
    moderator = user_in(app, "discussion_moderator")
    staff_and_ta = user_in(app, "staff")
    global_staff = make_user(app, "global_staff")
    global_staff_and_ta = make_user(app, "global_staff")
    org_instructor = make_user(app, "user")
    kampus = app.extensions["kampus"]
    with kampus.db.session_scope() as session:
        for user in (staff_and_ta, global_staff_and_ta):
            grant_role(session, session.merge(user), "community_ta", COURSE)
        grant_role(session, session.merge(moderator), "community_ta", COURSE)
        grant_role(session, session.merge(org_instructor), "instructor", org=COURSE.split(":")[1].split("+")[0])
    expected = {learner.id: None, community_ta.id: "Community TA", moderator.id: "Moderator",
                staff_and_ta.id: "Staff", global_staff.id: "Staff", global_staff_and_ta.id: "Staff",
                org_instructor.id: "Staff"}
    with app.app_context(), recording_statements(app) as statements:
        labels, usernames, profile = people(COURSE, list(expected))
    assert statements.count == 1
    assert {user_id: labels.get(user_id) for user_id in expected} == expected
    assert usernames == {user.id: user.username for user in (learner, community_ta, moderator, staff_and_ta,
                                                               global_staff, global_staff_and_ta, org_instructor)}
    assert profile is None  # no profile asked for

    # and on the wire: a thread's author_label
    made = new_thread(client_of(app, community_ta), title="From a TA")
    assert made["author_label"] == "Community TA"
    listed = client_of(app, learner).get(f"{THREADS}{made['id']}/").get_json()
    assert listed["author_label"] == "Community TA"
