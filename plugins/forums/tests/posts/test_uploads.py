"""Open edX's ``POST /api/discussion/v1/courses/<id>/upload``: an image for a post, kept in the blob store and
served from the answered location."""

from __future__ import annotations

import io

from flask import Flask

from .posts_kit import COURSE, client_of, publish, user_in

UPLOAD = f"/api/discussion/v1/courses/{COURSE}/upload"
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64


def test_an_image_is_stored_and_served(app: Flask) -> None:
    publish(app)
    client = client_of(app, user_in(app))
    answer = client.post(UPLOAD, data={"uploaded_file": (io.BytesIO(PNG), "diagram.PNG"), "thread_key": "t1"},
                         content_type="multipart/form-data")
    assert answer.status_code == 200, answer.get_json()
    location = answer.get_json()["location"]
    assert location.startswith("http://localhost/discussion/uploads/") and f"/{COURSE}/t1/" in location
    assert location.endswith(".png")
    served = app.test_client().get(location.removeprefix("http://localhost"))
    assert served.status_code == 200 and served.data == PNG and served.mimetype == "image/png"
    assert served.headers["X-Content-Type-Options"] == "nosniff" and "sandbox" in served.headers[
        "Content-Security-Policy"]
    second = client.post(UPLOAD, data={"uploaded_file": (io.BytesIO(PNG), "a.png")},
                         content_type="multipart/form-data").get_json()["location"]
    assert f"/{COURSE}/root/" in second and second != location


def test_upload_refusals(make_app) -> None:
    app = make_app(["content", "problems", "lms", "forums"], {"forums_upload_max_bytes": 100})
    publish(app)
    client = client_of(app, user_in(app))

    def send(name: str, data: bytes = PNG, **form: str):
        return client.post(UPLOAD, data={"uploaded_file": (io.BytesIO(data), name), **form},
                           content_type="multipart/form-data")

    missing = client.post(UPLOAD, data={"thread_key": "x"}, content_type="multipart/form-data")
    assert missing.status_code == 400 and missing.get_json()["developer_message"] == "no `uploaded_file` was provided"
    assert send("page.html").status_code == 400
    assert send("vector.svg").status_code == 400
    big = send("big.png", PNG * 10)
    assert big.status_code == 400 and big.get_json()["developer_message"] == "Maximum upload file size is 100 bytes."
    assert send("a.png", thread_key="../etc").status_code == 400
    stranger = client_of(app, user_in(app, enrolled=False))
    assert stranger.post(UPLOAD, data={"uploaded_file": (io.BytesIO(PNG), "a.png")},
                         content_type="multipart/form-data").status_code == 404
    assert app.test_client().post(UPLOAD).status_code == 401
    assert app.test_client().get(f"/discussion/uploads/{COURSE}/root/nothing.png").status_code == 404
    assert app.test_client().get("/discussion/uploads/../secret.png").status_code == 404
