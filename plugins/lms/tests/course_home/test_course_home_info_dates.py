"""Updates & handouts (Open edX's formats, newest first, sanitised), the Dates tab and its badges, and the
in-course search page."""

from __future__ import annotations

import json
import re
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from kampus_content.progress.completion import record_completion
from kampus_lms.enrollment.api import enroll

from kampus import db
from kampus.testing import client_as

pytestmark = pytest.mark.kampus_plugins("content", "problems", "lms")

UPDATES_HTML = ("<ol><li><h2>March 3, 2026</h2><p>Newest <b>news</b></p><script>alert(1)</script></li>"
                "<li><h2>February 2, 2026</h2><p>Older <img src=\"/static/pic.png\" onerror=\"alert(2)\"></p></li>"
                "<li><h2>January 1, 2026</h2>Oldest</li></ol>")
HANDOUTS = '<ol><li><a href="/static/syllabus.pdf">Syllabus</a></li><li><a href="javascript:alert(3)">x</a></li></ol>'


def test_updates_newest_first_and_handouts(app, olx_course):
    course = olx_course(files={"info/updates.html": UPDATES_HTML, "info/handouts.html": HANDOUTS})
    learner = client_as(app, "learner", course)
    page = learner.get(f"/courses/{course}/info").get_data(as_text=True)
    assert page.index("Newest") < page.index("Older") < page.index("Oldest")
    assert '<time datetime="2026-03-03T00:00:00+00:00">March 3, 2026</time>' in page
    assert "<script>alert" not in page and "onerror" not in page and "javascript:" not in page
    assert f'src="/assets/{course}/pic.png"' in page and f'href="/assets/{course}/syllabus.pdf"' in page
    # the outline shows the newest update as the welcome message, and the handouts
    outline = learner.get(f"/courses/{course}/course/").get_data(as_text=True)
    assert "Welcome message" in outline and "Newest <b>news</b>" in outline and "Older" not in outline
    assert "Course handouts" in outline and ">Syllabus</a>" in outline


def test_updates_items_json_wins_and_skips_deleted_items(app, olx_course):
    items = [{"id": 1, "date": "January 5, 2026", "content": "<p>First</p>", "status": "visible"},
             {"id": 2, "date": "January 9, 2026", "content": "<p>Removed</p>", "status": "deleted"},
             {"id": 3, "date": "January 12, 2026", "content": "<p>Third</p>", "status": "visible"}]
    course = olx_course(files={"info/updates.html": "<ol><li><h2>Old</h2>html</li></ol>",
                               "info/updates.items.json": json.dumps(items)})
    page = client_as(app, "learner", course).get(f"/courses/{course}/info").get_data(as_text=True)
    assert page.index("Third") < page.index("First") and "Removed" not in page
    assert "html" not in page.split("lms-update")[1]


def test_open_edx_course_info_updates_course(app, olx_folder):
    course = olx_folder(app, Path("/work/shared/corpus/olx/edx-course_info_updates"))
    page = client_as(app, "staff", course).get(f"/courses/{course}/info").get_data(as_text=True)
    assert "Sample update" in page and "February 13, 2014" in page


def _iso(moment: datetime) -> str:
    return moment.strftime("%Y-%m-%dT%H:%M:%SZ")


