"""The unit page reads the database a fixed number of times, whatever the course's size."""

from __future__ import annotations

from kampus.testing import recording_statements

#: What a learner's unit page (one HTML block, the unit viewed last) reads, one statement each: an added
#: statement makes this test fail (say here why the page needs it).
UNIT_PAGE_READS = [
    "kampus_user",  # the session's user
    "lms_course_overviews", "content_course_index",  # the course (overview checked against the published version)
    "kampus_course_access_role", "lms_course_enrollment",  # access: roles, enrollment
    "lms_due_date_extension",  # the learner's due dates (what they may see)
    "lms_visit",  # the learner's last unit (written when it changes)
    "kampus_user_preference",  # locale and time zone
    "content_student_module",  # the unit's learner state, one query for every block
    "content_block_completion",  # the unit tabs' completion
    "lms_bookmark",  # whether the unit is bookmarked
]


def _unit_page_queries(cw, app, course_id, sections, subsections, units):
    cw.publish(course_id, sections=sections, subsections=subsections, units=units)
    client = cw.learner(course_id)
    url = cw.url("c2", "c2s2", 2, course_id=course_id)
    assert client.get(url).status_code == 200  # warm: structure and per-version facts cached
    with recording_statements(app) as recorder:
        page = client.get(url)
    assert page.status_code == 200
    return recorder


def test_unit_page_queries_do_not_grow_with_the_course(cw, app):
    small = _unit_page_queries(cw, app, "course-v1:KampusX+Small+2026", 2, 2, 2).queries
    recorder = _unit_page_queries(cw, app, "course-v1:KampusX+Large+2026", 20, 5, 4)
    large = recorder.queries
    assert len(small) == len(large), "\n".join(large)
    assert recorder.tables() == UNIT_PAGE_READS, "\n".join(large)
    assert len([query for query in large if "FROM content_course_index" in query]) == 1, "\n".join(large)
    assert len([query for query in large if "FROM lms_course_enrollment" in query]) == 1, "\n".join(large)
    assert len([query for query in large if "lms_visit" in query]) == 1  # the visit written (URL has a position)


def test_unit_page_queries_do_not_grow_with_the_number_of_learners(cw, app):
    course = "course-v1:KampusX+Many+2026"
    first = _unit_page_queries(cw, app, course, 2, 2, 2).queries
    for _ in range(5):
        cw.learner(course).get(cw.url("c1", "c1s1", 1, course_id=course))
    client = cw.learner(course)
    client.get(cw.url("c2", "c2s2", 2, course_id=course))
    with recording_statements(app) as recorder:
        client.get(cw.url("c2", "c2s2", 2, course_id=course))
    assert len(recorder.queries) == len(first)
