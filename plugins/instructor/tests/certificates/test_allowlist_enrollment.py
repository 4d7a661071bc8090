"""Review of issue 19: only a learner enrolled in the course goes on the certificate allowlist."""

from __future__ import annotations

from kampus.testing import make_user

COURSE = "course-v1:KampusX+Cert201+2026"  #: the ``course`` fixture
EXCEPTIONS = f"/courses/{COURSE}/instructor/api/certificate_exception_view/"


def test_a_learner_not_enrolled_is_refused(app, course, client_as, enrolled):
    staff = client_as("staff", course)
    make_user(app, "user", username="outsider")
    refused = staff.post(EXCEPTIONS, json={"user_name": "outsider", "notes": "?"})
    assert refused.status_code == 400
    assert refused.get_json()["user_message"] == (
        "outsider is not enrolled in this course. Please check your spelling and retry.")
    assert staff.get(f"/api/instructor/v1/courses/{COURSE}/certificates").get_json()["allowlist"] == []
    enrolled("insider")
    assert staff.post(EXCEPTIONS, json={"user_name": "insider"}).status_code == 200
