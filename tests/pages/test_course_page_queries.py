"""The learner's course pages with every first-party plugin that adds to them (course tabs, navigation
items): the statements each runs, table by table (``bench/lms.py`` reports their number; a statement
added by any plugin makes this fail: say here why the page needs it)."""

from __future__ import annotations

import pytest
from kampus_content.store.interface import Block
from kampus_lms.api import enroll

from kampus.testing import login, make_user, recording_statements

pytestmark = pytest.mark.kampus_plugins("content", "problems", "lms", "forums", "studio", "instructor")

COURSE = "course-v1:KampusX+Pages+2026"
PROBLEM = ('<problem display_name="Two"><numericalresponse answer="2">'
           '<formulaequationinput label="1 + 1?"/></numericalresponse></problem>')

#: What every course page reads first: the session's user, the course (overview checked against the
#: published version), access (roles, enrollment).
ACCESS = ["kampus_user", "lms_course_overviews", "content_course_index", "kampus_course_access_role",
          "lms_course_enrollment"]
#: What every course page's layout reads: the Discussion tab (whether the course is cohorted, its
#: discussion division), the Studio navigation item (course author anywhere?) and the unread
#: notifications badge.
LAYOUT_TABS = ["lms_course_cohort_settings", "forums_discussion_settings"]
LAYOUT_NAV = ["kampus_course_access_role", "forums_notification"]

UNIT_PAGE = [
    *ACCESS,
    "lms_due_date_extension",  # the learner's due dates (what they may see)
    "lms_visit",  # the learner's last unit (written when it changes)
    "kampus_user_preference",  # locale and time zone
    "content_student_module",  # the unit's learner state, one query for every block
    "kampus_anonymous_user_id",  # the problem's learner pseudonym (capa's anonymous_student_id)
    "content_block_completion",  # the unit tabs' completion
    *LAYOUT_TABS,
    "lms_bookmark",  # whether the unit is bookmarked
    *LAYOUT_NAV,
]
PROGRESS_PAGE = [
    *ACCESS,
    "kampus_user_preference",  # locale and time zone (first for the learner's day of activity: weekly goals)
    "content_score", "lms_grades_subsection_override",  # the grade's inputs
    "lms_grades_course",  # the stored grade (unchanged: nothing written)
    "content_block_completion", "lms_due_date_extension", "lms_generated_certificate",
    *LAYOUT_TABS,
    *LAYOUT_NAV,
]


@pytest.fixture
def learner(app):
    blocks = [
        Block("course", "course", {"display_name": "Pages", "start": "2020-01-01T00:00:00Z"}, [("chapter", "c1")]),
        Block("chapter", "c1", {"display_name": "Section"}, [("sequential", "s1")]),
        Block("sequential", "s1", {"display_name": "Subsection", "graded": True, "format": "Homework"},
              [("vertical", "u1")]),
        Block("vertical", "u1", {"display_name": "Unit"}, [("html", "h1"), ("problem", "p1")]),
        Block("html", "h1", {"data": "<p>Text</p>"}),
        Block("problem", "p1", {"data": PROBLEM, "weight": 1}),
    ]
    with app.app_context():
        store = app.extensions["kampus"].driver("content_store")
        store.create_course(COURSE, blocks, ("course", "course"), user_id=None)
        store.publish(COURSE, user_id=None)
    user = make_user(app, "user")
    with app.test_request_context():
        enroll(user, COURSE, check_access=False)
    return login(app.test_client(), user)


def tables_of(app, client, path):
    assert client.get(path).status_code == 200  # warm: caches, the visit, the stored grade
    with recording_statements(app) as recorder:
        assert client.get(path).status_code == 200
    return recorder


def test_the_unit_page_reads_each_thing_once(app, learner):
    recorder = tables_of(app, learner, f"/courses/{COURSE}/courseware/c1/s1/1")
    assert recorder.tables() == UNIT_PAGE, "\n".join(recorder.queries)


def test_the_progress_page_reads_each_thing_once(app, learner):
    recorder = tables_of(app, learner, f"/courses/{COURSE}/progress")
    assert recorder.tables() == PROGRESS_PAGE, "\n".join(recorder.queries)