def test_dates_page_badges(app, olx_course):
    now = datetime.now(UTC)
    past, soon, later = _iso(now - timedelta(days=3)), _iso(now + timedelta(days=2)), _iso(now + timedelta(days=9))
    course = olx_course(sections=1, subsections=4, course_attrs={"end": _iso(now + timedelta(days=60))},
                        sequential_attrs={
                            (1, 1): {"graded": "true", "format": "Homework", "due": past},   # done
                            (1, 2): {"graded": "true", "format": "Homework", "due": past},   # missed
                            (1, 3): {"graded": "true", "format": "Exam", "due": soon},       # next
                            (1, 4): {"graded": "true", "format": "Exam", "due": later},
                        })
    learner = client_as(app, "learner", course)
    with app.app_context():
        session = db.session()
        for block, block_type in (("h1_1_1", "html"), ("p1_1_1", "problem"), ("h1_1_2", "html"), ("p1_1_2", "problem")):
            record_completion(session, user_id=learner.user.id, course_key=course, block_type=block_type,
                              usage_key=f"block-v1:HomeX+H101+2026+type@{block_type}+block@{block}", completion=1.0)
        session.commit()
    response = learner.get(f"/courses/{course}/dates")
    assert response.status_code == 200
    page = response.get_data(as_text=True)
    assert 'data-tab-id="dates" aria-current="page"' in page
    items = re.findall(r'<li class="([a-z-]+)[^"]*"[^>]*>(.*?)</li>', page.split('id="lms-dates"')[1], re.S)
    kinds = [kind for kind, _ in items]
    assert kinds == ["course-start-date", "assignment-due-date", "assignment-due-date", "todays-date",
                     "assignment-due-date", "assignment-due-date", "course-end-date"]
    body = {re.search(r">(Subsection 1\.\d)<", text).group(1): text for kind, text in items
            if kind == "assignment-due-date"}
    assert "lms-badge-completed" in body["Subsection 1.1"] and "lms-badge-past-due" not in body["Subsection 1.1"]
    assert "lms-badge-past-due" in body["Subsection 1.2"]
    assert "lms-badge-due-next" in body["Subsection 1.3"] and "Exam:" in body["Subsection 1.3"]
    assert "lms-badge" not in body["Subsection 1.4"]
    assert "Dates are shown in your time zone, UTC." in page


def enrolled(app, course):
    """A client of a learner with an enrollment (search asks for one, not only the learner role)."""
    learner = client_as(app, "user", course)
    with app.test_request_context():
        enroll(learner.user, course, check_access=False)
    return learner


def test_course_search_page_renders_the_form(app, olx_course):
    course = olx_course()
    page = enrolled(app, course).get(f"/courses/{course}/search?q=Text").get_data(as_text=True)
    assert 'for="lms-search-page-q"' in page and 'value="Text"' in page


def test_course_search_page_finds_blocks_and_links_them_with_jump_to(app, olx_course):
    course = olx_course(sections=1, subsections=1, units=2)
    learner = enrolled(app, course)
    page = learner.get(f"/courses/{course}/search?q=zebra").get_data(as_text=True)
    assert "0 results for “zebra”" in page
    page = learner.get(f"/courses/{course}/search?q=Text").get_data(as_text=True)
    assert re.search(r"\d+ results? for “Text”", page)
    assert f'href="/courses/{course}/jump_to/block-v1:HomeX+H101+2026+type@html+block@h1_1_1"' in page
    assert 'class="breadcrumb small mb-1" aria-label="Location in the course"' in page


def test_a_learner_dismisses_the_welcome_message_on_the_outline(app, olx_course):
    course = olx_course(files={"info/updates.html": UPDATES_HTML})
    learner, other = client_as(app, "learner", course), client_as(app, "learner", course)
    outline = learner.get(f"/courses/{course}/course/").get_data(as_text=True)
    assert "Welcome message" in outline and "/course/dismiss_welcome" in outline
    assert 'name="csrf_token"' in outline[outline.index("/course/dismiss_welcome"):]  # the form's token
    answer = learner.post(f"/courses/{course}/course/dismiss_welcome")  # the harness's client sends the token
    assert answer.status_code == 303 and answer.headers["Location"].endswith(f"/courses/{course}/course/")
    assert "Welcome message" not in learner.get(f"/courses/{course}/course/").get_data(as_text=True)
    # the course home API reads the same record, and another learner still sees the message
    assert learner.get(f"/api/course_home/v1/outline/{course}").get_json()["welcome_message_html"] is None
    assert "Newest <b>news</b>" in other.get(f"/courses/{course}/course/").get_data(as_text=True)
    # a newer update shows again
    newer = "<ol><li><h2>April 4, 2026</h2><p>Newer</p></li>" + UPDATES_HTML.removeprefix("<ol>")
    assert olx_course(files={"info/updates.html": newer}) == course
    assert "Newer" in learner.get(f"/courses/{course}/course/").get_data(as_text=True)
