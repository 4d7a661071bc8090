"""Open edX's ``jump_to`` and ``jump_to_id``: from any block to the page showing it."""

from __future__ import annotations

import json


def _jump(client, course_id, usage_id):
    return client.get(f"/courses/{course_id}/jump_to/{usage_id}")


def test_jump_to_each_kind_of_block(cw):
    cw.publish()
    client = cw.learner()
    course = cw.COURSE
    unit = _jump(client, course, cw.usage("vertical", "c1s2u2"))
    assert unit.status_code == 302 and unit.headers["Location"].endswith(cw.url("c1", "c1s2", 2))
    inside = _jump(client, course, cw.usage("html", "c1s2u2h"))
    assert inside.headers["Location"].endswith(cw.url("c1", "c1s2", 2) + "#c1s2u2h")
    assert _jump(client, course, cw.usage("sequential", "c2s2")).headers["Location"].endswith(cw.url("c2", "c2s2", 1))
    assert _jump(client, course, cw.usage("chapter", "c2")).headers["Location"].endswith(cw.url("c2", "c2s1", 1))
    home = _jump(client, course, cw.usage("course", "course"))
    assert home.headers["Location"].endswith(f"/courses/{course}/course/")


def test_jump_to_unknown_hidden_or_foreign_blocks_is_not_found(cw):
    cw.publish(fields={"c1s1u2": {"visible_to_staff_only": True}})
    client = cw.learner()
    assert _jump(client, cw.COURSE, cw.usage("vertical", "nope")).status_code == 404
    assert _jump(client, cw.COURSE, "not-a-key").status_code == 404
    assert _jump(client, cw.COURSE, cw.usage("html", "c1s1u2h")).status_code == 404
    other = cw.usage("vertical", "c1s1u1", course_id="course-v1:Else+X+1")
    assert _jump(client, cw.COURSE, other).status_code == 404
    # position counts the units the viewer sees: the staff-only unit takes no place
    staff = cw.staff()
    assert _jump(staff, cw.COURSE, cw.usage("vertical", "c1s1u2")).headers["Location"].endswith(cw.url("c1", "c1s1", 2))


def test_the_blocks_api_lms_web_url_lands_on_the_unit(cw):
    cw.publish()
    client = cw.learner()
    answer = client.get("/api/courses/v1/blocks/", query_string={
        "course_id": cw.COURSE, "username": client.user.username, "depth": "all"})
    assert answer.status_code == 200, answer.get_data(as_text=True)
    blocks = json.loads(answer.get_data(as_text=True))["blocks"]
    url = blocks[cw.usage("vertical", "c2s1u2")]["lms_web_url"]
    path = url.removeprefix("http://localhost")
    assert client.get(path).headers["Location"].endswith(cw.url("c2", "c2s1", 2))


def test_jump_to_id_finds_a_block_by_its_id(cw):
    cw.publish()
    client = cw.learner()
    found = client.get(f"/courses/{cw.COURSE}/jump_to_id/c2s1u1h")
    assert found.headers["Location"].endswith(cw.url("c2", "c2s1", 1) + "#c2s1u1h")
    assert client.get(f"/courses/{cw.COURSE}/jump_to_id/missing").status_code == 404


def test_a_visitor_following_jump_to_is_asked_to_log_in(cw, app):
    cw.publish()
    response = app.test_client().get(f"/courses/{cw.COURSE}/jump_to/{cw.usage('vertical', 'c1s1u1')}")
    assert response.status_code == 302 and "/login" in response.headers["Location"]
