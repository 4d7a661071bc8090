"""The course outline: what learners and staff see, completion marks, due dates in the user's time zone,
the resume button, access, and a constant number of queries."""

from __future__ import annotations

import re

import pytest
from kampus_content.progress.completion import record_completion
from kampus_lms.course_home.api import outline_for

from kampus import db
from kampus.identity.preferences import TIME_ZONE, set_preference
from kampus.testing import client_as, recording_statements

pytestmark = pytest.mark.kampus_plugins("content", "problems", "lms")

VISIBILITY = {
    "sections": 3,
    "chapter_attrs": {2: {"start": "2999-01-01T00:00:00Z"}, 3: {"hide_from_toc": "true"}},
    "sequential_attrs": {(1, 1): {"graded": "true", "format": "Homework", "due": "2030-05-01T12:00:00Z"},
                         (1, 2): {"visible_to_staff_only": "true"}},
}


def names(page: str) -> list[str]:
    return re.findall(r"> ?((?:Section|Subsection|Unit) [\d.]+)<", page)


def test_learner_sees_released_visible_blocks_only(app, olx_course):
    course = olx_course(**VISIBILITY)
    page = client_as(app, "learner", course).get(f"/courses/{course}/course/").get_data(as_text=True)
    assert names(page) == ["Section 1", "Subsection 1.1", "Unit 1.1.1", "Unit 1.1.2"]
    assert "Staff only" not in page and "Hidden from the outline" not in page


def test_staff_see_everything_with_labels(app, olx_course):
    course = olx_course(**VISIBILITY)
    page = client_as(app, "staff", course).get(f"/courses/{course}/course/").get_data(as_text=True)
    assert names(page) == [
        "Section 1", "Subsection 1.1", "Unit 1.1.1", "Unit 1.1.2", "Subsection 1.2", "Unit 1.2.1", "Unit 1.2.2",
        "Section 2", "Subsection 2.1", "Unit 2.1.1", "Unit 2.1.2", "Subsection 2.2", "Unit 2.2.1", "Unit 2.2.2",
        "Section 3", "Subsection 3.1", "Unit 3.1.1", "Unit 3.1.2", "Subsection 3.2", "Unit 3.2.1", "Unit 3.2.2"]
    assert "Staff only" in page and "Released 1/1/99" in page and "Hidden from the outline" in page


def test_subsection_shows_assignment_type_and_due_date_in_the_users_time_zone(app, olx_course):
    course = olx_course(**VISIBILITY)
    learner = client_as(app, "learner", course)
    with app.app_context():
        set_preference(learner.user.id, TIME_ZONE, "Asia/Tokyo")
        db.session().commit()
    page = learner.get(f"/courses/{course}/course/").get_data(as_text=True)
    assert '<span class="lms-assignment-type">Homework</span>' in page and ">Graded<" in page
    assert '<time datetime="2030-05-01T12:00:00+00:00">May 1, 2030, 9:00:00\u202fPM</time>' in page
    with app.app_context():
        set_preference(learner.user.id, TIME_ZONE, "America/Los_Angeles")
        db.session().commit()
    page = learner.get(f"/courses/{course}/course/").get_data(as_text=True)
    assert '<time datetime="2030-05-01T12:00:00+00:00">May 1, 2030, 5:00:00\u202fAM</time>' in page


def complete(app, user_id, course, *blocks, value=1.0):
    with app.app_context():
        session = db.session()
        for block in blocks:
            block_type = "html" if block.startswith("h") else "problem"
            record_completion(session, user_id=user_id, course_key=course, block_type=block_type,
                              usage_key=f"block-v1:HomeX+H101+2026+type@{block_type}+block@{block}", completion=value)
        session.commit()


def test_completion_marks(app, olx_course):
    course = olx_course()
    learner = client_as(app, "learner", course)
    complete(app, learner.user.id, course, "h1_1_1", "p1_1_1", "h1_1_2")
    with app.test_request_context():
        outline = outline_for(learner.user, course)
    first = outline.sections[0]
    sub = first.subsections[0]
    assert [unit.progress.complete for unit in sub.units] == [True, False]
    assert sub.units[1].progress.started and sub.progress.started and not sub.progress.complete
    assert (sub.progress.completed, sub.progress.possible) == (3, 4)
    assert not first.subsections[1].progress.started
    complete(app, learner.user.id, course, "p1_1_2")
    page = learner.get(f"/courses/{course}/course/").get_data(as_text=True)
    assert re.search(r'Completed:</span> <a href="[^"]+" data-outline-link="accordion">Subsection 1.1</a>', page)
    assert re.search(r'Not started:</span> <a href="[^"]+" data-outline-link="accordion">Subsection 1.2</a>', page)
    assert re.search(r'In progress:</span> Section 1<', page)
    assert "4 of 16 activities completed" in page


def test_start_then_resume_button(app, olx_course):
    course = olx_course()
    learner = client_as(app, "learner", course)
    page = learner.get(f"/courses/{course}/course/").get_data(as_text=True)
    base = f"/courses/{re.escape(course)}/courseware"
    assert re.search(rf'id="lms-resume" href="{base}/ch1/s1_1/1"\s+data-resume-course="start">\s*Start course', page)
    assert learner.get(f"/courses/{course}/courseware/ch1/s1_2/2").status_code == 200
    page = learner.get(f"/courses/{course}/course/").get_data(as_text=True)
    assert re.search(rf'id="lms-resume" href="{base}/ch1/s1_2/2"\s+data-resume-course="resume">\s*Resume course', page)


def test_visitors_log_in_and_unenrolled_users_go_to_the_about_page(app, client, olx_course):
    course = olx_course()
    response = client.get(f"/courses/{course}/course/")
    assert response.status_code == 302 and "/login" in response.headers["Location"]
    stranger = client_as(app, "user", "course-v1:Other+X+1")
    for path in ("course/", "info", "dates", "search"):
        response = stranger.get(f"/courses/{course}/{path}")
        assert response.status_code == 302 and response.headers["Location"].endswith(f"/courses/{course}/about")
    assert stranger.get("/courses/course-v1:No+Such+Course/course/").status_code == 404
    assert stranger.get("/courses/not-a-key/course/").status_code == 404


def test_outline_queries_do_not_grow_with_the_course(make_app, olx_course):
    counts = []
    for size in ((2, 2, 2), (20, 5, 4)):
        app = make_app(plugins=["content", "problems", "lms"])
        course = olx_course(app, sections=size[0], subsections=size[1], units=size[2])
        learner = client_as(app, "learner", course)
        complete(app, learner.user.id, course, "h1_1_1")
        learner.get(f"/courses/{course}/course/")  # warm the per-version caches
        with recording_statements(app) as statements:
            page = learner.get(f"/courses/{course}/course/").get_data(as_text=True)
        assert page.count('class="lms-outline-subsection') == size[0] * size[1]
        counts.append(statements.count)
    assert counts[0] == counts[1], counts
    assert counts[0] <= 12, counts
