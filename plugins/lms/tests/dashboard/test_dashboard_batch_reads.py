"""The reads the dashboard makes for all of a learner's courses at once: resume points, stored grades,
and a page whose statements stay the same whatever the learner has done in how many courses."""

from __future__ import annotations

from datetime import timedelta

import pytest
import sqlalchemy as sa
from kampus_content.api import Block, get_structure
from kampus_content.progress.completion import record_completion
from kampus_content.testing.xblocks import publish_course
from kampus_lms.courseware.api import resume_block, resume_blocks
from kampus_lms.courseware.models import Visit
from kampus_lms.courseware.position import record_visit
from kampus_lms.enrollment import api as enrollment
from kampus_lms.grades.api import course_grade, stored_course_grades, stored_learner_grades

from kampus import db
from kampus.db import utcnow
from kampus.testing import make_user, recording_statements

pytestmark = pytest.mark.kampus_plugins("content", "problems", "lms")


def publish(app, course_id: str) -> dict[str, str]:
    return publish_course(app, course_id, {
        "unit1": [Block("html", "page1", {"data": "<p>One</p>"})],
        "unit2": [Block("html", "page2", {"data": "<p>Two</p>"})],
    }, course_fields={"display_name": f"Course {course_id}",
                      "grading_policy": {"GRADER": [], "GRADE_CUTOFFS": {"Pass": 0.0}}})


def course(number: int) -> str:
    return f"course-v1:Org+Batch+{number}"


def visit(app, user_id: int, course_id: str, ids: dict[str, str], unit: str) -> None:
    with app.app_context():
        record_visit(user_id, course_id, ids["lesson1"], ids[unit])
        db.session().commit()


def test_resume_blocks_reads_the_last_unit_of_every_course_at_once(app) -> None:
    first, second, third = (publish(app, course(n)) for n in (1, 2, 3))
    user, other = make_user(app, "user"), make_user(app, "user")
    visit(app, user.id, course(1), first, "unit1")
    visit(app, user.id, course(2), second, "unit2")
    visit(app, other.id, course(3), third, "unit1")  # somebody else's visit
    with app.app_context():
        with recording_statements(app) as recorded:
            found = resume_blocks(user.id, [course(1), course(2), course(3)])
        assert found == {course(1): first["unit1"], course(2): second["unit2"]}
        assert found[course(1)] == resume_block(user.id, course(1))
        structures = {c: get_structure(c) for c in (course(1), course(2))}
        with recording_statements(app) as given:
            assert resume_blocks(user.id, [course(1), course(2)], structures=structures) == found
        assert resume_blocks(user.id, []) == {}
    assert len(given.queries) == 1 and "lms_visit" in given.queries[0]
    assert sum("FROM lms_visit" in statement for statement in recorded.queries) == 1


def test_resume_blocks_takes_the_newest_visit_and_forgets_units_no_longer_published(app) -> None:
    ids = publish(app, course(1))
    other = publish(app, course(2))
    user = make_user(app, "user")
    visit(app, user.id, course(1), ids, "unit2")
    with app.app_context():  # an older visit of another subsection, and a unit that was removed
        now = utcnow()
        db.session().add(Visit(user_id=user.id, course_id=course(1), sequential_id=ids["lesson1"] + "x",
                               unit_id=ids["unit1"], modified=now - timedelta(days=1)))
        db.session().add(Visit(user_id=user.id, course_id=course(2), sequential_id=other["lesson1"],
                               unit_id=other["unit1"].replace("unit1", "removed"), modified=now))
        db.session().commit()
        assert resume_blocks(user.id, [course(1), course(2)]) == {course(1): ids["unit2"]}
        db.session().execute(sa.update(Visit).where(Visit.unit_id == ids["unit1"]).values(
            modified=now + timedelta(days=1)))
        db.session().commit()
        assert resume_blocks(user.id, [course(1)]) == {course(1): ids["unit1"]}


def test_stored_learner_grades_reads_one_learners_rows_across_courses(app) -> None:
    for number in (1, 2, 3):
        publish(app, course(number))
    user, other = make_user(app, "user"), make_user(app, "user")
    with app.test_request_context():
        course_grade(user.id, course(1))
        course_grade(user.id, course(2))
        course_grade(other.id, course(3))
    with app.app_context(), recording_statements(app) as recorded:
        grades = stored_learner_grades(user.id, [course(1), course(2), course(3)])
        assert stored_learner_grades(user.id, []) == {}
    assert len(recorded.queries) == 1
    assert set(grades) == {course(1), course(2)}
    with app.app_context():
        assert grades[course(1)] == stored_course_grades(course(1), [user.id])[0]
    assert grades[course(2)]["user_id"] == user.id and grades[course(2)]["letter_grade"] == "Pass"


def test_the_dashboard_reads_as_much_for_four_courses_in_progress_as_for_two(app, client_as) -> None:
    learner = client_as("user")
    counts, pages = [], []
    for number in range(1, 5):
        ids = publish(app, course(number))
        with app.test_request_context():
            enrollment.enroll(learner.user, course(number), None, check_access=False)
            record_completion(db.session(), user_id=learner.user.id, course_key=course(number),
                              usage_key=ids["page1"], block_type="html", completion=1.0)
            record_visit(learner.user.id, course(number), ids["lesson1"], ids["unit1"])
            db.session().commit()
            course_grade(learner.user.id, course(number))
        learner.get("/dashboard")  # warm the caches
        with recording_statements(app) as recorded:
            page = learner.get("/dashboard")
        assert page.status_code == 200
        counts.append(len(recorded.queries))
        pages.append(page.text)
    assert counts[1] == counts[2] == counts[3], counts
    assert pages[-1].count("50% complete") == 4 and pages[-1].count("Resume course") == 4
    assert pages[-1].count("Current grade:") == 4
