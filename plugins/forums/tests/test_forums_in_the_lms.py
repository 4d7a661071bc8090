"""What the LMS shows of the forums when they are installed: the mobile API's ``discussion_url`` points at the
discussion API's course endpoint (Open edX's ``discussion_course``), which answers."""

from __future__ import annotations

from .posts.posts_kit import COURSE, client_of, publish, user_in


def test_the_mobile_enrollments_point_at_the_discussion_api(app) -> None:
    publish(app)
    learner = user_in(app, "learner")
    client = client_of(app, learner)
    answer = client.get(f"/api/mobile/v4/users/{learner.username}/course_enrollments/")
    assert answer.status_code == 200, answer.get_json()
    course = answer.get_json()["primary"]["course"]
    assert course["id"] == COURSE
    assert course["discussion_url"].endswith(f"/api/discussion/v1/courses/{COURSE}")
    path = "/" + course["discussion_url"].split("/", 3)[3]
    discussion = client.get(path)
    assert discussion.status_code == 200, discussion.get_json()
    assert discussion.get_json()["id"] == COURSE
