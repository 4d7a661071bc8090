"""The bookmarks page reads the course overviews in one query whatever the number of courses, and
``jump_to_id`` says nothing about which blocks exist to whoever may not open the course."""

from __future__ import annotations

import re

from kampus.testing import recording_statements


def _bookmark(client, course_id, usage_id):
    response = client.post(f"/courses/{course_id}/bookmark", data={"usage_id": usage_id, "action": "add"})
    assert response.status_code == 302, response.get_data(as_text=True)[:500]


def _overview_reads(app, client) -> int:
    with recording_statements(app) as statements:
        assert client.get("/bookmarks").status_code == 200
    return len(statements.touching("lms_course_overviews"))


def test_the_bookmarks_page_reads_overviews_once_whatever_the_number_of_courses(cw, app):
    courses = [cw.publish(f"course-v1:KampusX+Many{n}+2026", course_fields={"display_name": f"Course {n}"})
               for n in range(4)]
    client = cw.learner(courses[0])
    _bookmark(client, courses[0], cw.usage("vertical", "c1s1u1", course_id=courses[0]))
    one_course = _overview_reads(app, client)
    for course_id in courses[1:]:
        cw.enroll(client, course_id)
        _bookmark(client, course_id, cw.usage("vertical", "c1s1u1", course_id=course_id))
    page = client.get("/bookmarks").get_data(as_text=True)
    assert all(f"Course {n}</h2>" in page for n in range(4)), re.findall(r"<h2[^>]*>[^<]*</h2>", page)
    assert _overview_reads(app, client) == one_course == 1


def test_jump_to_id_answers_visitors_the_same_whether_the_block_exists_or_not(cw, app):
    cw.publish()
    visitor = app.test_client()
    stranger = cw.learner(enrolled=False)
    for client in (visitor, stranger):
        existing = client.get(f"/courses/{cw.COURSE}/jump_to_id/c1s1u1")
        missing = client.get(f"/courses/{cw.COURSE}/jump_to_id/no-such-block")
        assert existing.status_code == missing.status_code == 302
        assert existing.headers["Location"].split("?")[0] == missing.headers["Location"].split("?")[0]
    learner = cw.learner()
    assert learner.get(f"/courses/{cw.COURSE}/jump_to_id/no-such-block").status_code == 404
    assert learner.get(f"/courses/{cw.COURSE}/jump_to_id/c1s1u1").status_code == 302
