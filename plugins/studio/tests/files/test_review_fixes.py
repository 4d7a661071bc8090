"""Regressions from the review of Files & uploads (issue 18): SVG scripts hidden by character references,
UTF-16 or compression; permission checked before the body; anonymous visits; translated messages."""

from __future__ import annotations

import gzip
import io

import pytest

from .conftest import API, COURSE, PAGE, draft_files


def _upload(client, data: bytes, name: str):
    return client.post(API, data={"file": (io.BytesIO(data), name)}, content_type="multipart/form-data")


@pytest.mark.parametrize("svg", [
    b'<svg xmlns="http://www.w3.org/2000/svg"><a href="jav&#x61;script:alert(1)"><text y="20">x</text></a></svg>',
    b'<svg xmlns="http://www.w3.org/2000/svg" xmlns:x="http://www.w3.org/1999/xlink">'
    b'<a x:href="&#106;avascript:alert(1)"><text>x</text></a></svg>',
    b'<svg xmlns="http://www.w3.org/2000/svg"><set attributeName="onmouseover" to="alert(1)"/></svg>',
    b'<svg xmlns="http://www.w3.org/2000/svg"><animate attributeName="href" values="java\tscript:alert(1)"/></svg>',
    b'<svg xmlns="http://www.w3.org/2000/svg"><SCRIPT>alert(1)</SCRIPT></svg>',
    b'<svg xmlns="http://www.w3.org/2000/svg" ONLOAD="alert(1)"/>',
    b'<?xml version="1.0"?><!DOCTYPE svg [<!ENTITY j "javascript:">]><svg xmlns="http://www.w3.org/2000/svg">'
    b'<a href="&j;alert(1)">x</a></svg>',
    b'<svg xmlns="http://www.w3.org/2000/svg"><foreignObject><p>x</p></foreignObject></svg>',
    '<svg xmlns="http://www.w3.org/2000/svg" onload="alert(1)"/>'.encode("utf-16"),
    b'<?xml version="1.0" encoding="ISO-8859-1"?><svg xmlns="http://www.w3.org/2000/svg"/>',
    b'<svg xmlns="http://www.w3.org/2000/svg"><text>unclosed</svg>',
])
def test_svg_images_with_hidden_scripts_are_refused(app, author, svg):
    answer = _upload(author, svg, "x.svg")
    assert answer.status_code == 400, svg
    assert answer.get_json()["user_message"].startswith("File x.svg was not uploaded")
    assert "x.svg" not in draft_files(app)


def test_compressed_svg_with_a_script_is_refused(app, author):
    svgz = gzip.compress(b'<svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>')
    assert _upload(author, svgz, "x.svgz").status_code == 400


def test_plain_svg_images_are_uploaded(app, author):
    svg = (b'<?xml version="1.0" encoding="UTF-8"?>\n<svg xmlns="http://www.w3.org/2000/svg" '
           b'xmlns:xlink="http://www.w3.org/1999/xlink" width="10" height="10"><a xlink:href="https://example.org/">'
           b'<rect width="10" height="10" fill="#f00"/></a><text>Mention of onions = fine</text></svg>')
    assert _upload(author, svg, "ok.svg").status_code == 201
    assert _upload(author, gzip.compress(svg), "ok.svgz").status_code == 201


def test_a_learner_is_refused_before_the_body_is_read(app, client_as, author):
    learner = client_as("learner", course_id=COURSE)
    assert learner.patch(f"{API}x.png", json={"locked": "zz"}).status_code == 403
    assert learner.patch(f"{API}x.png", data=b"not json", content_type="application/json").status_code == 403
    assert author.patch(f"{API}x.png", json={"locked": "zz"}).status_code == 400
    assert author.patch(f"{API}x.png", json=[1]).status_code == 400


def test_lock_still_works(app, author):
    assert _upload(author, b"hello", "a.txt").status_code == 201
    answer = author.patch(f"{API}a.txt", json={"locked": True})
    assert answer.status_code == 200
    assert draft_files(app)["a.txt"] is True


def test_anonymous_visitors_of_the_files_page_go_to_the_login_page(app, course):
    answer = app.test_client().get(PAGE)
    assert answer.status_code == 302
    assert "login" in answer.headers["Location"]
    assert app.test_client().get(API).status_code == 401


def test_error_messages_are_translated(app, author, monkeypatch):
    import kampus_studio.files.rest as rest

    monkeypatch.setattr(rest, "_", lambda text, **values: "XX " + (text % values if values else text))
    answer = author.get(f"{API}missing.png")
    assert answer.status_code == 404
    assert answer.get_json()["user_message"].startswith("XX ")
