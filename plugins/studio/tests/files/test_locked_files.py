"""A file locked in Studio is served, once published, only to enrolled learners and course staff."""

from __future__ import annotations

import io

import pytest
from kampus_content.api import publish
from kampus_content.testing.xblocks import publish_course

from kampus.testing import client_as, login, make_user

from .conftest import COURSE, PAGE


@pytest.fixture
def lms_app(make_app):
    app = make_app(plugins=["content", "problems", "lms", "studio"])
    publish_course(app, COURSE, {"unit1": []})
    return app


def test_locked_file_reaches_enrolled_learners_and_staff_only(lms_app):
    from kampus_lms.api import enroll

    app = lms_app
    author = client_as(app, "staff", course_id=COURSE)
    response = author.post(PAGE + "upload", data={"file": (io.BytesIO(b"%PDF answers"), "answers.pdf"), "locked": "1"},
                           content_type="multipart/form-data")
    assert response.status_code == 303
    url = f"/assets/{COURSE}/answers.pdf"
    # drafts are for authors: not served to anybody before the course is published
    assert app.test_client().get(url).status_code == 404
    assert author.get(url + "?branch=draft").data == b"%PDF answers"
    with app.test_request_context():
        publish(COURSE, user_id=None)

    enrolled = make_user(app, "user", username="enrolled")
    with app.test_request_context():
        enroll(enrolled, COURSE)
    enrolled_client = login(app.test_client(), enrolled)
    served = enrolled_client.get(url)
    assert served.status_code == 200
    assert served.data == b"%PDF answers"
    assert "private" in served.headers["Cache-Control"]
    assert author.get(url).status_code == 200
    stranger = client_as(app, "user")  # signed in, not enrolled
    assert stranger.get(url).status_code == 403
    assert app.test_client().get(url).status_code == 403
    # Open edX's URLs of the file lead to the same answer
    key_url = f"/asset-v1:{COURSE.split(':', 1)[1]}+type@asset+block@answers.pdf"
    assert stranger.get(key_url, follow_redirects=True).status_code == 403

    # unlocked and published: anyone
    page = author.get(PAGE).get_data(as_text=True)
    assert ">Locked<" in page
    assert author.post(PAGE + "answers.pdf/lock", data={"locked": "0"}).status_code == 303
    assert app.test_client().get(url).status_code == 403  # still locked until published
    with app.test_request_context():
        publish(COURSE, user_id=None)
    assert app.test_client().get(url).status_code == 200
